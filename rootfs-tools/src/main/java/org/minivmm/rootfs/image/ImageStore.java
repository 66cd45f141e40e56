package org.minivmm.rootfs.image;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A content-addressed store of built images: {@code sha256-HEX.ext4}, read-only (0444), each written
 * once to a temporary file, synced, and renamed into place, so a reader never sees half an image.
 * {@code inputs/KEY.json} maps the digest of an input (and the build settings that shape the image)
 * to the image and the launch configuration read from the input, so building the same input again
 * takes no work at all.
 */
public final class ImageStore {
    /** Bumped whenever the same input would give a different image: it is part of every input key. */
    static final String FORMAT = "minivmm-image-1";
    private static final String IMAGE_PREFIX = "sha256-";
    private static final String IMAGE_SUFFIX = ".ext4";

    private final Path directory;

    public ImageStore(Path directory) {
        this.directory = directory;
    }

    /** {@code $XDG_CACHE_HOME/minivmm/images}, or {@code ~/.cache/minivmm/images}. */
    public static ImageStore defaultStore() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return new ImageStore(cache.resolve("minivmm").resolve("images"));
    }

    public Path directory() {
        return directory;
    }

    /**
     * An image in the store.
     *
     * @param digest "sha256:HEX" of the image bytes
     * @param app the launch configuration the input carried, if any
     */
    record Stored(Path image, String digest, Optional<AppConfig> app) {
    }

    /** The key under which an input is remembered. */
    static String inputKey(String inputDigest, long extraBytes) {
        MessageDigest hash = Digest.newSha256();
        hash.update((FORMAT + "\n" + inputDigest + "\n" + extraBytes).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash.digest());
    }

    /** The image built before from the input with this key, if it is still there. */
    Optional<Stored> lookup(String inputKey) throws IOException {
        Path index = indexFile(inputKey);
        if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            JsonObject entry = JsonObject.parse(Files.readAllBytes(index), index.toString());
            Digest digest = Digest.parse(entry.string("image"), index.toString());
            Path image = imageFile(digest.hex());
            if (!Files.isRegularFile(image, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            Optional<JsonObject> app = entry.optionalObject("app");
            return Optional.of(new Stored(image, digest.toString(), app.isPresent() ? Optional.of(appFrom(app.get()))
                    : Optional.empty()));
        } catch (ImageBuildException | IllegalArgumentException e) {
            return Optional.empty(); // a damaged index entry: build again, and overwrite it
        }
    }

    /** A new private directory for one build, on the store's file system so that images rename into place. */
    Path newWorkDirectory() throws IOException {
        Path tmp = directory.resolve("tmp");
        Files.createDirectories(tmp);
        return Files.createTempDirectory(tmp, "build-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    /** Moves a finished image into the store (or drops it, if the same bytes are there) and remembers its input. */
    Stored put(Path built, String inputKey, Optional<AppConfig> app) throws IOException {
        String hex = Digest.sha256Hex(built);
        Path image = imageFile(hex);
        Files.createDirectories(directory);
        if (Files.isRegularFile(image, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(built);
        } else {
            sync(built);
            Files.setPosixFilePermissions(built, PosixFilePermissions.fromString("r--r--r--"));
            Files.move(built, image, StandardCopyOption.ATOMIC_MOVE);
            sync(directory);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("image", "sha256:" + hex);
        entry.put("app", app.map(ImageStore::appToJson).orElse(null));
        Path index = indexFile(inputKey);
        Files.createDirectories(index.getParent());
        Path temporary = Files.createTempFile(index.getParent(), "index-", ".tmp");
        Files.writeString(temporary, Json.write(entry));
        sync(temporary);
        Files.move(temporary, index, StandardCopyOption.ATOMIC_MOVE);
        sync(index.getParent());
        return new Stored(image, "sha256:" + hex, app);
    }

    private Path imageFile(String hex) {
        return directory.resolve(IMAGE_PREFIX + hex + IMAGE_SUFFIX);
    }

    private Path indexFile(String inputKey) {
        return directory.resolve("inputs").resolve(inputKey + ".json");
    }

    /** fsync, for a file or a directory (so a rename in it is durable too). */
    private static void sync(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static Map<String, Object> appToJson(AppConfig app) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("args", app.args());
        json.put("env", app.env());
        json.put("cwd", app.cwd());
        json.put("user", app.user());
        json.put("group", app.group());
        List<Object> gids = new ArrayList<>();
        for (long gid : app.supplementaryGids()) {
            gids.add(BigDecimal.valueOf(gid));
        }
        json.put("supplementaryGids", gids);
        return json;
    }

    private static AppConfig appFrom(JsonObject json) throws ImageBuildException {
        return new AppConfig(json.stringList("args"), json.stringList("env"), json.string("cwd"), json.string("user"),
                json.string("group"), json.idList("supplementaryGids"));
    }
}
