package org.minivmm.dax;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * What identifies a file's content without reading it: device, inode, size and modification time.
 * MAP_PRIVATE does not snapshot a file, so a mapped image that changes on the host changes under the
 * guest's feet; comparing this at start and at exit at least tells the user it happened.
 */
public record FileIdentity(long device, long inode, long size, FileTime modified) {

    public static FileIdentity of(Path file) throws IOException {
        Map<String, Object> unix = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime");
        return new FileIdentity((Long) unix.get("dev"), (Long) unix.get("ino"), (Long) unix.get("size"),
                (FileTime) unix.get("lastModifiedTime"));
    }
}
