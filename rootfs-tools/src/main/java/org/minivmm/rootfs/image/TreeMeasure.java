package org.minivmm.rootfs.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a directory tree will take in ext4, walked without following links: the inodes (a hard
 * linked file once), the 4 KiB blocks of file data, directories (from the size of their entries)
 * and long symbolic links, one block per file with extended attributes; and its newest
 * modification time, from which a reproducible image takes every time it would otherwise take
 * from the clock.
 *
 * @param inodes files, directories, links and nodes, the root included
 * @param dataBlocks 4 KiB blocks
 * @param newestMtimeSeconds the newest modification time of a file, directory or symbolic link;
 *     device nodes and FIFOs are left out since staging cannot set their host times; at least 0
 */
record TreeMeasure(long inodes, long dataBlocks, long newestMtimeSeconds) {
    /** ext4 keeps a symbolic link target shorter than this in the inode itself. */
    private static final int FAST_SYMLINK_BYTES = 60;
    /** An ext4 directory entry: 8 bytes of header, then the name padded to 4 bytes. */
    private static final int DIRENT_HEADER_BYTES = 8;

    static TreeMeasure of(Path root, List<ImageFixup> fixups) throws IOException {
        Walker walker = new Walker();
        Files.walkFileTree(root, walker);
        return new TreeMeasure(walker.inodes, walker.dataBlocks + fixups.size(), walker.newestMtime);
    }

    private static long blocks(long bytes) {
        return (bytes + Ext4Image.BLOCK_SIZE - 1) / Ext4Image.BLOCK_SIZE;
    }

    private static final class Walker extends SimpleFileVisitor<Path> {
        long inodes;
        long dataBlocks;
        long newestMtime;
        private final Set<Object> hardLinked = new HashSet<>();
        /** The directory entry bytes of each directory being walked, innermost last. */
        private final Deque<long[]> direntBytes = new ArrayDeque<>();

        @Override
        public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
            entry(directory, attributes);
            direntBytes.push(new long[] {2 * (DIRENT_HEADER_BYTES + 4)}); // "." and ".."
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
            if (failure != null) {
                throw failure;
            }
            dataBlocks += blocks(direntBytes.pop()[0]);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
            if (attributes.isRegularFile() && hardLinked(file, attributes)) {
                countName(file);
                return FileVisitResult.CONTINUE;
            }
            entry(file, attributes);
            if (attributes.isRegularFile()) {
                dataBlocks += blocks(attributes.size());
            } else if (attributes.isSymbolicLink() && attributes.size() >= FAST_SYMLINK_BYTES) {
                dataBlocks++;
            }
            return FileVisitResult.CONTINUE;
        }

        private void entry(Path path, BasicFileAttributes attributes) {
            inodes++;
            if (!direntBytes.isEmpty()) {
                countName(path);
            }
            if (attributes.isRegularFile() || attributes.isDirectory() || attributes.isSymbolicLink()) {
                newestMtime = Math.max(newestMtime, Math.floorDiv(attributes.lastModifiedTime().toMillis(), 1000));
            }
        }

        private void countName(Path path) {
            int nameBytes = path.getFileName().toString().getBytes(StandardCharsets.UTF_8).length;
            direntBytes.peek()[0] += DIRENT_HEADER_BYTES + (nameBytes + 3) / 4 * 4;
        }

        /** True for the second and later names of a hard linked file: they add no inode or data. */
        private boolean hardLinked(Path file, BasicFileAttributes attributes) throws IOException {
            if ((Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) < 2) {
                return false;
            }
            return !hardLinked.add(attributes.fileKey());
        }
    }
}
