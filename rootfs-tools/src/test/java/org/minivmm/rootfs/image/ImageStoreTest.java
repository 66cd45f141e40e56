package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
    @TempDir
    Path temp;

    private Path built(String content) throws IOException {
        return Files.writeString(Files.createTempFile(temp, "image", ".ext4"), content);
    }

    @Test
    void storesReadOnlyImagesByDigestAndRemembersTheirInputs() throws IOException {
        ImageStore store = new ImageStore(temp.resolve("store"));
        AppConfig app = new AppConfig(List.of("/bin/sh", "-c", "echo \"hi\""), List.of("A=\u2603"), "/", "nobody", "",
                List.of(4294967294L));
        ImageStore.Stored stored = store.put(built("image bytes"), "key1", Optional.of(app));
        String hex = Digest.sha256Hex(stored.image());
        assertEquals("sha256:" + hex, stored.digest());
        assertEquals(store.directory().resolve("sha256-" + hex + ".ext4"), stored.image());
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored.image())));
        assertEquals(Optional.of(stored), store.lookup("key1"));
        assertEquals(Optional.empty(), store.lookup("key2"));

        ImageStore.Stored same = store.put(built("image bytes"), "key2", Optional.empty());
        assertEquals(stored.image(), same.image(), "the same bytes from another input are stored once");
        assertEquals(Optional.empty(), store.lookup("key2").orElseThrow().app());
    }

    @Test
    void aDamagedOrDanglingIndexEntryIsAMiss() throws IOException {
        ImageStore store = new ImageStore(temp.resolve("store"));
        ImageStore.Stored stored = store.put(built("bytes"), "key", Optional.empty());
        Files.writeString(store.directory().resolve("inputs/key.json"), "{not json");
        assertFalse(store.lookup("key").isPresent());
        store.put(built("bytes"), "key", Optional.empty());
        assertTrue(store.lookup("key").isPresent());
        Files.delete(stored.image());
        assertFalse(store.lookup("key").isPresent(), "the image itself was removed");
    }

    @Test
    void inputKeysCoverTheFormatAndTheSizeOption() {
        assertEquals(ImageStore.inputKey("abc", 0), ImageStore.inputKey("abc", 0));
        assertNotEquals(ImageStore.inputKey("abc", 0), ImageStore.inputKey("abd", 0));
        assertNotEquals(ImageStore.inputKey("abc", 0), ImageStore.inputKey("abc", 1 << 20));
    }

    @Test
    void theDefaultStoreIsInTheUserCache() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path expected = xdg != null && !xdg.isEmpty() ? Path.of(xdg, "minivmm", "images")
                : Path.of(System.getProperty("user.home"), ".cache", "minivmm", "images");
        assertEquals(expected, ImageStore.defaultStore().directory());
    }
}
