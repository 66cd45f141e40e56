package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds real images from crafted ACIs, OCI layouts, `docker save` archives, runtime bundles and
 * plain directories, and looks inside them with e2fsck and debugfs (e2fsprogs; needs root, as
 * building does).
 */
class ImageBuilderTest {
    /** 1600000000, TestTar's time, as debugfs prints it. */
    private static final String MTIME_HEX = "0x5f5e1000";
    /** A file capability (cap_net_raw+ep), binary as such values are. */
    private static final byte[] CAPABILITY = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final String ACI_MANIFEST = "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
            + " \"name\": \"example.com/test\", \"app\": {\"exec\": [\"/bin/prog\", \"--serve\"], \"user\": \"1000\","
            + " \"group\": \"100\", \"supplementaryGIDs\": [27], \"workingDirectory\": \"/home/user\","
            + " \"environment\": [{\"name\": \"MODE\", \"value\": \"test\"}]}}";

    @TempDir
    Path temp;

    @Test
    void anAciKeepsModesOwnersLinksNodesXattrsAndTimes() throws Exception {
        Path aci = temp.resolve("test.aci");
        Files.write(aci, TestTar.gzip(richRootfs(new TestTar().file("manifest", ACI_MANIFEST), "rootfs/").bytes()));
        ImageStore store = new ImageStore(temp.resolve("store"));
        BuiltImage built = ImageBuilder.build(aci, store, BuildOptions.DEFAULT, ProgressListener.SILENT);

        assertEquals(new AppConfig(List.of("/bin/prog", "--serve"), List.of("MODE=test"), "/home/user", "1000", "100",
                List.of(27L)), built.app());
        assertFalse(built.reused());
        Path image = built.image();
        e2fsck(image);
        assertRichRootfs(image);
        assertStoredReadOnlyByDigest(built, store);
    }

    @Test
    void aSecondBuildOfTheSameInputReusesTheImage() throws Exception {
        Path aci = temp.resolve("test.aci");
        Files.write(aci, TestTar.xz(richRootfs(new TestTar().file("manifest", ACI_MANIFEST), "rootfs/").bytes()));
        ImageStore store = new ImageStore(temp.resolve("store"));
        long start = System.nanoTime();
        BuiltImage first = ImageBuilder.build(aci, store, BuildOptions.DEFAULT, ProgressListener.SILENT);
        long firstNanos = System.nanoTime() - start;
        Object firstMtime = Files.getLastModifiedTime(first.image());

        start = System.nanoTime();
        BuiltImage second = ImageBuilder.build(aci, store, BuildOptions.DEFAULT, ProgressListener.SILENT);
        long secondNanos = System.nanoTime() - start;
        assertTrue(second.reused());
        assertEquals(first.image(), second.image());
        assertEquals(first.digest(), second.digest());
        assertEquals(first.app(), second.app());
        assertEquals(firstMtime, Files.getLastModifiedTime(second.image()), "not written again");
        assertTrue(secondNanos < firstNanos / 3, "reuse took " + secondNanos / 1_000_000 + " ms, the build "
                + firstNanos / 1_000_000 + " ms");
        try (Stream<Path> work = Files.list(store.directory().resolve("tmp"))) {
            assertEquals(0, work.count(), "no build directory is left behind");
        }
    }

    @Test
    void theSameInputGivesTheSameImageBytes() throws Exception {
        Path aci = temp.resolve("test.aci");
        Files.write(aci, richRootfs(new TestTar().file("manifest", ACI_MANIFEST), "rootfs/").bytes());
        BuiltImage first = ImageBuilder.build(aci, new ImageStore(temp.resolve("store1")), BuildOptions.DEFAULT,
                ProgressListener.SILENT);
        Thread.sleep(1100); // so that a time taken from the clock would differ
        BuiltImage second = ImageBuilder.build(aci, new ImageStore(temp.resolve("store2")), BuildOptions.DEFAULT,
                ProgressListener.SILENT);
        assertFalse(second.reused());
        assertEquals(first.digest(), second.digest());
        assertEquals(-1, Files.mismatch(first.image(), second.image()));
    }

