package org.minivmm.rootfs.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes an ext4 image of a directory with e2fsprogs: mke2fs -d copies the files with their owners,
 * modes, times, links, device nodes and extended attributes; debugfs then sets what mke2fs cannot
 * take from the directory (the root's mode and time, {@link ImageFixup}s) and makes the image
 * reproducible.
 *
 * <p>The layout suits a DAX root: 4 KiB blocks (DAX maps the page cache straight onto the image,
 * so blocks must be pages), no journal (the guest maps the image MAP_PRIVATE, so its writes never
 * reach the file: a journal would only cost space), no resize inode, a size in whole 2 MiB, and
 * inode tables marked zeroed (the new file reads as zeros: assume_storage_prezeroed keeps it sparse)
 * so the guest kernel has nothing to zero in the background.
 *
 * <p>Reproducibility: the UUID and directory hash seed derive from the input's digest, and every
 * timestamp mke2fs and debugfs would take from the clock comes from E2FSPROGS_FAKE_TIME (and
 * SOURCE_DATE_EPOCH, for later e2fsprogs), set to the newest modification time in the tree. mke2fs -d copies atime and ctime from the host, where they
 * are the time of extraction, so debugfs sets both to that same time in every inode in use. mke2fs
 * sorts directory entries, so the order files were extracted in does not matter.
 */
final class Ext4Image {
    static final int BLOCK_SIZE = 4096;
    static final int INODE_SIZE = 256;
    /** ext4's usual features (Debian's mke2fs.conf), spelled out so a host's mke2fs.conf cannot change them. */
    private static final String FEATURES = "none,sparse_super,large_file,filetype,dir_index,ext_attr,extent,"
            + "huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize";
    private static final int ROOT_INODE = 2;
    private static final int FIRST_NON_RESERVED_INODE = 11;
    private static final long MIN_HEADROOM_BYTES = 16L << 20;
    private static final long FIXED_METADATA_BYTES = 1L << 20;
    /** A huge page, so the guest can map all of the image with 2 MiB DAX mappings. */
    private static final long ALIGNMENT_BYTES = 2L << 20;
    // dumpe2fs: the header, then per group an indented "Free inodes: 12-2048, 2050" line.
    private static final Pattern INODES_PER_GROUP = Pattern.compile("(?m)^Inodes per group:\\s+(\\d+)$");
    private static final Pattern INODE_COUNT = Pattern.compile("(?m)^Inode count:\\s+(\\d+)$");
    private static final Pattern GROUP_FREE_INODES = Pattern.compile("(?m)^[ \\t]+Free inodes: ?(.*)$");

    private Ext4Image() {
    }

    /**
     * Writes {@code image} from {@code source}.
     *
     * @param seed the input digest: the UUID and hash seed derive from it
     * @param extraBytes free space to add beyond the usual headroom
     * @param work a private directory for debugfs's command and value files
     */
    static void create(Path source, List<ImageFixup> fixups, String seed, long extraBytes, Path image, Path work,
            ProgressListener progress) throws IOException {
        TreeMeasure measure = TreeMeasure.of(source, fixups);
        long imageBytes = imageBytes(measure, extraBytes);
        long epoch = measure.newestMtimeSeconds();
        Map<String, String> fakeTime = Map.of("E2FSPROGS_FAKE_TIME", Long.toString(epoch), "SOURCE_DATE_EPOCH",
                Long.toString(epoch));
        int rootUid = (Integer) Files.getAttribute(source, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int rootGid = (Integer) Files.getAttribute(source, "unix:gid", LinkOption.NOFOLLOW_LINKS);

        progress.step("writing a " + ProgressListener.size(imageBytes) + " ext4 image (" + measure.inodes() + " files, "
                + ProgressListener.size(measure.dataBlocks() * BLOCK_SIZE) + " of data)");
        HostCommand.run(List.of("mke2fs", "-F", "-q", "-t", "ext4", "-b", Integer.toString(BLOCK_SIZE),
                "-I", Integer.toString(INODE_SIZE), "-N", Long.toString(inodeCount(measure)), "-m", "0",
                "-O", FEATURES, "-U", derivedUuid(seed, "uuid").toString(),
                "-E", "hash_seed=" + derivedUuid(seed, "hash_seed") + ",root_owner=" + Integer.toUnsignedString(rootUid)
                        + ":" + Integer.toUnsignedString(rootGid) + ",assume_storage_prezeroed=1,nodiscard",
                "-d", source.toString(), image.toString(), Long.toString(imageBytes / BLOCK_SIZE)), fakeTime, "e2fsprogs");

        Path commands = work.resolve("debugfs-commands");
        Files.writeString(commands, debugfsCommands(source, fixups, usedInodes(image), epoch, work));
        HostCommand.Output output = HostCommand.run(List.of("debugfs", "-w", "-f", commands.toString(), image.toString()),
                fakeTime, "e2fsprogs");
        checkDebugfs(output);

        progress.step("checking the image with e2fsck");
        HostCommand.run(List.of("e2fsck", "-fn", image.toString()), Map.of(), "e2fsprogs");
    }

    /**
     * The content (data blocks, one inode table entry per file) plus 20% or at least 16 MiB of
     * headroom, plus {@code extraBytes}, in whole 2 MiB.
     */
    static long imageBytes(TreeMeasure measure, long extraBytes) {
        long content = measure.dataBlocks() * BLOCK_SIZE + inodeCount(measure) * INODE_SIZE + FIXED_METADATA_BYTES;
        long bytes = content + Math.max(content / 5, MIN_HEADROOM_BYTES) + extraBytes;
        return (bytes + ALIGNMENT_BYTES - 1) / ALIGNMENT_BYTES * ALIGNMENT_BYTES;
    }

    /** Room for 20% more files than the image has, and at least 1024 more, for the guest to create. */
    static long inodeCount(TreeMeasure measure) {
        return measure.inodes() + FIRST_NON_RESERVED_INODE + Math.max(measure.inodes() / 5, 1024);
    }

    /** A name-based UUID (version 4 bits, so tools accept it) from the input digest. */
    static UUID derivedUuid(String seed, String purpose) {
        MessageDigest hash = Digest.newSha256();
        hash.update((purpose + "\0" + seed).getBytes(StandardCharsets.UTF_8));
        byte[] bytes = hash.digest();
        bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (bytes[i] & 0xff);
            low = (low << 8) | (bytes[i + 8] & 0xff);
        }
        return new UUID(high, low);
    }

    private static String debugfsCommands(Path source, List<ImageFixup> fixups, BitSet usedInodes, long epoch, Path work)
            throws IOException {
        StringBuilder commands = new StringBuilder();
        // mke2fs -d gives the root directory its own defaults; the source directory's mode and time win.
        int rootMode = (Integer) Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        FileTime rootTime = Files.getLastModifiedTime(source, LinkOption.NOFOLLOW_LINKS);
        commands.append("sif <" + ROOT_INODE + "> mode 0" + Integer.toOctalString(rootMode) + "\n");
        commands.append("sif <" + ROOT_INODE + "> mtime @" + Math.floorDiv(rootTime.toMillis(), 1000) + "\n");
        int valueFiles = 0;
        for (ImageFixup fixup : fixups) {
            String path = quote(fixup.path());
            if (fixup.mtime() != null) {
                commands.append("sif " + path + " mtime @" + Math.floorDiv(fixup.mtime().toMillis(), 1000) + "\n");
            }
            for (Map.Entry<String, byte[]> xattr : fixup.xattrs().entrySet()) {
                Path value = work.resolve("xattr-value-" + valueFiles++);
                Files.write(value, xattr.getValue());
                commands.append("ea_set -f " + quote(value.toString()) + " " + path + " " + quote(xattr.getKey()) + "\n");
            }
        }
        for (int inode = usedInodes.nextSetBit(0); inode >= 0; inode = usedInodes.nextSetBit(inode + 1)) {
            commands.append("sif <" + inode + "> atime @" + epoch + "\n");
            commands.append("sif <" + inode + "> ctime @" + epoch + "\n");
        }
        return commands.toString();
    }

    /** debugfs reads one command a line and splits it at spaces; inside "...", "" stands for a quote. */
    private static String quote(ArchivePath path) throws ImageBuildException {
        if (path.toString().indexOf('\n') >= 0) {
            throw new ImageBuildException("cannot set the time or extended attributes of " + path.inImage().replace("\n", "\\n")
                    + ": its name has a newline");
        }
        return quote(path.inImage());
    }

    private static String quote(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }

    /** debugfs carries on after a failed command and still exits 0, so its complaints are the only sign. */
    private static void checkDebugfs(HostCommand.Output output) throws ImageBuildException {
        List<String> errors = new ArrayList<>();
        for (String line : output.stderr().split("\n")) {
            if (!line.isBlank() && !line.startsWith("debugfs ")) {
                errors.add(line.strip());
            }
        }
        if (!errors.isEmpty()) {
            throw new ImageBuildException("debugfs could not finish the image: "
                    + String.join("; ", errors.subList(0, Math.min(errors.size(), 5))));
        }
    }

    /** The root and every inode from the first non-reserved one that the inode bitmaps mark in use. */
    private static BitSet usedInodes(Path image) throws IOException {
        String dump = HostCommand.run(List.of("dumpe2fs", image.toString()), Map.of(), "e2fsprogs").stdout();
        int perGroup = Integer.parseInt(find(INODES_PER_GROUP, dump));
        int count = Integer.parseInt(find(INODE_COUNT, dump));
        BitSet used = new BitSet(count + 1);
        used.set(FIRST_NON_RESERVED_INODE, count + 1);
        Matcher groups = GROUP_FREE_INODES.matcher(dump);
        int groupsSeen = 0;
        while (groups.find()) {
            groupsSeen++;
            for (String range : groups.group(1).split(",")) {
                if (range.isBlank()) {
                    continue;
                }
                String[] bounds = range.strip().split("-");
                int first = Integer.parseInt(bounds[0]);
                used.clear(first, Integer.parseInt(bounds[bounds.length - 1]) + 1);
            }
        }
        if (groupsSeen != (count + perGroup - 1) / perGroup) {
            throw new ImageBuildException("could not read the inode bitmaps from dumpe2fs's output");
        }
        used.set(ROOT_INODE);
        return used;
    }

    private static String find(Pattern pattern, String text) throws ImageBuildException {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            throw new ImageBuildException("could not read dumpe2fs's output (no " + pattern + ")");
        }
        return matcher.group(1);
    }
}
