package org.minivmm.rootfs.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The committed vectors, which the init's C tests decode, must be what the writer makes now. */
class LaunchConfigVectorsTest {
    private static byte[] committed(String fileName) throws IOException {
        try (InputStream in = LaunchConfigVectorsTest.class.getResourceAsStream("/launch/" + fileName)) {
            assertNotNull(in, fileName + " is not committed; " + LaunchConfigVectors.REMAKE_HINT);
            return in.readAllBytes();
        }
    }

    @TestFactory
    Stream<DynamicTest> committedFilesMatchTheWriter() {
        return LaunchConfigVectors.all().entrySet().stream().map(vector -> DynamicTest.dynamicTest(vector.getKey(),
                () -> checkVector(vector.getKey(), vector.getValue())));
    }

    private static void checkVector(String name, LaunchConfig config) throws IOException {
        assertArrayEquals(LaunchConfigWriter.encode(config), committed(name + ".bin"),
                name + ".bin differs from what the writer makes now; " + LaunchConfigVectors.REMAKE_HINT);
        assertEquals(LaunchConfigVectors.expectedText(config),
                new String(committed(name + ".expected"), StandardCharsets.UTF_8),
                name + ".expected differs; " + LaunchConfigVectors.REMAKE_HINT);
    }

    @Test
    void noStaleVectorsAreCommitted() throws IOException, URISyntaxException {
        Path folder = Path.of(LaunchConfigVectorsTest.class.getResource("/launch").toURI());
        List<String> names;
        try (Stream<Path> files = Files.list(folder)) {
            names = files.map(file -> file.getFileName().toString()).sorted().toList();
        }
        List<String> expected = LaunchConfigVectors.all().keySet().stream()
                .flatMap(name -> Stream.of(name + ".bin", name + ".expected")).sorted().toList();

        assertEquals(expected, names, "the files in src/test/resources/launch; " + LaunchConfigVectors.REMAKE_HINT);
    }

    @Test
    void largeEnvironmentOverflowsTheKernelCommandLine() {
        byte[] file = LaunchConfigWriter.encode(LaunchConfigVectors.all().get("large-environment"));

        assertTrue(file.length > 4 * 4096, file.length + " bytes");
    }
}
