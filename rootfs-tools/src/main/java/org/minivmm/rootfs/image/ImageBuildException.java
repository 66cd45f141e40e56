package org.minivmm.rootfs.image;

import java.io.IOException;

/**
 * An image could not be built, with a message fit to show the user as is: a source that is not
 * an image, a refused (possibly hostile) archive entry, a failed verification, or a failed tool.
 */
public class ImageBuildException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageBuildException(String message) {
        super(message);
    }

    public ImageBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
