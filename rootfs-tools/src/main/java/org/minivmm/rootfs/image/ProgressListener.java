package org.minivmm.rootfs.image;

import java.nio.file.Path;

/** Hears what a long image build is doing; the CLI prints it to standard error. */
public interface ProgressListener {
    ProgressListener SILENT = new ProgressListener() {
        @Override
        public void step(String message) {
        }

        @Override
        public void warning(String message) {
        }
    };

    /** A step has started, e.g. "extracting layer 2/5 (sha256:1a2b3c4d5e6f, 12.3 MiB)". */
    void step(String message);

    /** Something in the image is ignored or changed, but the build goes on. */
    void warning(String message);

    /** The input was built before: {@code image} is the stored result, and nothing more happens. */
    default void alreadyBuilt(Path image) {
        step("already built: " + image);
    }

    /** A size for messages: "812 KiB", "12.3 MiB", "1.2 GiB". */
    static String size(long bytes) {
        if (bytes < 1 << 20) {
            return (bytes + 1023) / 1024 + " KiB";
        }
        if (bytes < 1L << 30) {
            return String.format("%.1f MiB", bytes / (double) (1 << 20));
        }
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}
