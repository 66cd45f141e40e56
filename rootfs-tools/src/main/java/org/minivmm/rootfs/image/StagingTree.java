package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory being filled with an image's files, owners, modes and times, for mke2fs -d to copy.
 *
 * <p>Nothing is ever written through a symbolic link: every parent directory of a new entry is
 * checked with lstat (and created if missing) one component at a time, a parent that is a symbolic
 * link or not a directory is refused, and entries are created with O_EXCL (CREATE_NEW), mkdir,
 * symlink, link or mknod, none of which follows a link in the last component. An existing entry at
 * the same path is removed first (never followed), except that a directory merges into a directory:
 * tar's "the later member wins" and OCI's rule for layers. The staging directory sits in a private
 * (0700) work directory, so nothing else can swap a checked component for a link in between.
 */
final class StagingTree {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final FileTime EPOCH = FileTime.fromMillis(0);
    private static final int IMPLICIT_DIRECTORY_MODE = 0755;

    private final Path root;
    /**
     * Directory times, set at the end because adding an entry changes its directory's time. Every
     * directory made here has one until it is removed, so a path in here is a real directory.
     */
    private final TreeMap<String, Pending<FileTime>> directoryTimes = new TreeMap<>();
    private final TreeMap<String, Pending<ImageFixup>> fixups = new TreeMap<>();

    private record Pending<T>(ArchivePath path, T value) {
    }

    /** Takes over {@code root}, an empty directory: root-owned, 0755, dated 1970 unless the archive says otherwise. */
    StagingTree(Path root) throws IOException {
        this.root = root;
        setOwner(root, ArchivePath.ROOT, 0, 0);
        setMode(root, IMPLICIT_DIRECTORY_MODE);
        directoryTimes.put("", new Pending<>(ArchivePath.ROOT, EPOCH));
    }

    Path root() {
        return root;
    }

    /** Adds one archive member; {@code content} holds a regular file's bytes. */
    void add(TarItem item, InputStream content, ExtractionBudget budget) throws IOException {
        ArchivePath path = item.path();
        if (path.isRoot()) {
            if (item.kind() != TarItem.Kind.DIRECTORY) {
                throw new ImageBuildException("refusing a " + item.kind() + " as the image's root directory");
            }
            setDirectoryMetadata(root, item);
            return;
        }
        Path target = path.resolveIn(root);
        if (item.kind() == TarItem.Kind.HARD_LINK) {
            addHardLink(item, target);
            return;
        }
        createParents(path);
        BasicFileAttributes existing = lstat(target);
        if (existing != null && existing.isDirectory() && item.kind() == TarItem.Kind.DIRECTORY) {
            setDirectoryMetadata(target, item);
            return;
        }
        if (existing != null) {
            remove(path);
        }
        switch (item.kind()) {
            case FILE:
                budget.checkFileSize(path, item.size());
                writeFile(target, content, budget);
                setOwner(target, path, item.uid(), item.gid());
                setMode(target, item.mode());
                setTimes(target, item.mtime());
                break;
            case DIRECTORY:
                Files.createDirectory(target);
                setDirectoryMetadata(target, item);
                break;
            case SYMLINK:
                Files.createSymbolicLink(target, Path.of(item.symlinkTarget()));
                setOwner(target, path, item.uid(), item.gid());
                setTimes(target, item.mtime());
                break;
            default:
                makeNode(target, item);
                setOwner(target, path, item.uid(), item.gid());
                break;
        }
        if (item.kind().isSpecial() || !item.xattrs().isEmpty()) {
            FileTime nodeTime = item.kind().isSpecial() ? item.mtime() : null;
            fixups.put(path.toString(), new Pending<>(path, new ImageFixup(path, nodeTime, item.xattrs())));
        }
    }

    /** What is at {@code path}, not following links, or null if nothing is (or a parent is not a real directory). */
    BasicFileAttributes lookup(ArchivePath path) throws IOException {
        Path current = root;
        BasicFileAttributes attributes = lstat(root);
        for (String component : path.components()) {
            if (attributes == null || !attributes.isDirectory()) {
                return null;
            }
            current = current.resolve(component);
            attributes = lstat(current);
        }
        return attributes;
    }

