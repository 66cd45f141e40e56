package org.minivmm.rootfs.image;

import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What the staging directory cannot carry to mke2fs and is set in the finished image instead.
 *
 * @param path the file in the image
 * @param mtime for a device node or FIFO: Java cannot set their times without opening them (which
 *     would block on a FIFO or open a device), so the image gets them; null for anything else
 * @param xattrs extended attributes: written into the image rather than on the host, so every
 *     namespace works (trusted.*, security.* with any SELinux label) whatever the host allows
 */
record ImageFixup(ArchivePath path, FileTime mtime, Map<String, byte[]> xattrs) {
    ImageFixup {
        xattrs = Map.copyOf(xattrs);
    }
}
