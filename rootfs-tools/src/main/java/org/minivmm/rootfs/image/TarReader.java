package org.minivmm.rootfs.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Reads tar members (ustar, GNU, PAX) and checks their names, ids and types. commons-compress does
 * the parsing, but two things it does leniently are redone here from the raw bytes it reads:
 * names (it turns invalid UTF-8 into '?', so a name is decoded strictly here instead, and refused
 * if it is not UTF-8) and PAX extended attributes (it decodes their values as text, which mangles
 * binary ones such as security.capability).
 */
final class TarReader {
    /** PAX headers and GNU long names are read into memory: bound them. */
    private static final int MAX_META_BYTES = 1 << 20;
    /** PATH_MAX less its NUL; also the most an ext4 symlink with 4 KiB blocks can hold. */
    private static final int MAX_SYMLINK_BYTES = 4095;
    private static final int TYPE_FLAG = 156;
    // Old GNU sparse headers: the "isextended" flag in the header and in each extension record.
    private static final int GNU_SPARSE_IS_EXTENDED = 482;
    private static final int SPARSE_EXTENSION_IS_EXTENDED = 504;
    private static final String SCHILY_XATTR = "SCHILY.xattr.";
    private static final String LIBARCHIVE_XATTR = "LIBARCHIVE.xattr.";

    private final RawCapturingStream tar;
    private final int maxPathBytes;
    private final InputStream content;
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private boolean strippedAbsoluteNames;

