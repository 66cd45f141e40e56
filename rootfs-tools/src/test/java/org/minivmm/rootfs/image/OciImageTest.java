package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading OCI image layouts: choosing the image, and checking every blob against its digest. */
class OciImageTest {
    private static final byte[] LAYER = new TestTar().file("hello", "world").bytes();

    @TempDir
    Path temp;

    private TestOciLayout layout() throws IOException {
        return new TestOciLayout(temp.resolve("layout"));
    }

    private String refusal(TestOciLayout layout) {
        return assertThrows(ImageBuildException.class, () -> apply(layout)).getMessage();
    }

    /** Reads the layout and applies its layers; returns the root filesystem. */
    private Path apply(TestOciLayout layout) throws IOException {
        OciImage image = OciImage.fromLayout(layout.directory());
        Path rootfs = Files.createTempDirectory(temp, "rootfs");
        image.applyLayers(new TarExtractor(new StagingTree(rootfs), new ExtractionBudget(ExtractionLimits.DEFAULT),
                ProgressListener.SILENT), ProgressListener.SILENT);
        return rootfs;
    }

    @Test
    void choosesLinuxAmd64FromANestedMultiPlatformIndex() throws IOException {
        TestOciLayout layout = layout();
        String amd64 = layout.image(List.of(LAYER));
        String arm64 = layout.image(List.of(new TestTar().file("hello", "arm").bytes()));
        String platforms = layout.blob(TestOciLayout.INDEX, ("{\"schemaVersion\": 2, \"manifests\": ["
                + TestOciLayout.onPlatform(arm64, "{\"architecture\": \"arm64\", \"os\": \"linux\"}") + ", "
                + TestOciLayout.onPlatform(amd64, TestOciLayout.AMD64) + ", "
                + TestOciLayout.onPlatform(arm64, "{\"architecture\": \"unknown\", \"os\": \"unknown\"}") + "]}")
                .getBytes(StandardCharsets.UTF_8));
        // Two tags of the same image are one image.
        layout.index(platforms, platforms, layout.blob("application/vnd.oci.artifact.manifest.v1+json", new byte[] {'{', '}'}));
        assertEquals("world", Files.readString(apply(layout).resolve("hello")));
        assertEquals(List.of("/bin/prog", "--serve"), OciImage.fromLayout(layout.directory()).app().args());
    }

    @Test
    void refusesAnIndexWithoutExactlyOneAmd64Image() throws IOException {
        TestOciLayout layout = layout();
        String arm64 = TestOciLayout.onPlatform(layout.image(List.of(LAYER)), "{\"architecture\": \"arm64\", \"os\": \"linux\"}");
        layout.index(arm64);
        assertEquals("index.json lists no linux/amd64 image (only linux/arm64)", refusal(layout));
        layout.index(layout.image(List.of(LAYER)), layout.image(List.of(new TestTar().file("other", "").bytes())));
        assertTrue(refusal(layout).startsWith("index.json lists 2 images ("), refusal(layout));
    }

    @Test
    void refusesLayersItCannotRead() throws IOException {
        TestOciLayout layout = layout();
        String config = layout.blob(TestOciLayout.CONFIG, TestOciLayout.config(List.of(TestOciLayout.sha256(LAYER))));
        layout.index(layout.manifest(config, layout.blob("application/vnd.oci.image.layer.v1.tar+zstd", LAYER)));
        assertEquals("layer 1 is zstd-compressed (application/vnd.oci.image.layer.v1.tar+zstd), which minivmm does not "
                + "read yet: convert the image to gzip layers", refusal(layout));
        layout.index(layout.manifest(config, layout.blob("application/vnd.example.sbom+json", LAYER)));
        assertTrue(refusal(layout).contains("which is not a filesystem layer minivmm knows"));
    }

    @Test
    void checksEveryDigestAndSize() throws IOException {
        TestOciLayout layout = layout();
        String manifest = layout.image(List.of(LAYER));
        layout.index(manifest.replaceFirst("\"size\": \\d+", "\"size\": 3"));
        assertTrue(refusal(layout).contains("does not match its digest or size"), refusal(layout));

        String config = layout.blob(TestOciLayout.CONFIG, TestOciLayout.config(List.of(TestOciLayout.sha256(LAYER))));
        String wrongSize = layout.blob(TestOciLayout.LAYER_TAR, LAYER).replaceFirst("\"size\": \\d+", "\"size\": 5");
        layout.index(layout.manifest(config, wrongSize));
        assertTrue(refusal(layout).endsWith("is " + LAYER.length + " bytes, but the manifest says 5"), refusal(layout));

        byte[] other = new TestTar().file("hello", "tampered").bytes();
        layout.index(layout.manifest(config, layout.blob(TestOciLayout.LAYER_TAR, other)));
        assertTrue(refusal(layout).endsWith("does not match its diff_id in the image config: the layer is corrupt or was altered"),
                refusal(layout));
    }

    @Test
    void blobsMayNotLinkOutOfTheLayout() throws IOException {
        TestOciLayout layout = layout();
        String manifest = layout.image(List.of(LAYER));
        layout.index(manifest);
        Path blobs = layout.directory().resolve("blobs/sha256");
        String layerHex = TestOciLayout.sha256(TestTar.gzip(LAYER)).substring("sha256:".length());
        Path outside = Files.write(temp.resolve("outside"), TestTar.gzip(LAYER));
        Files.delete(blobs.resolve(layerHex));
        Files.createSymbolicLink(blobs.resolve(layerHex), outside);
        assertTrue(refusal(layout).contains("which could leave the image layout"), refusal(layout));

        Files.delete(blobs.resolve(layerHex));
        Files.write(layout.directory().resolve("shared-layer"), TestTar.gzip(LAYER));
        Files.createSymbolicLink(blobs.resolve(layerHex), Path.of("../../shared-layer"));
        assertEquals("world", Files.readString(apply(layout).resolve("hello")), "a link inside the layout is fine");
    }
}
