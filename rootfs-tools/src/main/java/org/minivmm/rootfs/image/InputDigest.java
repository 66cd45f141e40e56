package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The sha256 of what an image is built from, which keys the image store: the bytes of an archive,
 * or for a directory a walk in sorted name order over each entry's path, type, mode, owner, size,
 * modification time, device number, link target or hard-link partner, and content. Extended
 * attributes of a directory source are not covered (Java reads only user.* ones): changing only
 * those needs a new build with the cache bypassed, e.g. by touching a file.
 */
final class InputDigest {
    private InputDigest() {
    }

    static String ofFile(Path file) throws IOException {
        return Digest.sha256Hex(file);
    }

    /** Several documents and trees, in order, each marked so that no two different inputs run together. */
    static String ofParts(List<Path> files, List<Path> trees) throws IOException {
        MessageDigest hash = Digest.newSha256();
        for (Path file : files) {
            hash.update(("file " + file.getFileName() + "\n" + ofFile(file) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        for (Path tree : trees) {
            hash.update("tree\n".getBytes(StandardCharsets.UTF_8));
            new TreeWalk(hash).walk(tree, "");
        }
        return HexFormat.of().formatHex(hash.digest());
    }

    private static final class TreeWalk {
        private final MessageDigest hash;
        /** The first path seen for each inode with several names. */
        private final Map<Object, String> firstNames = new HashMap<>();

        TreeWalk(MessageDigest hash) {
            this.hash = hash;
        }

        void walk(Path path, String relative) throws IOException {
            Map<String, Object> unix = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) unix.get("mode");
            StringBuilder record = new StringBuilder(relative.isEmpty() ? "." : relative);
            for (String field : List.of("mode", "uid", "gid", "size", "rdev")) {
                record.append('\0').append(unix.get(field));
            }
            record.append('\0').append(((FileTime) unix.get("lastModifiedTime")).toInstant());
            boolean directory = (mode & 0170000) == 0040000;
            boolean regular = (mode & 0170000) == 0100000;
            boolean link = (mode & 0170000) == 0120000;
            if (link) {
                record.append("\0link ").append(Files.readSymbolicLink(path));
            }
            String partner = null;
            if (!directory && (Integer) unix.get("nlink") > 1) {
                partner = firstNames.putIfAbsent(unix.get("fileKey"), relative);
                if (partner != null) {
                    record.append("\0hardlink ").append(partner);
                }
            }
            hash.update(record.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            if (regular && partner == null) {
                try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                    Digest.update(hash, in);
                }
            }
            if (directory) {
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
                    for (Path entry : entries) {
                        names.add(entry.getFileName().toString());
                    }
                }
                names.sort(null);
                for (String name : names) {
                    walk(path.resolve(name), relative.isEmpty() ? name : relative + "/" + name);
                }
            }
        }
    }
}