    /** Reads an uncompressed tar stream; it is not closed here. */
    TarReader(InputStream uncompressed, int maxPathBytes) throws IOException {
        BufferedInputStream in = new BufferedInputStream(uncompressed, 1 << 16);
        in.mark(TarConstants.DEFAULT_RCDSIZE);
        byte[] first;
        try {
            first = in.readNBytes(TarConstants.DEFAULT_RCDSIZE);
        } catch (IOException e) {
            throw corrupt(e);
        }
        in.reset();
        boolean emptyArchive = first.length == TarConstants.DEFAULT_RCDSIZE && isZero(first);
        if (!emptyArchive && !TarArchiveInputStream.matches(first, first.length)) {
            throw new ImageBuildException("not a tar archive (nor gzip, bzip2 or xz of one)");
        }
        this.tar = new RawCapturingStream(new FilterInputStream(in) {
            @Override
            public void close() {
                // The caller owns the stream and may still read past the archive (digests).
            }
        });
        this.maxPathBytes = maxPathBytes;
        this.content = new FilterInputStream(tar) {
            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                try {
                    return super.read(buffer, offset, length);
                } catch (IOException e) {
                    throw corrupt(e);
                }
            }
        };
    }

    /** The next member, or null at the end of the archive. */
    TarItem next() throws IOException {
        TarArchiveEntry entry;
        try {
            entry = tar.getNextEntry();
        } catch (IOException e) {
            throw corrupt(e);
        }
        if (entry == null) {
            if (!tar.sawEndMarker) {
                throw new ImageBuildException("the archive is truncated: it ends without tar's end-of-archive marker");
            }
            return null;
        }
        Map<String, byte[]> pax = new HashMap<>(globalPax);
        if (tar.globalPaxRecords.size() > 0) {
            Map<String, byte[]> global = parsePaxRecords(tar.globalPaxRecords.toByteArray());
            globalPax.putAll(global);
            pax.putAll(global);
        }
        pax.putAll(parsePaxRecords(tar.paxRecords.toByteArray()));

        String name = name(pax.getOrDefault("GNU.sparse.name", pax.get("path")), tar.longName, entry.getName());
        ArchivePath path = path(name);
        TarItem.Kind kind = kind(entry, name);
        String linkName = kind == TarItem.Kind.SYMLINK || kind == TarItem.Kind.HARD_LINK
                ? name(pax.get("linkpath"), tar.longLinkName, entry.getLinkName()) : null;
        if (linkName != null && linkName.isEmpty()) {
            throw new ImageBuildException("refusing " + name + ": a link with an empty target");
        }
        if (kind == TarItem.Kind.SYMLINK && linkName.indexOf('\0') >= 0) {
            throw new ImageBuildException("refusing " + name + ": its link target has a NUL byte");
        }
        if (kind == TarItem.Kind.SYMLINK && linkName.getBytes(StandardCharsets.UTF_8).length > MAX_SYMLINK_BYTES) {
            throw new ImageBuildException("refusing " + name + ": its link target is longer than " + MAX_SYMLINK_BYTES
                    + " bytes");
        }
        return new TarItem(path, kind, entry.getMode() & 07777, id(entry.getLongUserId(), name),
                id(entry.getLongGroupId(), name), entry.getLastModifiedTime(),
                kind == TarItem.Kind.FILE ? entry.getRealSize() : 0,
                kind == TarItem.Kind.SYMLINK ? linkName : null,
                kind == TarItem.Kind.HARD_LINK ? path(linkName) : null,
                entry.getDevMajor(), entry.getDevMinor(), xattrs(pax, name));
    }

    /** The current regular file's content; reading past it returns end of stream. */
    InputStream content() {
        return content;
    }

    /** Whether some member name started with "/" (it was made relative, as tar does). */
    boolean strippedAbsoluteNames() {
        return strippedAbsoluteNames;
    }

    /** Reading failed: the data ends early (a truncated download) or does not decompress or parse. */
    private static ImageBuildException corrupt(IOException e) {
        if (e instanceof ImageBuildException) {
            return (ImageBuildException) e;
        }
        return new ImageBuildException("the archive is truncated or corrupt (" + e.getMessage() + ")", e);
    }

    private ArchivePath path(String name) throws ImageBuildException {
        if (name.startsWith("/")) {
            strippedAbsoluteNames = true;
        }
        return ArchivePath.parse(name, maxPathBytes);
    }

    /** A name from a PAX record, else a GNU long name, else the ustar header, all decoded strictly. */
    private static String name(byte[] pax, byte[] gnuLong, String header) throws ImageBuildException {
        if (pax != null) {
            return Utf8.decode(pax, "a PAX name");
        }
        if (gnuLong != null) {
            return Utf8.decode(gnuLong, "a GNU long name");
        }
        return Utf8.decode(header.getBytes(StandardCharsets.ISO_8859_1), "the name " + header);
    }

    private static TarItem.Kind kind(TarArchiveEntry entry, String name) throws ImageBuildException {
        if (entry.isDirectory()) {
            return TarItem.Kind.DIRECTORY;
        }
        switch (entry.getLinkFlag()) {
            case TarConstants.LF_OLDNORM:
            case TarConstants.LF_NORMAL:
            case TarConstants.LF_CONTIG:
            case TarConstants.LF_GNUTYPE_SPARSE:
                return TarItem.Kind.FILE;
            case TarConstants.LF_LINK:
                return TarItem.Kind.HARD_LINK;
            case TarConstants.LF_SYMLINK:
                return TarItem.Kind.SYMLINK;
            case TarConstants.LF_CHR:
                return TarItem.Kind.CHARACTER_DEVICE;
            case TarConstants.LF_BLK:
                return TarItem.Kind.BLOCK_DEVICE;
            case TarConstants.LF_FIFO:
                return TarItem.Kind.FIFO;
            default:
                throw new ImageBuildException("refusing " + name + ": unsupported tar entry type '"
                        + (char) entry.getLinkFlag() + "'");
        }
    }

    private static long id(long id, String name) throws ImageBuildException {
        if (id < 0 || id > JsonObject.MAX_ID) {
            throw new ImageBuildException("refusing " + name + ": owner or group id " + id + " is out of range");
        }
        return id;
    }

    /** SCHILY.xattr.NAME=raw value (GNU tar, Docker) and LIBARCHIVE.xattr.URL-ENCODED-NAME=base64. */
    private static Map<String, byte[]> xattrs(Map<String, byte[]> pax, String name) throws ImageBuildException {
        Map<String, byte[]> xattrs = new TreeMap<>();
        for (Map.Entry<String, byte[]> record : pax.entrySet()) {
            String key = record.getKey();
            try {
                if (key.startsWith(SCHILY_XATTR)) {
                    xattrs.putIfAbsent(key.substring(SCHILY_XATTR.length()), record.getValue());
                } else if (key.startsWith(LIBARCHIVE_XATTR)) {
                    String xattr = URLDecoder.decode(key.substring(LIBARCHIVE_XATTR.length()), StandardCharsets.UTF_8);
                    xattrs.put(xattr, Base64.getDecoder().decode(record.getValue()));
                }
            } catch (IllegalArgumentException e) {
                throw new ImageBuildException("refusing " + name + ": malformed PAX record " + key);
            }
        }
        for (String xattr : xattrs.keySet()) {
            if (xattr.isEmpty() || xattr.indexOf('\0') >= 0 || xattr.indexOf('\n') >= 0) {
                throw new ImageBuildException("refusing " + name + ": malformed extended attribute name");
            }
        }
        return xattrs;
    }

    /** PAX records are "LENGTH KEY=VALUE\n", LENGTH counting the whole record in decimal. */
    static Map<String, byte[]> parsePaxRecords(byte[] data) throws ImageBuildException {
        Map<String, byte[]> records = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = indexOf(data, (byte) ' ', pos, data.length);
            int length = 0;
            for (int i = pos; i < space; i++) {
                if (data[i] < '0' || data[i] > '9' || length > MAX_META_BYTES) {
                    throw new ImageBuildException("corrupt PAX header");
                }
                length = length * 10 + (data[i] - '0');
            }
            int end = pos + length;
            if (space < 0 || space == pos || end > data.length || end <= space + 1 || data[end - 1] != '\n') {
                throw new ImageBuildException("corrupt PAX header");
            }
            int equals = indexOf(data, (byte) '=', space + 1, end);
            if (equals < 0) {
                throw new ImageBuildException("corrupt PAX header");
            }
            String key = Utf8.decode(Arrays.copyOfRange(data, space + 1, equals), "a PAX key");
            byte[] value = Arrays.copyOfRange(data, equals + 1, end - 1);
            if (value.length == 0) {
                records.remove(key); // POSIX: an empty value cancels the keyword
            } else {
                records.put(key, value);
            }
            pos = end;
        }
        return records;
    }

    private static int indexOf(byte[] data, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isZero(byte[] record) {
        for (byte b : record) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * commons-compress's tar stream, keeping a copy of the PAX records and GNU long names it reads
     * for the member being fetched, and noticing whether the archive ended with its end marker.
     */
    private static final class RawCapturingStream extends TarArchiveInputStream {
        final ByteArrayOutputStream paxRecords = new ByteArrayOutputStream();
        final ByteArrayOutputStream globalPaxRecords = new ByteArrayOutputStream();
        byte[] longName;
        byte[] longLinkName;
        boolean sawEndMarker;
        private int depth;
        private boolean sparseExtensionFollows;

        RawCapturingStream(InputStream in) {
            // ISO-8859-1 maps each byte to one char, so the raw bytes of header names can be recovered.
            super(in, StandardCharsets.ISO_8859_1.name());
        }

        @Override
        public TarArchiveEntry getNextEntry() throws IOException {
            // commons-compress calls this recursively for the member after a PAX or long-name header.
            if (depth++ == 0) {
                paxRecords.reset();
                globalPaxRecords.reset();
                longName = null;
                longLinkName = null;
            }
            try {
                return super.getNextEntry();
            } finally {
                depth--;
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int count = super.read(buffer, offset, length);
            TarArchiveEntry current = getCurrentEntry();
            if (count > 0 && current != null && (current.isPaxHeader() || current.isGlobalPaxHeader())) {
                ByteArrayOutputStream sink = current.isGlobalPaxHeader() ? globalPaxRecords : paxRecords;
                sink.write(buffer, offset, count);
                checkMetaSize(sink.size());
            } else if (count > 0 && current != null && (current.isGNULongNameEntry() || current.isGNULongLinkEntry())) {
                checkMetaSize(current.getSize());
            }
            return count;
        }

        @Override
        protected byte[] getLongNameData() throws IOException {
            boolean isLink = getCurrentEntry().isGNULongLinkEntry();
            byte[] data = super.getLongNameData();
            if (isLink) {
                longLinkName = data;
            } else {
                longName = data;
            }
            return data;
        }

        /**
         * commons-compress reads headers through here but does not check their checksums, so a
         * damaged header would be taken at its word; old GNU sparse files continue in extension
         * records, which have no checksum.
         */
        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record == null || isZero(record)) {
                return record;
            }
            if (sparseExtensionFollows) {
                sparseExtensionFollows = record[SPARSE_EXTENSION_IS_EXTENDED] != 0;
                return record;
            }
            if (!TarUtils.verifyCheckSum(record)) {
                throw new ImageBuildException("a tar header's checksum does not match: the archive is corrupt");
            }
            sparseExtensionFollows = record[TYPE_FLAG] == TarConstants.LF_GNUTYPE_SPARSE
                    && record[GNU_SPARSE_IS_EXTENDED] != 0;
            return record;
        }

        @Override
        protected boolean isEOFRecord(byte[] record) {
            boolean end = super.isEOFRecord(record);
            // commons-compress also calls a short read at the end of the stream (null) an end record.
            sawEndMarker |= end && record != null;
            return end;
        }

        private static void checkMetaSize(long size) throws ImageBuildException {
            if (size > MAX_META_BYTES) {
                throw new ImageBuildException("refusing a PAX header or GNU long name larger than " + MAX_META_BYTES
                        + " bytes");
            }
        }
    }
}
