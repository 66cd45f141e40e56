package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The runtime image every container VM boots from and maps read-only: the guest init at /minivmm-init,
 * and the empty /dev and /newroot it mounts on before it pivots into the container's own root. One
 * copy in the store serves every container; the init never goes into a user's image.
 */
public final class RuntimeImage {
    /** Where the init sits in the runtime image, for the kernel's init= parameter. */
    public static final String INIT_PATH = "/minivmm-init";
    private static final String INIT_RESOURCE = "/init/minivmm-init";
    private static final FileTime BUILT_AT = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));

    private RuntimeImage() {
    }

    /** Builds the runtime image into {@code store}, or finds it there when this init was built before. */
    public static BuiltImage build(ImageStore store, ProgressListener progress) throws IOException {
        Path staging = Files.createTempDirectory("minivmm-runtime");
        try {
            Path root = Files.createDirectory(staging.resolve("rootfs"));
            try (InputStream init = RuntimeImage.class.getResourceAsStream(INIT_RESOURCE)) {
                if (init == null) {
                    throw new ImageBuildException("the guest init is missing from the jar (" + INIT_RESOURCE + "); rebuild minivmm");
                }
                Files.copy(init, root.resolve(INIT_PATH.substring(1)));
            }
            Files.setPosixFilePermissions(root.resolve(INIT_PATH.substring(1)), PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectory(root.resolve("dev"));
            Files.createDirectory(root.resolve("newroot"));
            // Fixed times: the store knows a directory by a digest that includes them, so only a new init rebuilds.
            for (String path : new String[] {INIT_PATH.substring(1), "dev", "newroot", ""}) {
                Files.setLastModifiedTime(root.resolve(path), BUILT_AT);
            }
            return ImageBuilder.build(root, store, BuildOptions.DEFAULT, progress);
        } finally {
            try (Stream<Path> paths = Files.walk(staging)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
