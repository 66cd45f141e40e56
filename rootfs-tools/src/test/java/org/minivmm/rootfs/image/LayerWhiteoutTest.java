package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers applied in order, with whiteouts as image-spec layer.md defines them. */
class LayerWhiteoutTest {
    @TempDir
    Path temp;
    private Path rootfs;
    private TarExtractor extractor;

    @BeforeEach
    void setUp() throws IOException {
        rootfs = Files.createDirectory(temp.resolve("rootfs"));
        extractor = new TarExtractor(new StagingTree(rootfs), new ExtractionBudget(ExtractionLimits.DEFAULT),
                ProgressListener.SILENT);
        layer(new TestTar().dir("a").dir("a/b").dir("a/b/c").file("a/b/c/bar", "bar")
                .dir("etc").file("etc/keep", "keep").file("etc/gone", "gone")
                .dir("dir").file("dir/x", "x").dir("dir/sub").file("dir/sub/y", "y"));
    }

    private void layer(TestTar tar) throws IOException {
        extractor.applyLayer(new ByteArrayInputStream(tar.bytes()), "layer");
    }

    /** Every path in the tree, directories ending in "/". */
    private List<String> tree() throws IOException {
        try (Stream<Path> paths = Files.walk(rootfs)) {
            return paths.filter(path -> !path.equals(rootfs))
                    .map(path -> rootfs.relativize(path) + (Files.isDirectory(path) ? "/" : ""))
                    .sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aWhiteoutDeletesAFileOrAWholeDirectory() throws IOException {
        layer(new TestTar().file("etc/.wh.gone", "").file(".wh.dir", ""));
        assertEquals(List.of("a/", "a/b/", "a/b/c/", "a/b/c/bar", "etc/", "etc/keep"), tree());
    }

    @Test
    void anOpaqueDirectoryHidesAllItHadBelow() throws IOException {
        layer(new TestTar().dir("a").file("a/.wh..wh..opq", "").dir("a/b").dir("a/b/c").file("a/b/c/foo", "foo"));
        assertEquals(List.of("a/", "a/b/", "a/b/c/", "a/b/c/foo", "dir/", "dir/sub/", "dir/sub/y",
                "dir/x", "etc/", "etc/gone", "etc/keep"), tree());
    }

    @Test
    void theOpaqueMarkerActsFirstWhereverItIs() throws IOException {
        // layer.md: this layer, with the marker last, is the same as with it first.
        layer(new TestTar().dir("a").dir("a/b").dir("a/b/c").file("a/b/c/foo", "foo").file("a/.wh..wh..opq", ""));
        assertEquals(List.of("a/", "a/b/", "a/b/c/", "a/b/c/foo"), tree().subList(0, 4));
        assertTrue(Files.notExists(rootfs.resolve("a/b/c/bar")));
    }

    @Test
    void aPathCanComeBackAfterItsWhiteout() throws IOException {
        layer(new TestTar().file("etc/.wh.gone", "").file(".wh.dir", ""));
        layer(new TestTar().file("etc/gone", "back").dir("dir").file("dir/new", "new"));
        assertEquals("back", Files.readString(rootfs.resolve("etc/gone")));
        assertEquals(List.of("dir/", "dir/new"), tree().stream().filter(p -> p.startsWith("dir")).collect(Collectors.toList()));
    }

    @Test
    void aWhiteoutDoesNotHideItsOwnLayer() throws IOException {
        layer(new TestTar().file("etc/new", "same layer").file("etc/.wh.new", "")
                .file("dir/kept", "same layer").file(".wh.dir", ""));
        assertEquals("same layer", Files.readString(rootfs.resolve("etc/new")));
        assertEquals(List.of("dir/", "dir/kept"), tree().stream().filter(p -> p.startsWith("dir")).collect(Collectors.toList()),
                "the lower dir/x and dir/sub are gone, this layer's dir/kept stays");
    }

    @Test
    void whiteoutsAreNeverCreatedAndOnlyLayersHaveThem() throws IOException {
        layer(new TestTar().file("etc/.wh.nothing-there", "").file("etc/.wh..wh..opq", ""));
        assertEquals(List.of("etc/"), tree().stream().filter(p -> p.startsWith("etc")).collect(Collectors.toList()));
        extractor.extract(new ByteArrayInputStream(new TestTar().file("plain/.wh.file", "kept").bytes()), "plain tar");
        assertEquals("kept", Files.readString(rootfs.resolve("plain/.wh.file")), "outside a layer, just a name");
    }

    @Test
    void aWhiteoutNeverReachesThroughASymlink() throws IOException {
        Path outside = Files.createDirectory(temp.resolve("outside"));
        Files.writeString(outside.resolve("sentinel"), "untouched");
        layer(new TestTar().symlink("link", outside.toString()));
        layer(new TestTar().file("link/.wh.sentinel", "").file("link/.wh..wh..opq", ""));
        assertEquals("untouched", Files.readString(outside.resolve("sentinel")));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("link")));
    }
}
