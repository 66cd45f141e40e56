package org.minivmm.rootfs.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/** Crafts tar archives for tests, well-formed or hostile, with commons-compress. */
final class TestTar {
    /** Every entry's time unless a test says otherwise: 2020-09-13T12:26:40Z. */
    static final FileTime MTIME = FileTime.fromMillis(1_600_000_000_000L);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    /** Long and non-ASCII names go into PAX headers, as Docker and GNU tar --format=posix write them. */
    TestTar() {
        tar = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /**
     * Names written as bytes in this encoding straight into the headers, long ones as GNU long-name
     * entries (ISO-8859-1 gives bytes that are not UTF-8).
     */
    TestTar(Charset nameEncoding) {
        tar = new TarArchiveOutputStream(bytes, nameEncoding.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    TestTar dir(String name) {
        return dir(name, 0755, 0, 0);
    }

    TestTar dir(String name, int mode, long uid, long gid) {
        TarArchiveEntry entry = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        entry.setMode(mode);
        return add(owned(entry, uid, gid), new byte[0]);
    }

    TestTar file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0);
    }

    TestTar file(String name, byte[] content, int mode, long uid, long gid) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL);
        entry.setMode(mode);
        return add(owned(entry, uid, gid), content);
    }

    /** A file with extended attributes, written as GNU tar and Docker do (SCHILY.xattr.NAME, text values). */
    TestTar fileWithXattrs(String name, String content, Map<String, String> xattrs) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL);
        entry.setMode(0644);
        xattrs.forEach((key, value) -> entry.addPaxHeader("SCHILY.xattr." + key, value));
        return add(entry, content.getBytes(StandardCharsets.UTF_8));
    }

    TestTar symlink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        entry.setMode(0777);
        return add(entry, new byte[0]);
    }

    TestTar hardLink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_LINK);
        entry.setLinkName(target);
        return add(entry, new byte[0]);
    }

    /** A device node or FIFO: type is LF_CHR, LF_BLK or LF_FIFO. */
    TestTar node(String name, byte type, int mode, int major, int minor) {
        TarArchiveEntry entry = entry(name, type);
        entry.setMode(mode);
        entry.setDevMajor(major);
        entry.setDevMinor(minor);
        return add(entry, new byte[0]);
    }

    /** A local PAX header with exactly these records, applying to the entry added next. */
    TestTar paxRecords(String... records) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String record : records) {
            data.writeBytes(paxRecord(record.getBytes(StandardCharsets.ISO_8859_1)));
        }
        return add(entry("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC), data.toByteArray());
    }

    /** "KEY=VALUE" as a PAX record: its length in decimal, counting itself, a space, the pair and a newline. */
    static byte[] paxRecord(byte[] keyAndValue) {
        int length = keyAndValue.length + 2;
        while (length != keyAndValue.length + 2 + Integer.toString(length).length()) {
            length = keyAndValue.length + 2 + Integer.toString(length).length();
        }
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes((length + " ").getBytes(StandardCharsets.US_ASCII));
        record.writeBytes(keyAndValue);
        record.write('\n');
        return record.toByteArray();
    }

    TestTar add(TarArchiveEntry entry, byte[] content) {
        try {
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The archive, end marker included. */
    byte[] bytes() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path writeTo(Path file) throws IOException {
        return Files.write(file, bytes());
    }

    static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
        entry.setModTime(MTIME);
        return entry;
    }

    private static TarArchiveEntry owned(TarArchiveEntry entry, long uid, long gid) {
        entry.setUserId(uid);
        entry.setGroupId(gid);
        return entry;
    }

    static byte[] gzip(byte[] data) {
        return compress(data, "gzip");
    }

    static byte[] bzip2(byte[] data) {
        return compress(data, "bzip2");
    }

    static byte[] xz(byte[] data) {
        return compress(data, "xz");
    }

    private static byte[] compress(byte[] data, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream compressor = format.equals("gzip") ? new GzipCompressorOutputStream(out)
                : format.equals("bzip2") ? new BZip2CompressorOutputStream(out) : new XZCompressorOutputStream(out)) {
            compressor.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
