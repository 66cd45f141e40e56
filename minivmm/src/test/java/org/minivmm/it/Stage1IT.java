package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rkt stage1 image as rkt's stage0 meets it, through scripts/lib/rkt-stage0 (which flocks the pod
 * directory and exec()s the entrypoints as rkt does): everything up to booting the VM. Booting Linux
 * pods, enter and stop on a running pod are in the end-to-end suite (scripts/lib/e2e-suite).
 */
class Stage1IT {
    @TempDir
    static Path work;
    private static Path stage1;
    private static Path appAci;

    @BeforeAll
    static void stage1Image() throws Exception {
        stage1 = work.resolve("stage1-minivmm.aci");
        TestHost.Finished build = TestHost.run(TestHost.minivmm("stage1", "build-aci", "-o", stage1.toString(),
                "--kernel", TestHost.probe().toString()), "");
        assertEquals(0, build.exitCode(), build.stderr());
        Path app = Files.createDirectories(work.resolve("app"));
        Files.createDirectories(app.resolve("rootfs/bin"));
        Files.writeString(app.resolve("manifest"), "{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\","
                + " \"name\": \"example.com/hello\", \"app\": {\"exec\": [\"/bin/hello\"], \"user\": \"0\", \"group\": \"0\"}}");
        appAci = work.resolve("hello.aci");
        assertEquals(0, TestHost.run(List.of("tar", "-C", app.toString(), "-cf", appAci.toString(), "manifest", "rootfs"), "")
                .exitCode());
    }

    private static List<String> harness(String... arguments) {
        List<String> command = new ArrayList<>(List.of(TestHost.launcher().resolveSibling("lib/rkt-stage0").toString()));
        command.addAll(List.of(arguments));
        return command;
    }

