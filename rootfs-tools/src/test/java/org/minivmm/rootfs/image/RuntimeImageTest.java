package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeImageTest {
    @TempDir
    Path storeDirectory;

    @Test
    void holdsTheExecutableInitAndItsMountPointsAndIsBuiltOnce() throws Exception {
        ImageStore store = new ImageStore(storeDirectory);
        BuiltImage first = RuntimeImage.build(store, ProgressListener.SILENT);
        String init = debugfs(first.image(), "stat " + RuntimeImage.INIT_PATH);
        assertTrue(init.contains("Type: regular") && init.contains("Mode:  0755"), init);
        String root = debugfs(first.image(), "ls -l /");
        assertTrue(root.contains(" dev") && root.contains(" newroot") && root.contains(" minivmm-init"), root);

        BuiltImage second = RuntimeImage.build(store, ProgressListener.SILENT);
        assertTrue(second.reused(), "the same init is found in the store");
        assertEquals(first.image(), second.image());
    }

    private static String debugfs(Path image, String request) throws Exception {
        Process debugfs = new ProcessBuilder("debugfs", "-R", request, image.toString()).redirectErrorStream(true).start();
        String output = new String(debugfs.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, debugfs.waitFor(), output);
        return output;
    }
}
