package org.minivmm.rootfs.image;

import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * One checked tar member, as {@link TarReader} hands it out.
 *
 * @param path where it goes in the image
 * @param kind what it is
 * @param mode the permission bits with set-user-id, set-group-id and sticky (07777)
 * @param uid the owner, 0 to 2^32 - 2
 * @param gid the group, 0 to 2^32 - 2
 * @param mtime the modification time
 * @param size the content size of a regular file; 0 for anything else
 * @param symlinkTarget what a symbolic link points to, as stored (resolved in the guest); else null
 * @param linkTarget the existing path a hard link names; else null
 * @param deviceMajor a device node's major number
 * @param deviceMinor a device node's minor number
 * @param xattrs extended attributes by full name ("security.capability"), values as raw bytes
 */
record TarItem(ArchivePath path, Kind kind, int mode, long uid, long gid, FileTime mtime, long size,
        String symlinkTarget, ArchivePath linkTarget, int deviceMajor, int deviceMinor, Map<String, byte[]> xattrs) {
    enum Kind {
        FILE, DIRECTORY, SYMLINK, HARD_LINK, CHARACTER_DEVICE, BLOCK_DEVICE, FIFO;

        boolean isSpecial() {
            return this == CHARACTER_DEVICE || this == BLOCK_DEVICE || this == FIFO;
        }
    }

    TarItem {
        xattrs = Map.copyOf(xattrs);
    }
}