    private static Path pod(String... apps) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("prepare", "--stage1", stage1.toString(), "--pods", work.toString()));
        arguments.addAll(List.of(apps));
        TestHost.Finished prepared = TestHost.run(harness(arguments.toArray(String[]::new)), "");
        assertEquals(0, prepared.exitCode(), prepared.stderr());
        return Path.of(prepared.stdout().strip());
    }

    private static List<String> files(Path pod) throws IOException {
        try (Stream<Path> paths = Files.walk(pod)) {
            return paths.map(Path::toString).sorted().toList();
        }
    }

    /** Runs the pod as stage0 would and expects 125, one line naming the problem, and the pod left as it was. */
    private static void assertRunRefused(Path pod, String expected, String... options) throws Exception {
        List<String> before = files(pod);
        List<String> arguments = new ArrayList<>(List.of("run", pod.toString()));
        arguments.addAll(List.of(options.length == 0 ? new String[] {"--net=none"} : options));
        TestHost.Finished run = TestHost.run(harness(arguments.toArray(String[]::new)), "");
        assertEquals(125, run.exitCode(), run.stderr());
        assertTrue(run.stderr().contains("minivmm: error: ") && run.stderr().contains(expected), run.stderr());
        assertTrue(!run.stderr().contains("Exception") && !run.stderr().contains("\tat "), run.stderr());
        assertEquals(before, files(pod));
    }

    @Test
    void theImageDeclaresTheEntrypointsAndTheStatusDirectory() throws Exception {
        Path pod = pod("hello=" + appAci);
        String manifest = Files.readString(pod.resolve("stage1/manifest"));
        for (String entrypoint : new String[] {"run", "enter", "gc", "stop"}) {
            assertTrue(manifest.contains("{\"name\":\"coreos.com/rkt/stage1/" + entrypoint + "\",\"value\":\"/minivmm/"
                    + entrypoint + "\"}"), manifest);
            assertTrue(Files.isExecutable(pod.resolve("stage1/rootfs/minivmm/" + entrypoint)), entrypoint);
        }
        assertTrue(manifest.contains("{\"name\":\"coreos.com/rkt/stage1/interface-version\",\"value\":\"5\"}"), manifest);
        for (String carried : new String[] {"minivmm", "minivmm.jar", "vmlinux", "runtime.ext4"}) {
            assertTrue(Files.size(pod.resolve("stage1/rootfs/minivmm/" + carried)) > 0, carried);
        }
        assertEquals(Files.size(TestHost.probe()), Files.size(pod.resolve("stage1/rootfs/minivmm/vmlinux")));
    }

    @Test
    void aMissingPodManifestIsNamed() throws Exception {
        Path pod = pod("hello=" + appAci);
        Files.delete(pod.resolve("pod"));
        assertRunRefused(pod, pod.resolve("pod") + ": no pod manifest");
    }

    @Test
    void anAppOfThePodThatStage0DidNotUnpackIsNamed() throws Exception {
        Path pod = pod("hello=" + appAci);
        Files.writeString(pod.resolve("pod"), "{\"acVersion\": \"1.30.0\", \"acKind\": \"PodManifest\","
                + " \"apps\": [{\"name\": \"ghost\", \"image\": {\"name\": \"example.com/ghost\"}}]}");
        assertRunRefused(pod, "app ghost has no unpacked root file system");
    }

    @Test
    void aCorruptAppManifestIsNamed() throws Exception {
        Path pod = pod("hello=" + appAci);
        Path manifest = pod.resolve("stage1/rootfs/opt/stage2/hello/manifest");
        Files.writeString(manifest, "{\"acKind\": \"ImageManifest\", \"app\": ");
        assertRunRefused(pod, manifest + ": app image manifest is not valid JSON");
    }

    @Test
    void unknownOptionsAreRefusedAndIgnoredOnesSaidSo() throws Exception {
        Path pod = pod("hello=" + appAci);
        assertRunRefused(pod, "Unknown option: '--frobnicate'", "--net=none", "--frobnicate");
        assertRunRefused(pod, "--net=default: minivmm's pods have no network yet", "--net=default", "--mutable",
                "--ipc=auto", "--private-users=65536:65536", "--dns-conf-mode=resolv=host,hosts=host");
        TestHost.Finished run = TestHost.run(harness("run", pod.toString(), "--net", "--mutable", "--ipc=auto",
                "--private-users=65536:65536", "--dns-conf-mode=resolv=host,hosts=host"), "");
        for (String option : new String[] {"--mutable", "--ipc", "--private-users", "--dns-conf-mode"}) {
            assertTrue(run.stderr().contains("minivmm: warning: ignoring " + option + ": "), run.stderr());
        }
    }

    @Test
    void theLockMustBeAnFlockOnThePodDirectory() throws Exception {
        Path pod = pod("hello=" + appAci);
        Path run = pod.resolve("stage1/rootfs/minivmm/run");
        String uuid = pod.getFileName().toString();
        String[][] cases = {
            {"exec 7<pod && flock -x 7", "RKT_LOCK_FD=7 is open on " + pod.resolve("pod") + ", not on the pod directory"},
            {"exec 7<.", "RKT_LOCK_FD=7 holds no exclusive flock on the pod directory"},
            {"exec 7<. && flock -s 7", "RKT_LOCK_FD=7 holds no exclusive flock on the pod directory"},
            {"true", "RKT_LOCK_FD=7 is not an open file descriptor"},
        };
        for (String[] lock : cases) {
            TestHost.Finished refused = TestHost.run(List.of("bash", "-c", "cd '" + pod + "' && " + lock[0]
                    + " && RKT_LOCK_FD=7 exec '" + run + "' --net=none " + uuid), "");
            assertEquals(125, refused.exitCode(), refused.stderr());
            assertTrue(refused.stderr().contains(lock[1]), lock[0] + ": " + refused.stderr());
        }
        TestHost.Finished unset = TestHost.run(List.of("bash", "-c", "cd '" + pod + "' && exec '" + run + "' --net=none " + uuid), "");
        assertTrue(unset.stderr().contains("RKT_LOCK_FD is not set"), unset.stderr());
    }

    @Test
    void podsThisStage1CannotRunAreRefusedClearly() throws Exception {
        Path pod = pod("one=" + appAci, "two=" + appAci);
        assertRunRefused(pod, "the pod has 2 apps (one, two); minivmm's stage1 runs pods of one app");
        Path hostVolume = pod("hello=" + appAci);
        Files.writeString(hostVolume.resolve("pod"), "{\"acVersion\": \"1.30.0\", \"acKind\": \"PodManifest\","
                + " \"apps\": [{\"name\": \"hello\", \"image\": {\"name\": \"example.com/hello\"},"
                + " \"mounts\": [{\"volume\": \"data\", \"path\": \"/data\"}]}],"
                + " \"volumes\": [{\"name\": \"data\", \"kind\": \"host\", \"source\": \"/srv/data\"}]}");
        assertRunRefused(hostVolume, "volume data is a host directory (/srv/data)");
        Path wrongUuid = pod("hello=" + appAci);
        TestHost.Finished run = TestHost.run(List.of("bash", "-c", "cd '" + wrongUuid + "' && exec 7<. && flock -x 7"
                + " && RKT_LOCK_FD=7 exec stage1/rootfs/minivmm/run --net=none 00000000-0000-0000-0000-000000000000"), "");
        assertTrue(run.stderr().contains("pod 00000000-0000-0000-0000-000000000000 is not the pod in " + wrongUuid), run.stderr());
    }

    @Test
    void enterNamesAnAppThePodDoesNotHaveAndAPodThatIsNotRunning() throws Exception {
        Path pod = pod("hello=" + appAci);
        Files.writeString(pod.resolve("pid"), "999999\n");
        TestHost.Finished ghost = TestHost.run(harness("enter", pod.toString(), "ghost", "true"), "");
        assertEquals(125, ghost.exitCode(), ghost.stderr());
        assertTrue(ghost.stderr().contains("has no app ghost (its apps: hello)"), ghost.stderr());
        TestHost.Finished stopped = TestHost.run(harness("enter", pod.toString(), "hello", "true"), "");
        assertEquals(125, stopped.exitCode(), stopped.stderr());
        assertTrue(stopped.stderr().contains("pod " + pod.getFileName() + " is not running"), stopped.stderr());
    }

    @Test
    void stopAndGcOfAPodThatIsNotRunningSucceedAgainAndAgain() throws Exception {
        Path pod = pod("hello=" + appAci);
        Files.createDirectories(pod.resolve("minivmm"));
        Files.writeString(pod.resolve("minivmm/leftover"), "x");
        for (int round = 0; round < 2; round++) {
            TestHost.Finished stop = TestHost.run(harness("stop", pod.toString()), "");
            assertEquals(0, stop.exitCode(), stop.stderr());
            assertTrue(stop.stderr().contains("is not running"), stop.stderr());
            TestHost.Finished gc = TestHost.run(harness("gc", pod.toString()), "");
            assertEquals(0, gc.exitCode(), gc.stderr());
            assertEquals(round == 0, gc.stderr().contains("removed " + pod.resolve("minivmm")), gc.stderr());
            assertTrue(Files.notExists(pod.resolve("minivmm")));
        }
        // A stale pid file naming some other process is not this pod's VMM: stop must not signal it.
        Files.writeString(pod.resolve("pid"), ProcessHandle.current().pid() + "\n");
        TestHost.Finished stop = TestHost.run(harness("stop", pod.toString(), "--force"), "");
        assertEquals(0, stop.exitCode(), stop.stderr());
        assertTrue(stop.stderr().contains("is not running"), stop.stderr());
    }
}
