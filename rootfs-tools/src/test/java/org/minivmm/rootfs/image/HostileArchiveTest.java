package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile archives are refused with a clear message, or neutralized, and never write outside the
 * staging directory: after every test, everything in the temporary directory but the staging
 * directory is exactly as it was, including a directory "outside" that the archives aim at.
 */
class HostileArchiveTest {
    private static final ExtractionLimits LIMITS = ExtractionLimits.DEFAULT;

    @TempDir
    Path temp;
    private Path staging;
    private Path outside;
    private TreeMap<String, String> before;
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        staging = Files.createDirectory(temp.resolve("staging"));
        outside = Files.createDirectory(temp.resolve("outside"));
        Files.writeString(outside.resolve("sentinel"), "untouched");
        before = snapshotOutsideStaging();
    }

    @AfterEach
    void nothingChangedOutsideStaging() throws IOException {
        assertEquals(before, snapshotOutsideStaging());
    }

    @Test
    void refusesDotDotComponents() {
        assertRefused(new TestTar().file("../evil", "x").bytes(), "refusing ../evil: a \"..\" component could reach outside");
        assertRefused(new TestTar().dir("a").file("a/../../evil", "x").bytes(), "a \"..\" component");
        assertRefused(new TestTar().file("ok", "x").hardLink("h", "../outside/sentinel").bytes(), "a \"..\" component");
    }

    @Test
    void makesAbsoluteNamesRelativeAndSaysSo() throws IOException {
        extract(new TestTar().file("/etc/evil", "inside").bytes());
        assertEquals("inside", Files.readString(staging.resolve("etc/evil")));
        assertEquals(List.of("test.tar: removed the leading / from absolute member names, as tar does"), warnings);
    }

    @Test
    void neverWritesThroughASymlinkedParent() {
        assertRefused(new TestTar().symlink("a", outside.toString()).file("a/b", "x").bytes(),
                "refusing a/b: its parent a is a symbolic link, and extraction never writes through one");
        assertRefused(new TestTar().symlink("a", "../outside").dir("a/sub").bytes(), "its parent a is a symbolic link");
        assertRefused(new TestTar().dir("d").symlink("d/up", "../..").file("d/up/outside/sentinel", "x").bytes(),
                "its parent d/up is a symbolic link");
        assertRefused(new TestTar().file("f", "x").file("f/g", "y").bytes(), "its parent f is not a directory");
    }

    @Test
    void symlinksMayPointAnywhereSinceTheGuestResolvesThem() throws IOException {
        extract(new TestTar().symlink("etc-link", "/etc").symlink("up", "../../..").bytes());
        assertEquals(Path.of("/etc"), Files.readSymbolicLink(staging.resolve("etc-link")));
        assertEquals(Path.of("../../.."), Files.readSymbolicLink(staging.resolve("up")));
    }

    @Test
    void hardLinksMustNameAFileAlreadyExtracted() {
        assertRefused(new TestTar().hardLink("h", outside.resolve("sentinel").toString()).bytes(),
                "a hard link must name a file already in the image");
        assertRefused(new TestTar().symlink("a", outside.toString()).hardLink("h", "a/sentinel").bytes(),
                "a/sentinel is not there");
        assertRefused(new TestTar().dir("d").hardLink("h", "d").bytes(), "d is a directory");
        assertRefused(new TestTar().file("f", "x").hardLink("f", "f").bytes(), "a hard link to itself");
        assertRefused(new TestTar().dir("d").file("d/f", "x").hardLink("d", "d/f").bytes(), "was inside what it replaced");
    }

    @Test
    void hardLinksShareTheInode() throws IOException {
        extract(new TestTar().file("f", "data").hardLink("g", "f").symlink("s", "nowhere").hardLink("t", "s").bytes());
        assertTrue(Files.isSameFile(staging.resolve("f"), staging.resolve("g")));
        assertEquals(Path.of("nowhere"), Files.readSymbolicLink(staging.resolve("t")), "a link to a symlink is the symlink");
    }

    @Test
    void aLaterDuplicateReplacesAnEarlierOneWithoutFollowingIt() throws IOException {
        extract(new TestTar().symlink("x", outside.resolve("sentinel").toString()).file("x", "replaced")
                .symlink("d", outside.toString()).dir("d").file("d/sentinel", "inside")
                .file("e", "file").dir("e").file("e/f", "in a directory now")
                .dir("keep", 0700, 0, 0).file("keep/a", "a").dir("keep", 0755, 0, 0).bytes());
        assertEquals("replaced", Files.readString(staging.resolve("x")));
        assertFalse(Files.isSymbolicLink(staging.resolve("x")));
        assertEquals("inside", Files.readString(staging.resolve("d/sentinel")));
        assertEquals("in a directory now", Files.readString(staging.resolve("e/f")));
        assertEquals("a", Files.readString(staging.resolve("keep/a")), "a directory over a directory merges");
        assertEquals(0755, (Integer) Files.getAttribute(staging.resolve("keep"), "unix:mode") & 07777);
    }

    @Test
    void limitsEntriesBytesFileSizeAndPathLength() {
        TestTar many = new TestTar();
        for (int i = 0; i < 11; i++) {
            many.file("f" + i, "");
        }
        assertRefused(many.bytes(), new ExtractionLimits(1 << 20, 10, 1 << 20, 4096),
                "test.tar: more than 10 entries (the entry limit)");
        byte[] twoFiles = new TestTar().file("a", "x".repeat(600)).file("b", "x".repeat(600)).bytes();
        assertRefused(twoFiles, new ExtractionLimits(1000, 100, 1000, 4096), "(the total size limit)");
        assertRefused(twoFiles, new ExtractionLimits(1 << 20, 100, 599, 4096),
                "a is 600 bytes, more than the file size limit of 599");
        assertRefused(new TestTar().file("d/".repeat(20) + "f", "").bytes(), new ExtractionLimits(1 << 20, 100, 1 << 20, 40),
                "refusing a path longer than 40 bytes (the path limit)");
        assertRefused(new TestTar().file("n".repeat(256), "").bytes(), "a component is longer than 255 bytes");
    }

    @Test
    void aCompressionBombStopsAtTheTotalLimit() {
        byte[] zeros = new byte[64 << 20];
        byte[] bomb = TestTar.gzip(new TestTar().file("zeros", zeros, 0644, 0, 0).bytes());
        assertTrue(bomb.length < 1 << 20, "64 MiB of zeros compress to " + bomb.length + " bytes");
        assertRefused(bomb, new ExtractionLimits(8 << 20, 100, 1L << 40, 4096), "(the total size limit)");
        assertRefused(bomb, new ExtractionLimits(1L << 40, 100, 8 << 20, 4096), "more than the file size limit");
    }

    @Test
    void refusesTruncatedAndCorruptArchives() {
        byte[] tar = new TestTar().file("a", "a".repeat(5000)).file("b", "b").bytes();
        assertRefused(Arrays.copyOf(tar, 2048), "test.tar: the archive is truncated or corrupt");
        assertRefused(Arrays.copyOf(tar, 512 + 5120), "ends without tar's end-of-archive marker");
        byte[] gzip = TestTar.gzip(tar);
        assertRefused(Arrays.copyOf(gzip, gzip.length - 10), "the archive is truncated or corrupt");
        byte[] flipped = tar.clone();
        flipped[100] ^= 1; // the mode field: the header checksum no longer matches
        assertRefused(flipped, "test.tar: a tar header's checksum does not match: the archive is corrupt");
        assertRefused("this is not an archive at all".repeat(40).getBytes(StandardCharsets.UTF_8),
                "test.tar: not a tar archive");
        assertRefused(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0}, "test.tar is zstd-compressed");
    }

    @Test
    void refusesNamesThatAreNotUtf8OrHoldNul() {
        assertRefused(new TestTar(StandardCharsets.ISO_8859_1).file("caf\u00e9", "x").bytes(),
                "the name caf\u00e9 is not valid UTF-8");
        assertRefused(new TestTar().paxRecords("path=a\u0000b").file("placeholder", "x").bytes(),
                "refusing a name with a NUL byte: a?b");
        assertRefused(new TestTar().paxRecords("path=caf\u00e9").file("placeholder", "x").bytes(),
                "a PAX name is not valid UTF-8");
        assertRefused(new TestTar().paxRecords("linkpath=a\u0000b").symlink("l", "placeholder").bytes(),
                "its link target has a NUL byte");
    }

    @Test
    void readsUtf8NamesFromPaxHeadersUstarHeadersAndGnuLongNames() throws IOException {
        String longName = "\u00e9".repeat(60) + "/" + "\u2603".repeat(40);
        extract(new TestTar().file("caf\u00e9-\u2603", "pax").bytes());
        extract(new TestTar(StandardCharsets.UTF_8).file("na\u00efve", "ustar").file(longName, "gnu")
                .symlink("link", longName).bytes());
        assertEquals("pax", Files.readString(staging.resolve("caf\u00e9-\u2603")));
        assertEquals("ustar", Files.readString(staging.resolve("na\u00efve")));
        assertEquals("gnu", Files.readString(staging.resolve(longName)));
        assertEquals(Path.of(longName), Files.readSymbolicLink(staging.resolve("link")));
        assertRefused(new TestTar(StandardCharsets.ISO_8859_1).file("\u00e9".repeat(120), "x").bytes(),
                "a GNU long name is not valid UTF-8");
    }

    @Test
    void readsEveryCompression() throws IOException {
        byte[] tar = new TestTar().file("f", "content").bytes();
        for (byte[] archive : List.of(tar, TestTar.gzip(tar), TestTar.bzip2(tar), TestTar.xz(tar))) {
            StagingTree.deleteTree(staging);
            Files.createDirectory(staging);
            extract(archive);
            assertEquals("content", Files.readString(staging.resolve("f")));
        }
    }

    @Test
    void keepsOwnersModesAndTimes() throws IOException {
        extract(new TestTar().dir("d", 01777, 7, 8).file("d/suid", new byte[0], 06755, 4294967294L, 65534)
                .symlink("d/link", "suid").bytes());
        assertEquals(041777, Files.getAttribute(staging.resolve("d"), "unix:mode"));
        assertEquals(7, Files.getAttribute(staging.resolve("d"), "unix:uid"));
        assertEquals(0106755, Files.getAttribute(staging.resolve("d/suid"), "unix:mode"), "set after chown cleared it");
        assertEquals(-2, Files.getAttribute(staging.resolve("d/suid"), "unix:uid"), "4294967294 as a signed int");
        assertEquals(65534, Files.getAttribute(staging.resolve("d/suid"), "unix:gid"));
        for (String path : List.of("d", "d/suid", "d/link")) {
            assertEquals(TestTar.MTIME, Files.getLastModifiedTime(staging.resolve(path), LinkOption.NOFOLLOW_LINKS), path);
        }
    }

    @Test
    void refusesOversizedMetadataAndUnknownEntryTypes() {
        byte[] hugePax = new TestTar().paxRecords("comment=" + "x".repeat(2 << 20)).file("f", "x").bytes();
        assertRefused(hugePax, "refusing a PAX header or GNU long name larger than 1048576 bytes");
        TarArchiveEntry volumeLabel = TestTar.entry("label", (byte) 'M');
        assertRefused(new TestTar().add(volumeLabel, new byte[0]).bytes(), "unsupported tar entry type 'M'");
        assertRefused(new TestTar().symlink("l", "x".repeat(4096)).bytes(), "its link target is longer than 4095 bytes");
        assertRefused(new TestTar().paxRecords("uid=-5").file("f", "x").bytes(), "owner or group id -5 is out of range");
    }

    @Test
    void theRootEntryMustBeADirectory() {
        assertRefused(new TestTar().symlink(".", "elsewhere").bytes(), "refusing a SYMLINK as the image's root directory");
    }

    private void extract(byte[] tar) throws IOException {
        extract(tar, LIMITS);
    }

    private void extract(byte[] tar, ExtractionLimits limits) throws IOException {
        StagingTree tree = new StagingTree(staging);
        ProgressListener recorder = new ProgressListener() {
            @Override
            public void step(String message) {
            }

            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        };
        new TarExtractor(tree, new ExtractionBudget(limits), recorder)
                .extract(Compression.decompress(new ByteArrayInputStream(tar), "test.tar"), "test.tar");
        tree.finish();
    }

    private void assertRefused(byte[] tar, String expected) {
        assertRefused(tar, LIMITS, expected);
    }

    private void assertRefused(byte[] tar, ExtractionLimits limits, String expected) {
        try {
            StagingTree.deleteTree(staging);
            Files.createDirectory(staging);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        ImageBuildException e = assertThrows(ImageBuildException.class, () -> extract(tar, limits));
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
    }

    /** Every path under the temporary directory but staging, with its type, mode and content. */
    private TreeMap<String, String> snapshotOutsideStaging() throws IOException {
        TreeMap<String, String> snapshot = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(temp)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (path.startsWith(staging)) {
                    continue;
                }
                String description = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS).toString();
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    description += " " + Files.readString(path);
                }
                snapshot.put(temp.relativize(path).toString(), description);
            }
        }
        return snapshot;
    }
}
