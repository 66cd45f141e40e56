package org.minivmm.boot;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Recognises the kernel files people pass by mistake (a bzImage, a compressed vmlinux) so the
 * error can say exactly what to pass instead.
 */
final class ForeignImage {
    static final String PASS_VMLINUX =
            "pass the uncompressed ELF vmlinux from the top of the kernel build tree instead";

    /** Magic bytes at a fixed offset, what they mean, and how to get a bootable vmlinux from it. */
    private record Signature(int offset, byte[] magic, String description, String advice) {
        boolean matches(byte[] start) {
            return start.length >= offset + magic.length
                    && Arrays.equals(start, offset, offset + magic.length, magic, 0, magic.length);
        }
    }

    private static final List<Signature> SIGNATURES = List.of(
            // A bzImage's setup header carries "HdrS" at 0x202; check it before "MZ" since
            // EFI-stub bzImages carry both.
            new Signature(0x202, ascii("HdrS"), "a compressed bzImage", PASS_VMLINUX),
            new Signature(0, ascii("MZ"), "a PE/EFI executable such as an EFI-stub bzImage", PASS_VMLINUX),
            compressed("gzip", "gzip -d", 0x1f, 0x8b),
            compressed("xz", "xz -d", 0xfd, '7', 'z', 'X', 'Z', 0x00),
            compressed("zstd", "zstd -d", 0x28, 0xb5, 0x2f, 0xfd),
            compressed("bzip2", "bzip2 -d", 'B', 'Z', 'h'),
            compressed("lz4", "lz4 -d", 0x04, 0x22, 0x4d, 0x18),
            // The kernel build's own lz4 output uses the older "legacy" frame.
            compressed("lz4", "lz4 -d", 0x02, 0x21, 0x4c, 0x18),
            compressed("lzop", "lzop -d", 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a),
            // .lzma has no magic; its header starts with the usual properties byte (lc=3 lp=0
            // pb=2) and a power-of-two dictionary of at least 64 KiB.
            compressed("lzma", "unlzma", 0x5d, 0x00, 0x00));

    /** How many leading bytes of the file {@link #describe} needs to see. */
    static final int PREFIX_BYTES =
            SIGNATURES.stream().mapToInt(s -> s.offset() + s.magic().length).max().orElseThrow();

    private ForeignImage() {
    }

    /** A sentence saying what {@code file}, which is not an ELF file, is and what to pass instead. */
    static String describe(Path file, byte[] start) {
        for (Signature signature : SIGNATURES) {
            if (signature.matches(start)) {
                return file + " is " + signature.description() + ", not an ELF kernel; "
                        + signature.advice() + ".";
            }
        }
        String why = start.length == 0 ? "the file is empty" : "it does not start with the ELF magic bytes";
        return file + " is not an ELF kernel (" + why + "); " + PASS_VMLINUX + ".";
    }

    private static Signature compressed(String format, String command, int... magic) {
        byte[] bytes = new byte[magic.length];
        for (int i = 0; i < magic.length; i++) {
            bytes[i] = (byte) magic[i];
        }
        return new Signature(0, bytes, format + "-compressed",
                "decompress it first (e.g. with " + command + ") or " + PASS_VMLINUX);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
