package org.minivmm.dax;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * An image file that passed the rules for being mapped MAP_PRIVATE into guests: a regular, non-empty
 * file that nobody but its owner can change, and, when it holds ext4, with the 4096-byte blocks that
 * DAX needs. Checked once at start; {@link #unchangedSince} is checked again at exit.
 */
public record PmemImage(Path file, long size, boolean readOnly, boolean virtio, FileIdentity identity) {
    private static final int SUPERBLOCK = 1024;
    private static final int S_LOG_BLOCK_SIZE = 0x18;
    private static final int S_MAGIC = 0x38;
    private static final int EXT4_MAGIC = 0xEF53;
    private static final int DAX_BLOCK_SIZE = 4096;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;

    /** Checks {@code file}; problems that allow mapping it anyway go to {@code warn}. */
    public static PmemImage check(Path file, boolean readOnly, boolean virtio, Consumer<String> warn)
            throws ImageRuleException, IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (!Files.isRegularFile(file)) {
            throw new ImageRuleException(file + " is not a regular file; give an image file");
        }
        int mode = (Integer) Files.getAttribute(file, "unix:mode");
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            throw new ImageRuleException(file + " is writable by others (mode " + Integer.toOctalString(mode & 0777)
                    + "): guests map it copy-on-write but see every change made to it on the host;"
                    + " make it read-only (chmod go-w), or build it with 'minivmm image build', which stores images read-only");
        }
        long size = Files.size(file);
        if (size == 0) {
            throw new ImageRuleException(file + " is empty");
        }
        checkFilesystem(file, warn);
        return new PmemImage(file, size, readOnly, virtio, FileIdentity.of(file));
    }

    private static void checkFilesystem(Path file, Consumer<String> warn) throws IOException, ImageRuleException {
        ByteBuffer superblock = ByteBuffer.allocate(S_MAGIC + 2).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.read(superblock, SUPERBLOCK);
        }
        if (superblock.position() < superblock.capacity()
                || Short.toUnsignedInt(superblock.getShort(S_MAGIC)) != EXT4_MAGIC) {
            warn.accept(file + " does not hold an ext2/3/4 filesystem; the guest may not be able to mount it with DAX");
            return;
        }
        long blockSize = 1024L << superblock.getInt(S_LOG_BLOCK_SIZE);
        if (blockSize != DAX_BLOCK_SIZE) {
            throw new ImageRuleException(file + " is ext4 with " + blockSize + "-byte blocks, which the guest cannot mount"
                    + " with -o dax; rebuild it with 4096-byte blocks (mke2fs -b 4096, as 'minivmm image build' does)");
        }
    }

    /** Whether the file is still the one that was checked: same device, inode, size and mtime. */
    public boolean unchangedSince() throws IOException {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) && FileIdentity.of(file).equals(identity);
    }
}