    /** The names in a directory found by {@link #lookup}. */
    List<String> children(ArchivePath directory) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory.resolveIn(root))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    /** Deletes {@code path} and, for a directory, everything in it; links are deleted, never followed. */
    void remove(ArchivePath path) throws IOException {
        if (lookup(path) == null) {
            return;
        }
        deleteTree(path.resolveIn(root));
        forget(directoryTimes, path);
        forget(fixups, path);
    }

    /** Deletes a file, or a directory and all in it, deleting links rather than following them. */
    static void deleteTree(Path top) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Sets the directory times and returns what the image itself must get. */
    List<ImageFixup> finish() throws IOException {
        for (Pending<FileTime> directory : directoryTimes.values()) {
            BasicFileAttributes attributes = lookup(directory.path());
            if (attributes != null && attributes.isDirectory()) {
                setTimes(directory.path().resolveIn(root), directory.value());
            }
        }
        List<ImageFixup> result = new ArrayList<>();
        for (Pending<ImageFixup> fixup : fixups.values()) {
            result.add(fixup.value());
        }
        return result;
    }

    private void addHardLink(TarItem item, Path target) throws IOException {
        ArchivePath path = item.path();
        ArchivePath linked = item.linkTarget();
        if (linked.equals(path)) {
            throw new ImageBuildException("refusing " + path + ": a hard link to itself");
        }
        BasicFileAttributes existingTarget = lookup(linked);
        if (existingTarget == null || existingTarget.isDirectory()) {
            throw new ImageBuildException("refusing " + path + ": a hard link must name a file already in the image, and "
                    + linked + (existingTarget == null ? " is not there" : " is a directory"));
        }
        createParents(path);
        if (lstat(target) != null) {
            remove(path);
            if (lookup(linked) == null) {
                throw new ImageBuildException("refusing " + path + ": its hard link target " + linked
                        + " was inside what it replaced");
            }
        }
        Files.createLink(target, linked.resolveIn(root));
    }

    private void createParents(ArchivePath path) throws IOException {
        if (directoryTimes.containsKey(path.parent().toString())) {
            return; // checked when it was made: no lstat per component for every member
        }
        Path current = root;
        for (int i = 0; i < path.components().size() - 1; i++) {
            current = current.resolve(path.components().get(i));
            BasicFileAttributes attributes = lstat(current);
            if (attributes == null) {
                ArchivePath parent = new ArchivePath(path.components().subList(0, i + 1));
                Files.createDirectory(current);
                setOwner(current, parent, 0, 0);
                setMode(current, IMPLICIT_DIRECTORY_MODE);
                directoryTimes.put(parent.toString(), new Pending<>(parent, EPOCH));
            } else if (!attributes.isDirectory()) {
                String what = attributes.isSymbolicLink() ? "a symbolic link" : "not a directory";
                throw new ImageBuildException("refusing " + path + ": its parent "
                        + String.join("/", path.components().subList(0, i + 1)) + " is " + what
                        + ", and extraction never writes through one");
            }
        }
    }

    private void setDirectoryMetadata(Path directory, TarItem item) throws IOException {
        setOwner(directory, item.path(), item.uid(), item.gid());
        setMode(directory, item.mode());
        String key = item.path().toString();
        directoryTimes.put(key, new Pending<>(item.path(), item.mtime()));
        // A directory entry over a directory replaces its attributes, extended ones included.
        if (item.xattrs().isEmpty()) {
            fixups.remove(key);
        } else {
            fixups.put(key, new Pending<>(item.path(), new ImageFixup(item.path(), null, item.xattrs())));
        }
    }

    private static void writeFile(Path target, InputStream content, ExtractionBudget budget) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                NOFOLLOW)) {
            int count;
            while ((count = content.read(buffer)) > 0) {
                budget.addBytes(count);
                out.write(buffer, 0, count);
            }
        }
    }

    /** mknod(1): Java has no mknod. It creates the node without following a link, with exactly this mode. */
    private static void makeNode(Path target, TarItem item) throws IOException {
        List<String> command = new ArrayList<>(List.of("mknod", "-m", Integer.toOctalString(item.mode()),
                target.toAbsolutePath().toString()));
        if (item.kind() == TarItem.Kind.FIFO) {
            command.add("p");
        } else {
            command.add(item.kind() == TarItem.Kind.CHARACTER_DEVICE ? "c" : "b");
            command.add(Integer.toString(item.deviceMajor()));
            command.add(Integer.toString(item.deviceMinor()));
        }
        try {
            HostCommand.run(command, Map.of(), "coreutils");
        } catch (ImageBuildException e) {
            throw new ImageBuildException("cannot create the device node or FIFO " + item.path()
                    + " (building images needs root): " + e.getMessage(), e);
        }
    }

    /** lchown; it also clears set-user-id, so it must come before {@link #setMode}. */
    private static void setOwner(Path path, ArchivePath inImage, long uid, long gid) throws IOException {
        try {
            // uid_t is unsigned: ids above 2^31 - 1 go through int with the same bits.
            Files.setAttribute(path, "unix:uid", (int) uid, NOFOLLOW);
            Files.setAttribute(path, "unix:gid", (int) gid, NOFOLLOW);
        } catch (FileSystemException e) {
            throw new ImageBuildException("cannot give " + inImage.inImage() + " its owner " + uid + ":" + gid + " ("
                    + e.getReason() + "): building images needs root", e);
        }
    }

    /** For regular files and directories only: it opens the file (O_NOFOLLOW) to fchmod it. */
    private static void setMode(Path path, int mode) throws IOException {
        Files.setAttribute(path, "unix:mode", mode, NOFOLLOW);
    }

    /** For regular files, directories and links only: for anything else the JDK would open the file. */
    private static void setTimes(Path path, FileTime mtime) throws IOException {
        Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW).setTimes(mtime, mtime, null);
    }

    private static BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Drops what was recorded for {@code path} and everything below it. */
    private static void forget(TreeMap<String, ?> byPath, ArchivePath path) {
        String key = path.toString();
        byPath.remove(key);
        // Keys below "a/b" run from "a/b/" up to, not including, "a/b0" ('0' follows '/').
        byPath.subMap(key + "/", key + "0").clear();
    }
}
