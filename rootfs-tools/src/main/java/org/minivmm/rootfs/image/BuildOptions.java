package org.minivmm.rootfs.image;

import java.util.Objects;

/**
 * How to build an image.
 *
 * @param limits bounds on what the input may unpack to
 * @param extraBytes free space to add to the image beyond the usual headroom (20%, at least 16 MiB)
 * @param defaultApp the launch configuration for an input that has none (a plain root filesystem,
 *     an ACI without an app section, a runtime bundle without a process)
 */
public record BuildOptions(ExtractionLimits limits, long extraBytes, AppConfig defaultApp) {
    public static final BuildOptions DEFAULT = new BuildOptions(ExtractionLimits.DEFAULT, 0, AppConfig.EMPTY);

    public BuildOptions {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(defaultApp, "defaultApp");
        if (extraBytes < 0) {
            throw new IllegalArgumentException("extraBytes must not be negative");
        }
    }

    public BuildOptions withLimits(ExtractionLimits newLimits) {
        return new BuildOptions(newLimits, extraBytes, defaultApp);
    }

    public BuildOptions withExtraBytes(long newExtraBytes) {
        return new BuildOptions(limits, newExtraBytes, defaultApp);
    }

    public BuildOptions withDefaultApp(AppConfig newDefaultApp) {
        return new BuildOptions(limits, extraBytes, newDefaultApp);
    }
}
