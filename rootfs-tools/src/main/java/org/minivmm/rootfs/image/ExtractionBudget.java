package org.minivmm.rootfs.image;

/** What is left of the {@link ExtractionLimits} while one image, or one image archive, is unpacked. */
final class ExtractionBudget {
    private final ExtractionLimits limits;
    private long entries;
    private long bytes;

    ExtractionBudget(ExtractionLimits limits) {
        this.limits = limits;
    }

    int maxPathBytes() {
        return limits.maxPathBytes();
    }

    void countEntry() throws ImageBuildException {
        if (++entries > limits.maxEntries()) {
            throw new ImageBuildException("more than " + limits.maxEntries() + " entries (the entry limit)");
        }
    }

    /** Refuses a file by its declared size before any of it is written. */
    void checkFileSize(ArchivePath path, long size) throws ImageBuildException {
        if (size > limits.maxFileBytes()) {
            throw new ImageBuildException(path + " is " + size + " bytes, more than the file size limit of "
                    + limits.maxFileBytes());
        }
    }

    /** Counts bytes as they are written, so that a lying header cannot get past the total. */
    void addBytes(long count) throws ImageBuildException {
        bytes += count;
        if (bytes > limits.maxTotalBytes()) {
            throw new ImageBuildException("more than " + limits.maxTotalBytes()
                    + " bytes of file content (the total size limit)");
        }
    }
}