    @Test
    void anOciLayoutAppliesItsLayersWithWhiteouts() throws Exception {
        Path layout = ociLayout(temp.resolve("layout"));
        ImageStore store = new ImageStore(temp.resolve("store"));
        List<String> steps = new ArrayList<>();
        BuiltImage built = ImageBuilder.build(layout, store, BuildOptions.DEFAULT, new ProgressListener() {
            @Override
            public void step(String message) {
                steps.add(message);
            }

            @Override
            public void warning(String message) {
                steps.add("warning: " + message);
            }
        });
        assertEquals(new AppConfig(List.of("/bin/prog", "--serve"), List.of("PATH=/bin"), "/home/user", "1000", "",
                List.of()), built.app());
        e2fsck(built.image());
        assertRichRootfs(built.image());
        String etc = debugfs(built.image(), "ls -l /etc");
        assertTrue(etc.contains(" passwd\n") || etc.contains(" passwd"), etc);
        assertFalse(etc.contains("shadow"), "whited out: " + etc);
        assertFalse(etc.contains(".wh."), etc);
        assertTrue(debugfs(built.image(), "cat /etc/motd").contains("from layer 2"));
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("extracting layer 1/2 (sha256:")), steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("extracting layer 2/2 (sha256:")), steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("writing a ") && s.contains("ext4 image")), steps.toString());
    }

    @Test
    void anOciArchiveAndADockerSaveArchiveBuildToo() throws Exception {
        Path layout = ociLayout(temp.resolve("layout"));
        Path ociArchive = tarOf(layout, temp.resolve("oci.tar"));
        BuiltImage fromArchive = ImageBuilder.build(ociArchive, new ImageStore(temp.resolve("store")), BuildOptions.DEFAULT,
                ProgressListener.SILENT);
        assertRichRootfs(fromArchive.image());

        // Docker before 25: manifest.json naming the config HEX.json and each layer HEX/layer.tar, uncompressed.
        Path docker = Files.createDirectory(temp.resolve("docker"));
        byte[] layer = richRootfs(new TestTar(), "").bytes();
        String layerHex = TestOciLayout.sha256(layer).substring("sha256:".length());
        Files.createDirectory(docker.resolve(layerHex));
        Files.write(docker.resolve(layerHex + "/layer.tar"), layer);
        byte[] config = TestOciLayout.config(List.of("sha256:" + layerHex));
        String configHex = TestOciLayout.sha256(config).substring("sha256:".length());
        Files.write(docker.resolve(configHex + ".json"), config);
        Files.writeString(docker.resolve("manifest.json"), "[{\"Config\": \"" + configHex + ".json\", \"RepoTags\": [\"t:1\"],"
                + " \"Layers\": [\"" + layerHex + "/layer.tar\"]}]");
        BuiltImage fromDocker = ImageBuilder.build(tarOf(docker, temp.resolve("docker.tar")),
                new ImageStore(temp.resolve("store")), BuildOptions.DEFAULT, ProgressListener.SILENT);
        assertRichRootfs(fromDocker.image());
        assertEquals("1000", fromDocker.app().user());
    }

    @Test
    void aTamperedLayerIsRefusedAndNothingIsStored() throws Exception {
        Path layout = ociLayout(temp.resolve("layout"));
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path blob : (Iterable<Path>) blobs::iterator) {
                byte[] bytes = Files.readAllBytes(blob);
                if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f) { // the gzip layer
                    bytes[bytes.length / 2] ^= 0x55;
                    Files.write(blob, bytes);
                }
            }
        }
        ImageStore store = new ImageStore(temp.resolve("store"));
        ImageBuildException e = assertThrows(ImageBuildException.class,
                () -> ImageBuilder.build(layout, store, BuildOptions.DEFAULT, ProgressListener.SILENT));
        assertTrue(e.getMessage().startsWith("layer 1/2 (sha256:"), e.getMessage());
        try (Stream<Path> left = Files.walk(store.directory())) {
            assertEquals(List.of(store.directory(), store.directory().resolve("tmp")), left.sorted().toList(),
                    "no image, no index entry, no build directory");
        }
    }

    @Test
    void aRuntimeBundleAndAPlainDirectoryBuildFromTheirFiles() throws Exception {
        Path bundle = Files.createDirectory(temp.resolve("bundle"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.writeString(rootfs.resolve("sh"), "#!shell");
        Files.setPosixFilePermissions(rootfs.resolve("sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setAttribute(rootfs.resolve("sh"), "unix:gid", 42);
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
                + " \"process\": {\"args\": [\"/bin/sh\"], \"env\": [\"A=b\"], \"cwd\": \"/\","
                + " \"user\": {\"uid\": 5, \"gid\": 6, \"additionalGids\": [7]}}}");
        ImageStore store = new ImageStore(temp.resolve("store"));
        BuiltImage fromBundle = ImageBuilder.build(bundle, store, BuildOptions.DEFAULT, ProgressListener.SILENT);
        assertEquals(new AppConfig(List.of("/bin/sh"), List.of("A=b"), "/", "5", "6", List.of(7L)), fromBundle.app());
        e2fsck(fromBundle.image());
        String stat = debugfs(fromBundle.image(), "stat /bin/sh");
        assertTrue(stat.contains("Mode:  0750") && stat.contains("Group:    42"), stat);

        AppConfig given = new AppConfig(List.of("/bin/sh"), List.of(), "/", "0", "0", List.of());
        BuiltImage fromDirectory = ImageBuilder.build(rootfs.getParent(), store, BuildOptions.DEFAULT.withDefaultApp(given),
                ProgressListener.SILENT);
        assertEquals(given, fromDirectory.app(), "a plain root filesystem runs what the caller says");
        assertTrue(debugfs(fromDirectory.image(), "cat /bin/sh").contains("#!shell"));

        Files.writeString(rootfs.resolve("sh"), "#!other");
        BuiltImage changed = ImageBuilder.build(rootfs.getParent(), store, BuildOptions.DEFAULT, ProgressListener.SILENT);
        assertFalse(changed.reused(), "a changed file is a new input");
        assertNotEquals(fromDirectory.digest(), changed.digest());
    }

    @Test
    void extraBytesMakeABiggerImage() throws Exception {
        Path rootfs = Files.createDirectory(temp.resolve("rootfs"));
        Files.writeString(rootfs.resolve("f"), "x");
        ImageStore store = new ImageStore(temp.resolve("store"));
        long plain = Files.size(ImageBuilder.build(rootfs, store, BuildOptions.DEFAULT, ProgressListener.SILENT).image());
        long bigger = Files.size(ImageBuilder.build(rootfs, store, BuildOptions.DEFAULT.withExtraBytes(64L << 20),
                ProgressListener.SILENT).image());
        assertEquals(plain + (64L << 20), bigger);
        assertEquals(0, plain % (2 << 20), "whole 2 MiB");
    }

    @Test
    void refusesSourcesThatAreNotImages() throws Exception {
        ImageStore store = new ImageStore(temp.resolve("store"));
        assertEquals(temp.resolve("missing") + ": no such file or directory", assertThrows(ImageBuildException.class,
                () -> ImageBuilder.build(temp.resolve("missing"), store, BuildOptions.DEFAULT, ProgressListener.SILENT))
                .getMessage());
        Path notAci = temp.resolve("bad.aci");
        Files.write(notAci, new TestTar().file("manifest", ACI_MANIFEST).dir("rootfs").file("extra", "x").bytes());
        assertEquals("not a valid ACI: besides manifest and rootfs it has extra", assertThrows(ImageBuildException.class,
                () -> ImageBuilder.build(notAci, store, BuildOptions.DEFAULT, ProgressListener.SILENT)).getMessage());
        Path truncated = temp.resolve("truncated.aci");
        byte[] aci = TestTar.gzip(richRootfs(new TestTar().file("manifest", ACI_MANIFEST), "rootfs/").bytes());
        Files.write(truncated, Arrays.copyOf(aci, aci.length / 2));
        assertTrue(assertThrows(ImageBuildException.class, () -> ImageBuilder.build(truncated, store, BuildOptions.DEFAULT,
                ProgressListener.SILENT)).getMessage().startsWith("truncated.aci: the archive is truncated or corrupt"));
        try (Stream<Path> left = Files.walk(store.directory())) {
            assertEquals(List.of(store.directory(), store.directory().resolve("tmp")), left.sorted().toList(),
                    "nothing half-built is left in the store");
        }
    }

    @Test
    void anAciWithoutAppRunsWhatTheCallerSays() throws Exception {
        Path aci = temp.resolve("base.aci");
        Files.write(aci, new TestTar().file("manifest", "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
                + " \"name\": \"example.com/base\"}").dir("rootfs").file("rootfs/f", "x").bytes());
        AppConfig given = new AppConfig(List.of("/f"), List.of(), "/", "0", "0", List.of());
        BuiltImage built = ImageBuilder.build(aci, new ImageStore(temp.resolve("store")),
                BuildOptions.DEFAULT.withDefaultApp(given), ProgressListener.SILENT);
        assertEquals(given, built.app());
        assertTrue(debugfs(built.image(), "cat /f").contains("x"));
    }

    /** Directories, a setuid program, a symlink, a hard link, a device node, a FIFO, xattrs, and owners. */
    private static TestTar richRootfs(TestTar tar, String prefix) {
        tar.dir(prefix.isEmpty() ? "./" : prefix, 0751, 0, 0)
                .dir(prefix + "bin")
                .file(prefix + "bin/prog", "#!/bin/prog\n".getBytes(StandardCharsets.UTF_8), 04755, 0, 0)
                .symlink(prefix + "bin/sh", "prog")
                .hardLink(prefix + "bin/prog-again", prefix + "bin/prog")
                .dir(prefix + "dev")
                .node(prefix + "dev/null", TarConstants.LF_CHR, 0666, 1, 3)
                .node(prefix + "dev/fifo", TarConstants.LF_FIFO, 0600, 0, 0)
                .dir(prefix + "etc")
                .file(prefix + "etc/passwd", "root:x:0:0::/:/bin/sh\nuser:x:1000:100::/home/user:/bin/sh\n")
                .dir(prefix + "home")
                .dir(prefix + "home/user", 0700, 1000, 1000)
                .file(prefix + "home/user/notes", "mine".getBytes(StandardCharsets.UTF_8), 0640, 1000, 100)
                .fileWithXattrs(prefix + "bin/ping", "ping", Map.of("user.comment", "pings"));
        // The capability value is binary: write the PAX record by hand, as GNU tar would.
        byte[] record = new byte["SCHILY.xattr.security.capability=".length() + CAPABILITY.length];
        byte[] key = "SCHILY.xattr.security.capability=".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(key, 0, record, 0, key.length);
        System.arraycopy(CAPABILITY, 0, record, key.length, CAPABILITY.length);
        return tar.paxRecords(new String(record, StandardCharsets.ISO_8859_1))
                .file(prefix + "bin/ping6", "ping6".getBytes(StandardCharsets.UTF_8), 0755, 0, 0);
    }

    private static void assertRichRootfs(Path image) throws IOException {
        String root = debugfs(image, "stat /");
        assertTrue(root.contains("Mode:  0751"), root);
        String prog = debugfs(image, "stat /bin/prog");
        assertTrue(prog.contains("Type: regular    Mode:  04755"), prog);
        assertTrue(prog.contains("Links: 2"), prog);
        assertTrue(prog.contains("mtime: " + MTIME_HEX), prog);
        String bin = debugfs(image, "ls -l /bin");
        assertEquals(inodeOf(bin, "prog"), inodeOf(bin, "prog-again"), "a hard link shares the inode:\n" + bin);
        assertTrue(debugfs(image, "stat /bin/sh").contains("Fast link dest: \"prog\""));
        String devNull = debugfs(image, "stat /dev/null");
        assertTrue(devNull.contains("Type: character special    Mode:  0666"), devNull);
        assertTrue(devNull.contains("Device major/minor number: 01:03"), devNull);
        assertTrue(devNull.contains("mtime: " + MTIME_HEX), "a node's time is set in the image:\n" + devNull);
        assertTrue(debugfs(image, "stat /dev/fifo").contains("Type: FIFO    Mode:  0600"));
        String home = debugfs(image, "stat /home/user");
        assertTrue(home.contains("Mode:  0700") && home.contains("User:  1000   Group:  1000"), home);
        assertTrue(home.contains("mtime: " + MTIME_HEX), "directory times survive their children:\n" + home);
        String notes = debugfs(image, "stat /home/user/notes");
        assertTrue(notes.contains("Mode:  0640") && notes.contains("User:  1000   Group:   100"), notes);
        assertTrue(debugfs(image, "ea_list /bin/ping").contains("user.comment (5) = \"pings\""));
        assertTrue(debugfs(image, "ea_list /bin/ping6").contains(
                "security.capability (20) = 01 00 00 02 00 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00"));
        String features = run(List.of("dumpe2fs", "-h", image.toString()));
        assertTrue(features.contains("Block size:               4096"), features);
        assertFalse(features.contains("has_journal"), features);
    }

    private static void assertStoredReadOnlyByDigest(BuiltImage built, ImageStore store) throws IOException {
        String hex = Digest.sha256Hex(built.image());
        assertEquals("sha256:" + hex, built.digest());
        assertEquals(store.directory().resolve("sha256-" + hex + ".ext4"), built.image());
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(built.image())));
        assertEquals(0, Files.size(built.image()) % 4096);
    }

    /** An OCI layout of two layers: the rich root filesystem, then a whiteout and a change. */
    private static Path ociLayout(Path directory) throws IOException {
        TestOciLayout layout = new TestOciLayout(directory);
        byte[] layer1 = richRootfs(new TestTar(), "").file("etc/shadow", "secret").file("etc/motd", "from layer 1").bytes();
        byte[] layer2 = new TestTar().file("etc/.wh.shadow", "").file("etc/motd", "from layer 2").bytes();
        layout.index(TestOciLayout.onPlatform(layout.image(List.of(layer1, layer2)), TestOciLayout.AMD64));
        return directory;
    }

    private static Path tarOf(Path directory, Path archive) throws IOException {
        run(List.of("tar", "-C", directory.toString(), "-cf", archive.toString(), "."));
        return archive;
    }

    private static String inodeOf(String listing, String name) {
        Matcher matcher = Pattern.compile("(?m)^\\s*(\\d+)\\s+.*\\s" + Pattern.quote(name) + "\\s*$").matcher(listing);
        assertTrue(matcher.find(), name + " in\n" + listing);
        return matcher.group(1);
    }

    private static void e2fsck(Path image) throws IOException {
        run(List.of("e2fsck", "-fn", image.toString()));
    }

    private static String debugfs(Path image, String request) throws IOException {
        return run(List.of("debugfs", "-R", request, image.toString()));
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertEquals(0, process.waitFor(), String.join(" ", command) + ":\n" + output);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return output;
    }
}
