package org.minivmm.rootfs.image;

/**
 * Bounds on what one image may unpack to, so that a hostile archive (a "tar bomb": a few
 * compressed megabytes that expand to terabytes, or millions of empty entries) fails early with a
 * clear message instead of filling the disk. They apply to the whole image, across all its layers;
 * unpacking an image archive into its blobs has its own, equal, budget.
 *
 * @param maxTotalBytes the bytes of file content written in all
 * @param maxEntries the archive entries, of every kind, in all
 * @param maxFileBytes the size of one file
 * @param maxPathBytes the length in bytes (UTF-8) of one path inside the image
 */
public record ExtractionLimits(long maxTotalBytes, long maxEntries, long maxFileBytes, int maxPathBytes) {
    /** 32 GiB in all, 1,000,000 entries, 16 GiB for one file, 4096-byte paths (Linux's PATH_MAX). */
    public static final ExtractionLimits DEFAULT = new ExtractionLimits(32L << 30, 1_000_000, 16L << 30, 4096);

    public ExtractionLimits {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxFileBytes <= 0 || maxPathBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
