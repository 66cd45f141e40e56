package org.minivmm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.minivmm.boot.ElfKernel;
import org.minivmm.boot.MemoryLayout;

/**
 * Builds the guest kernel with build-kernel (or takes it from the cache) and checks the result: the
 * .config holds every line of the fragment and none of the options minivmm must not have, and the
 * vmlinux can be mapped in place by minivmm. A Debian source update that silently drops an option
 * fails here.
 */
class KernelConfigTest {
    static final Path MODULE = Path.of(System.getProperty("user.dir"));
    static final Path FRAGMENT = MODULE.resolve("minivmm.config");
    static final Path BUILD_SCRIPT = MODULE.resolve("build-kernel");
    /** A first build (apt install, unpack, compile) took 7 to 11 minutes on 2 cores. */
    static final long BUILD_TIMEOUT_MINUTES = 30;
    static final List<String> MUST_BE_OFF = List.of("MODULES", "PCI", "ACPI", "RELOCATABLE", "RANDOMIZE_BASE");

    static final Pattern SET = Pattern.compile("^CONFIG_(\\w+)=(.*)$");
    static final Pattern NOT_SET = Pattern.compile("^# CONFIG_(\\w+) is not set$");

    static Path vmlinux;
    static Map<String, String> config;

    @BeforeAll
    static void buildOrTakeFromCache() throws Exception {
        assertTrue(Files.isExecutable(BUILD_SCRIPT), BUILD_SCRIPT + " is missing or not executable");
        Process build = new ProcessBuilder(BUILD_SCRIPT.toString()).start();
        build.getOutputStream().close();
        // Relay the progress lines as they come: a first build takes minutes.
        Thread progress = new Thread(() -> relay(build), "build-kernel stderr");
        progress.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(build.getInputStream()));
        if (!build.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            build.descendants().forEach(ProcessHandle::destroyForcibly);
            build.destroyForcibly();
            fail("build-kernel did not finish within " + BUILD_TIMEOUT_MINUTES + " minutes");
        }
        progress.join();
        assertEquals(0, build.exitValue(), "build-kernel failed (its messages are above)");
        String path = stdout.get().strip();
        vmlinux = Path.of(path);
        assertTrue(vmlinux.isAbsolute() && Files.isRegularFile(vmlinux), "build-kernel printed no vmlinux path: '" + path + "'");
        config = parseConfig(Files.readAllLines(vmlinux.resolveSibling(".config")));
    }

    static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void relay(Process build) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(build.getErrorStream(), StandardCharsets.UTF_8))) {
            lines.lines().forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("build-kernel: its stderr could not be read: " + e);
        }
    }

    /** Option name to value, for the options that are set; an option that is not set is absent. */
    static Map<String, String> parseConfig(List<String> lines) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher set = SET.matcher(line);
            if (set.matches()) {
                values.put(set.group(1), set.group(2));
            }
        }
        return values;
    }

    static List<String> fragmentLines() throws IOException {
        return Files.readAllLines(FRAGMENT);
    }

    @Test
    void everyOptionTheFragmentSetsHoldsInTheBuiltConfig() throws IOException {
        Map<String, String> wanted = parseConfig(fragmentLines());
        assertTrue(wanted.size() > 40, "the fragment sets too few options to be the real one: " + wanted.size());
        List<String> wrong = new ArrayList<>();
        wanted.forEach((name, value) -> {
            if (!value.equals(config.get(name))) {
                wrong.add("CONFIG_" + name + "=" + value + " but the .config has " + config.getOrDefault(name, "it not set"));
            }
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyOptionTheFragmentTurnsOffIsOff() throws IOException {
        List<String> on = new ArrayList<>();
        for (String line : fragmentLines()) {
            Matcher notSet = NOT_SET.matcher(line);
            if (notSet.matches() && config.containsKey(notSet.group(1))) {
                on.add("CONFIG_" + notSet.group(1) + "=" + config.get(notSet.group(1)));
            }
        }
        assertEquals(List.of(), on);
    }

    @Test
    void whatMinivmmMustNotHaveIsOff() {
        for (String name : MUST_BE_OFF) {
            assertFalse(config.containsKey(name), "CONFIG_" + name + "=" + config.get(name));
        }
    }

    @Test
    void everyOptionInTheFragmentHasAReasonAbove() throws IOException {
        List<String> lines = fragmentLines();
        for (int i = 0; i < lines.size(); i++) {
            if (isOption(lines.get(i))) {
                String above = i > 0 ? lines.get(i - 1) : "";
                assertTrue(above.startsWith("# ") && !isOption(above), "no reason above line " + (i + 1) + ": " + lines.get(i));
            }
        }
    }

    static boolean isOption(String line) {
        return SET.matcher(line).matches() || NOT_SET.matcher(line).matches();
    }

    /**
     * minivmm maps each PT_LOAD segment straight from the file (mmap MAP_PRIVATE) at its physical
     * address, which needs the file offset and the physical address to agree modulo the page size.
     * ElfKernel is the VMM's own reader: it refuses anything but an ELF64 x86-64 executable with
     * segments inside the file and memsz >= filesz, and checkFits applies the in-place mapping rules.
     */
    @Test
    void vmlinuxIsAnElf64X86ExecutableWhoseSegmentsCanBeMappedInPlace() throws Exception {
        ElfKernel kernel = ElfKernel.open(vmlinux);
        kernel.checkFits(MemoryLayout.forRam(128L << 20));
        assertFalse(kernel.segments().isEmpty(), "no PT_LOAD segment");
        for (ElfKernel.LoadSegment segment : kernel.segments()) {
            String name = String.format("PT_LOAD (offset 0x%x, paddr 0x%x)", segment.fileOffset(), segment.physAddr());
            assertEquals(segment.physAddr() % 4096, segment.fileOffset() % 4096, name + ": offset and physical address differ modulo 4096");
            assertTrue(segment.fileOffset() + segment.fileSize() <= Files.size(vmlinux), name + " ends past the end of the file");
            assertTrue(segment.memSize() >= segment.fileSize(), name + ": memsz < filesz");
        }
    }
}
