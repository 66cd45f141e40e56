package org.minivmm.rootfs.image;

import java.nio.file.Path;

/**
 * A built image in the store.
 *
 * @param image the read-only ext4 file, named by its digest
 * @param digest "sha256:HEX" of the image file
 * @param app how to start the container: from the input, or the options' default
 * @param reused whether the image was already in the store from an earlier build of the same input
 */
public record BuiltImage(Path image, String digest, AppConfig app, boolean reused) {
}
