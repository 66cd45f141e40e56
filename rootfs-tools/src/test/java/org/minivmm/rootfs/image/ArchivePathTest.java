package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArchivePathTest {
    private static ArchivePath parse(String name) throws ImageBuildException {
        return ArchivePath.parse(name, 4096);
    }

    @Test
    void dropsDotsEmptyComponentsAndLeadingSlashes() throws Exception {
        assertEquals(List.of("a", "b"), parse("./a//b/.").components());
        assertEquals(List.of("etc", "passwd"), parse("/etc/passwd").components());
        assertEquals(List.of("etc", "passwd"), parse("//etc/passwd").components());
        assertTrue(parse("./").isRoot());
        assertTrue(parse("/").isRoot());
        assertEquals("/a/b", parse("a/b/").inImage());
        assertEquals("/", ArchivePath.ROOT.inImage());
        assertEquals("a..b/..c", parse("a..b/..c").toString(), "only a whole \"..\" component climbs");
    }

    @Test
    void refusesClimbingNulAndOverlongNames() throws Exception {
        for (String bad : List.of("..", "../x", "a/../../x", "a/..", "/../etc")) {
            assertThrows(ImageBuildException.class, () -> parse(bad), bad);
        }
        assertThrows(ImageBuildException.class, () -> parse("a\0b"));
        assertThrows(ImageBuildException.class, () -> parse("x".repeat(256)));
        parse("\u00e9".repeat(127));
        assertThrows(ImageBuildException.class, () -> parse("\u00e9".repeat(128)), "256 bytes in UTF-8");
        assertThrows(ImageBuildException.class, () -> ArchivePath.parse("a/b/c", 4));
    }
}
