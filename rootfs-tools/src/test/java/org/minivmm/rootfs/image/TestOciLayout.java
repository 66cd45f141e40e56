package org.minivmm.rootfs.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Writes OCI image layouts for tests: blobs named by digest, manifests, indexes. */
final class TestOciLayout {
    static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
    static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String AMD64 = "{\"architecture\": \"amd64\", \"os\": \"linux\"}";

    private final Path directory;

    TestOciLayout(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
        Files.createDirectories(directory.resolve("blobs/sha256"));
        Files.writeString(directory.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
    }

    Path directory() {
        return directory;
    }

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A linux/amd64 config running /bin/prog --serve as uid 1000 in /home/user. */
    static byte[] config(List<String> diffIds) {
        return ("{\"architecture\": \"amd64\", \"os\": \"linux\", \"config\": {\"User\": \"1000\","
                + " \"Env\": [\"PATH=/bin\"], \"Entrypoint\": [\"/bin/prog\"], \"Cmd\": [\"--serve\"],"
                + " \"WorkingDir\": \"/home/user\"}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\""
                + String.join("\", \"", diffIds) + "\"]}}").getBytes(StandardCharsets.UTF_8);
    }

    /** Stores a blob and returns its descriptor. */
    String blob(String mediaType, byte[] data) throws IOException {
        String digest = sha256(data);
        Files.write(directory.resolve("blobs/sha256/" + digest.substring("sha256:".length())), data);
        return "{\"mediaType\": \"" + mediaType + "\", \"digest\": \"" + digest + "\", \"size\": " + data.length + "}";
    }

    /**
     * Stores an image of these layers (uncompressed tars) and returns its manifest's descriptor. The
     * first layer is stored gzip-compressed and the others as plain tars, so that both are read.
     */
    String image(List<byte[]> layers) throws IOException {
        StringBuilder layerDescriptors = new StringBuilder();
        List<String> diffIds = new ArrayList<>();
        for (byte[] layer : layers) {
            boolean first = diffIds.isEmpty();
            diffIds.add(sha256(layer));
            layerDescriptors.append(first ? "" : ", ")
                    .append(first ? blob(LAYER_GZIP, TestTar.gzip(layer)) : blob(LAYER_TAR, layer));
        }
        return manifest(blob(CONFIG, config(diffIds)), layerDescriptors.toString());
    }

    String manifest(String configDescriptor, String layerDescriptors) throws IOException {
        return blob(MANIFEST, ("{\"schemaVersion\": 2, \"mediaType\": \"" + MANIFEST + "\", \"config\": "
                + configDescriptor + ", \"layers\": [" + layerDescriptors + "]}").getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a platform to a descriptor written by {@link #blob}. */
    static String onPlatform(String descriptor, String platform) {
        return descriptor.substring(0, descriptor.length() - 1) + ", \"platform\": " + platform + "}";
    }

    void index(String... descriptors) throws IOException {
        Files.writeString(directory.resolve("index.json"), "{\"schemaVersion\": 2, \"manifests\": ["
                + String.join(", ", descriptors) + "]}");
    }
}
