package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputDigestTest {
    @TempDir
    Path temp;

    private String digest(Path tree) throws IOException {
        return InputDigest.ofParts(List.of(), List.of(tree));
    }

    private Path tree(String name) throws IOException {
        Path root = Files.createDirectories(temp.resolve(name + "/sub"));
        Files.writeString(root.resolve("file"), "content");
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        for (Path path : List.of(root.resolve("link"), root.resolve("file"), root, root.getParent())) {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(1_000_000), null, null);
        }
        return root.getParent();
    }

    @Test
    void sameTreeSameDigestWhereverItIs() throws IOException {
        assertEquals(digest(tree("a")), digest(tree("b")));
    }

    @Test
    void everyRecordedPropertyChangesTheDigest() throws IOException {
        String original = digest(tree("a"));
        Path content = tree("content");
        Files.writeString(content.resolve("sub/file"), "Content");
        Files.setLastModifiedTime(content.resolve("sub/file"), FileTime.fromMillis(1_000_000));
        Path mode = tree("mode");
        Files.setPosixFilePermissions(mode.resolve("sub/file"), PosixFilePermissions.fromString("rwx------"));
        Path owner = tree("owner");
        Files.setAttribute(owner.resolve("sub/file"), "unix:uid", 1234);
        Path time = tree("time");
        Files.setLastModifiedTime(time.resolve("sub/file"), FileTime.fromMillis(2_000_000));
        Path link = tree("link");
        Files.delete(link.resolve("sub/link"));
        Files.createSymbolicLink(link.resolve("sub/link"), Path.of("elsewhere"));
        Path hardLink = tree("hardlink");
        Files.createLink(hardLink.resolve("sub/again"), hardLink.resolve("sub/file"));
        Path copy = tree("copy");
        Files.writeString(copy.resolve("sub/again"), "content");
        for (Path changed : List.of(content, mode, owner, time, link, hardLink, copy)) {
            assertNotEquals(original, digest(changed), changed.toString());
        }
        assertNotEquals(digest(hardLink), digest(copy), "a hard link is not a copy");
    }
}
