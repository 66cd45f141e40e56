package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image in a directory holding an OCI image layout (image-layout.md: oci-layout, index.json,
 * blobs/) or Docker's `docker save` layout (manifest.json): its launch configuration, and its
 * layers, which are checked against their digests as they are applied.
 */
final class OciImage {
    private static final Set<String> MANIFEST_TYPES = Set.of(
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Set<String> INDEX_TYPES = Set.of(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    private static final Set<String> LAYER_TYPES = Set.of(
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    /** An index may point at another index; real ones nest once at most. */
    private static final int MAX_INDEX_DEPTH = 4;
    /** `docker save` names a config by its sha256: "HEX.json" (before Docker 25) or "blobs/sha256/HEX". */
    private static final Pattern DOCKER_CONFIG_NAME = Pattern.compile("([a-f0-9]{64})(\\.json)?");

    /**
     * One layer and the digests that check it.
     *
     * @param blobDigest the digest of the file as stored (compressed); null in `docker save`'s
     *     manifest.json, which has none
     * @param blobSize the file's size as the manifest gives it; -1 when unknown
     * @param diffId the digest of the uncompressed tar, from the config
     */
    private record Layer(Path file, Digest blobDigest, long blobSize, Digest diffId) {
    }

    private final AppConfig app;
    private final List<Layer> layers;

    private OciImage(AppConfig app, List<Layer> layers) {
        this.app = app;
        this.layers = layers;
    }

    AppConfig app() {
        return app;
    }

    /** Reads an OCI image layout, choosing the one linux/amd64 image its index lists. */
    static OciImage fromLayout(Path directory) throws IOException {
        JsonObject layout = JsonObject.parse(LayoutFiles.readDocument(directory, "oci-layout"), "oci-layout");
        String version = layout.string("imageLayoutVersion");
        if (!version.startsWith("1.")) {
            throw new ImageBuildException("unsupported OCI image layout version " + version + " (minivmm reads 1.x)");
        }
        JsonObject index = JsonObject.parse(LayoutFiles.readDocument(directory, "index.json"), "index.json");
        return fromManifest(directory, selectManifest(directory, index, 0));
    }

    /** Reads the layout `docker save` writes without an OCI index (Docker before 25). */
    static OciImage fromDockerArchive(Path directory) throws IOException {
        Object manifests = Json.parse(Utf8.decode(LayoutFiles.readDocument(directory, "manifest.json"), "manifest.json"),
                "manifest.json");
        if (!(manifests instanceof List) || ((List<?>) manifests).size() != 1) {
            throw new ImageBuildException("manifest.json must list exactly one image; save one image at a time");
        }
        JsonObject manifest = JsonObject.of(((List<?>) manifests).get(0), "manifest.json");
        String configPath = manifest.string("Config");
        byte[] configDocument = LayoutFiles.readDocument(directory, configPath);
        Matcher name = DOCKER_CONFIG_NAME.matcher(Path.of(configPath).getFileName().toString());
        if (!name.matches()) {
            throw new ImageBuildException("manifest.json: the config " + configPath
                    + " is not named by its digest, so it cannot be verified");
        }
        MessageDigest hash = Digest.newSha256();
        hash.update(configDocument);
        if (!new Digest("sha256", name.group(1)).matches(hash)) {
            throw new ImageBuildException("the image config " + configPath + " does not match its digest: it is corrupt");
        }
        OciImageConfig config = OciImageConfig.parse(configDocument);
        List<String> layerPaths = manifest.stringList("Layers");
        checkLayerCount(layerPaths.size(), config);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layerPaths.size(); i++) {
            layers.add(new Layer(LayoutFiles.regularFile(directory, layerPaths.get(i)), null, -1,
                    Digest.parse(config.diffIds().get(i), "image config: rootfs.diff_ids")));
        }
        return new OciImage(config.app(), layers);
    }

    /** Applies the layers in order, failing on the first whose bytes do not match its digests. */
    void applyLayers(TarExtractor extractor, ProgressListener progress) throws IOException {
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String what = "layer " + (i + 1) + "/" + layers.size() + " ("
                    + (layer.blobDigest() != null ? layer.blobDigest() : layer.diffId()).shortForm() + ")";
            long size = Files.size(layer.file());
            progress.step("extracting " + what + ", " + ProgressListener.size(size));
            if (layer.blobSize() >= 0 && size != layer.blobSize()) {
                throw new ImageBuildException(what + " is " + size + " bytes, but the manifest says " + layer.blobSize());
            }
            MessageDigest blobHash = layer.blobDigest() != null ? layer.blobDigest().newMessageDigest() : null;
            MessageDigest diffHash = layer.diffId().newMessageDigest();
            try (InputStream file = LayoutFiles.open(layer.file())) {
                InputStream stored = blobHash != null ? new DigestInputStream(file, blobHash) : file;
                extractor.applyLayer(new DigestInputStream(Compression.decompress(stored, what), diffHash), what);
                stored.transferTo(OutputStream.nullOutputStream()); // anything after the compressed data counts too
            } catch (ImageBuildException e) {
                throw e;
            } catch (IOException e) {
                throw new ImageBuildException(what + " could not be read (" + e.getMessage() + ")", e);
            }
            if (blobHash != null && !layer.blobDigest().matches(blobHash)) {
                throw new ImageBuildException(what + " does not match its digest: the blob is corrupt or was altered");
            }
            if (!layer.diffId().matches(diffHash)) {
                throw new ImageBuildException(what + " does not match its diff_id in the image config: "
                        + "the layer is corrupt or was altered");
            }
        }
    }

    private static JsonObject selectManifest(Path directory, JsonObject index, int depth) throws IOException {
        Map<String, JsonObject> candidates = new LinkedHashMap<>();
        List<String> otherPlatforms = new ArrayList<>();
        for (JsonObject descriptor : index.objectList("manifests")) {
            String type = descriptor.string("mediaType");
            if (!MANIFEST_TYPES.contains(type) && !INDEX_TYPES.contains(type)) {
                continue; // not an image: an artifact, a signature
            }
            Optional<JsonObject> platform = descriptor.optionalObject("platform");
            if (platform.isPresent()) {
                String os = platform.get().string("os");
                String architecture = platform.get().string("architecture");
                if (!os.equals("linux") || !architecture.equals("amd64")) {
                    otherPlatforms.add(os + "/" + architecture);
                    continue;
                }
            }
            // The same image saved under two tags is listed twice.
            candidates.putIfAbsent(descriptor.string("digest"), descriptor);
        }
        if (candidates.isEmpty()) {
            throw new ImageBuildException(index.what() + " lists no linux/amd64 image"
                    + (otherPlatforms.isEmpty() ? "" : " (only " + String.join(", ", otherPlatforms) + ")"));
        }
        if (candidates.size() > 1) {
            throw new ImageBuildException(index.what() + " lists " + candidates.size() + " images ("
                    + String.join(", ", candidates.keySet()) + "); minivmm builds one: save one image at a time");
        }
        JsonObject chosen = candidates.values().iterator().next();
        byte[] document = readBlob(directory, chosen, "image manifest");
        String digest = chosen.string("digest");
        if (MANIFEST_TYPES.contains(chosen.string("mediaType"))) {
            return JsonObject.parse(document, "image manifest " + digest);
        }
        if (depth >= MAX_INDEX_DEPTH) {
            throw new ImageBuildException("image indexes are nested more than " + MAX_INDEX_DEPTH + " deep");
        }
        return selectManifest(directory, JsonObject.parse(document, "image index " + digest), depth + 1);
    }

    private static OciImage fromManifest(Path directory, JsonObject manifest) throws IOException {
        long schemaVersion = manifest.nonNegativeLong("schemaVersion");
        if (schemaVersion != 2) {
            throw manifest.invalid("schemaVersion", "is " + schemaVersion + "; minivmm reads version 2");
        }
        OciImageConfig config = OciImageConfig.parse(readBlob(directory, manifest.object("config"), "image config"));
        List<JsonObject> descriptors = manifest.objectList("layers");
        checkLayerCount(descriptors.size(), config);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < descriptors.size(); i++) {
            JsonObject descriptor = descriptors.get(i);
            String type = descriptor.string("mediaType");
            if (type.endsWith("+zstd")) {
                throw new ImageBuildException("layer " + (i + 1) + " is zstd-compressed (" + type
                        + "), which minivmm does not read yet: convert the image to gzip layers");
            }
            if (!LAYER_TYPES.contains(type)) {
                throw new ImageBuildException("layer " + (i + 1) + " has media type " + type
                        + ", which is not a filesystem layer minivmm knows");
            }
            Digest blob = Digest.parse(descriptor.string("digest"), manifest.what());
            layers.add(new Layer(LayoutFiles.regularFile(directory, blob.blobPath()), blob,
                    descriptor.nonNegativeLong("size"), Digest.parse(config.diffIds().get(i), "image config: rootfs.diff_ids")));
        }
        return new OciImage(config.app(), layers);
    }

    private static void checkLayerCount(int layers, OciImageConfig config) throws ImageBuildException {
        if (layers != config.diffIds().size()) {
            throw new ImageBuildException("the manifest lists " + layers + " layers but the image config has "
                    + config.diffIds().size() + " diff_ids");
        }
    }

    /** A small blob (manifest, index, config), checked against its descriptor's size and digest. */
    private static byte[] readBlob(Path directory, JsonObject descriptor, String what) throws IOException {
        Digest digest = Digest.parse(descriptor.string("digest"), descriptor.what());
        long size = descriptor.nonNegativeLong("size");
        if (size > LayoutFiles.MAX_DOCUMENT_BYTES) {
            throw new ImageBuildException("the " + what + " " + digest + " is larger than " + LayoutFiles.MAX_DOCUMENT_BYTES
                    + " bytes");
        }
        byte[] document = LayoutFiles.readDocument(directory, digest.blobPath());
        MessageDigest hash = digest.newMessageDigest();
        hash.update(document);
        if (document.length != size || !digest.matches(hash)) {
            throw new ImageBuildException("the " + what + " " + digest + " does not match its digest or size: "
                    + "the blob is corrupt or was altered");
        }
        return document;
    }
}
