package org.minivmm.rootfs.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Encodes a {@link LaunchConfig} as the file the guest init reads from a read-only block device attached to the
 * VM (a pmem region or a virtio-blk disk). The kernel command line holds only 2 KiB, which a real environment
 * overflows; this file has no limit that matters.
 *
 * <p>Format version 1, integers little-endian (the init's {@code launch_config.h} reads it):
 * <ul>
 *   <li>header, 16 bytes: the magic "MVLAUNCH", u32 version = 1, u32 body length;
 *   <li>body: records, each u8 tag, three zero bytes, u32 length, then the value's UTF-8 bytes (no NUL);
 *   <li>zeros up to a multiple of 4096 bytes, as block devices need; the init does not parse them.
 * </ul>
 * Every field is written, defaults included, except an empty group, hostname, stdio or exec device and a false
 * terminal.
 * The init refuses tags it does not know: a new field needs a new version.
 */
public final class LaunchConfigWriter {
    public static final byte[] MAGIC = "MVLAUNCH".getBytes(StandardCharsets.US_ASCII);
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 16;
    public static final int RECORD_HEADER_BYTES = 8;
    public static final int BLOCK_BYTES = 4096;

    /** The record tags of version 1. */
    public enum Tag {
        ARG(1), ENV(2), CWD(3), USER(4), GROUP(5), SUPPLEMENTARY_GID(6), HOSTNAME(7), ROOT_DEVICE(8),
        ROOT_FSTYPE(9), ROOT_OPTIONS(10), TERMINAL(11),
        STDIN_DEVICE(12), STDOUT_DEVICE(13), STDERR_DEVICE(14), CONTROL_DEVICE(15), EXEC_DEVICE(16);

        public final int code;

        Tag(int code) {
            this.code = code;
        }
    }

    private LaunchConfigWriter() {
    }

    /** The whole file, padded to a multiple of {@link #BLOCK_BYTES}. */
    public static byte[] encode(LaunchConfig config) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        config.args().forEach(arg -> writeRecord(body, Tag.ARG, arg));
        config.env().forEach(entry -> writeRecord(body, Tag.ENV, entry));
        writeRecord(body, Tag.CWD, config.cwd());
        writeRecord(body, Tag.USER, config.user());
        config.group().ifPresent(group -> writeRecord(body, Tag.GROUP, group));
        config.supplementaryGids().forEach(gid -> writeRecord(body, Tag.SUPPLEMENTARY_GID, gid.toString()));
        config.hostname().ifPresent(hostname -> writeRecord(body, Tag.HOSTNAME, hostname));
        writeRecord(body, Tag.ROOT_DEVICE, config.rootDevice());
        writeRecord(body, Tag.ROOT_FSTYPE, config.rootFstype());
        writeRecord(body, Tag.ROOT_OPTIONS, config.rootOptions());
        if (config.terminal()) {
            writeRecord(body, Tag.TERMINAL, "1");
        }
        config.stdio().stdin().ifPresent(device -> writeRecord(body, Tag.STDIN_DEVICE, device));
        config.stdio().stdout().ifPresent(device -> writeRecord(body, Tag.STDOUT_DEVICE, device));
        config.stdio().stderr().ifPresent(device -> writeRecord(body, Tag.STDERR_DEVICE, device));
        config.stdio().control().ifPresent(device -> writeRecord(body, Tag.CONTROL_DEVICE, device));
        config.execDevice().ifPresent(device -> writeRecord(body, Tag.EXEC_DEVICE, device));

        int blocks = (HEADER_BYTES + body.size() + BLOCK_BYTES - 1) / BLOCK_BYTES;
        ByteBuffer file = ByteBuffer.allocate(blocks * BLOCK_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        file.put(MAGIC).putInt(VERSION).putInt(body.size()).put(body.toByteArray());
        return file.array();
    }

    /** Writes the encoded file to {@code path}, replacing what is there. */
    public static void write(LaunchConfig config, Path path) throws IOException {
        Files.write(path, encode(config));
    }

    private static void writeRecord(ByteArrayOutputStream body, Tag tag, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put((byte) tag.code).put(new byte[3]).putInt(bytes.length);
        body.writeBytes(header.array());
        body.writeBytes(bytes);
    }
}
