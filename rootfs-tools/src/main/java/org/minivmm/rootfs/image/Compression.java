package org.minivmm.rootfs.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Undoes gzip, bzip2 or xz, recognized by their magic bytes rather than by file name or media type
 * (appc: "implementations should detect the format by magic bytes"; Docker also mislabels layers).
 */
final class Compression {
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] BZIP2 = {'B', 'Z', 'h'};
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    /** xz -9 needs 65 MiB to decompress; a hostile header could ask for gigabytes. */
    private static final int XZ_MEMORY_LIMIT_KIB = 256 * 1024;

    private Compression() {
    }

    /** The uncompressed stream; {@code what} names the input in errors. */
    static InputStream decompress(InputStream raw, String what) throws IOException {
        try {
            return open(raw, what);
        } catch (ImageBuildException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageBuildException(what + " is truncated or corrupt (" + e.getMessage() + ")", e);
        }
    }

    private static InputStream open(InputStream raw, String what) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(XZ.length);
        byte[] magic = in.readNBytes(XZ.length);
        in.reset();
        if (startsWith(magic, GZIP)) {
            return GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        }
        if (startsWith(magic, BZIP2)) {
            return new BZip2CompressorInputStream(in, true);
        }
        if (startsWith(magic, XZ)) {
            return XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true)
                    .setMemoryLimitKiB(XZ_MEMORY_LIMIT_KIB).get();
        }
        if (startsWith(magic, ZSTD)) {
            throw new ImageBuildException(what + " is zstd-compressed, which minivmm does not read yet: "
                    + "decompress it first (zstd -d), or use gzip");
        }
        return in;
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }
}
