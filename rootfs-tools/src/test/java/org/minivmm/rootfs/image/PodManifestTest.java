package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PodManifestTest {
    /** Shaped as rkt 1.30's stage0 writes it: the image's app section copied in, with the command line's overrides. */
    private static final String RKT_POD = """
            {"acVersion": "1.30.0", "acKind": "PodManifest",
             "apps": [{"name": "busybox",
                       "image": {"name": "example.com/busybox", "id": "sha512-0123", "labels": [{"name": "os", "value": "linux"}]},
                       "app": {"exec": ["/bin/sh", "-c", "echo hi"], "user": "app", "group": "app", "supplementaryGIDs": [20],
                               "workingDirectory": "/home/app", "environment": [{"name": "GREETING", "value": "hi"}],
                               "isolators": [{"name": "resource/memory", "value": {"limit": "256Mi"}},
                                             {"name": "resource/cpu", "value": {"request": "250m", "limit": "1500m"}},
                                             {"name": "os/linux/no-new-privileges", "value": true}],
                               "mountPoints": [{"name": "data", "path": "/data"}]},
                       "readOnlyRootFS": true,
                       "mounts": [{"volume": "data", "path": "/data"}],
                       "annotations": [{"name": "coreos.com/rkt/stage1/app/hash", "value": "x"}]}],
             "volumes": [{"name": "data", "kind": "empty", "mode": "0755", "uid": 0, "gid": 0}],
             "isolators": [{"name": "resource/memory", "value": {"limit": "1G"}}],
             "annotations": [], "ports": []}
            """;

    private static PodManifest parse(String json) throws ImageBuildException {
        return PodManifest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String json) {
        return assertThrows(ImageBuildException.class, () -> parse(json)).getMessage();
    }

    private static String pod(String apps) {
        return "{\"acVersion\": \"1.30.0\", \"acKind\": \"PodManifest\", \"apps\": [" + apps + "]}";
    }

    @Test
    void readsWhatStage0Writes() throws Exception {
        PodManifest pod = parse(RKT_POD);
        assertEquals(1, pod.apps().size());
        PodManifest.App app = pod.app("busybox").orElseThrow();
        assertEquals("example.com/busybox", app.imageName());
        AciApp section = app.app().orElseThrow();
        assertEquals(new AppConfig(List.of("/bin/sh", "-c", "echo hi"), List.of("GREETING=hi"), "/home/app", "app", "app",
                List.of(20L)), section.config());
        assertEquals(new ResourceLimits(OptionalLong.of(256L << 20), OptionalLong.of(1500)), section.limits());
        assertEquals(List.of("os/linux/no-new-privileges"), section.otherIsolators());
        assertEquals(List.of("data (/data)"), section.mountPoints());
        assertEquals(List.of(new PodManifest.Mount("data", "/data")), app.mounts());
        assertTrue(app.readOnlyRootFs());
        assertEquals(Optional.of(new PodManifest.Volume("data", "empty", Optional.empty(), false)), pod.volume("data"));
        assertEquals(OptionalLong.of(1_000_000_000L), pod.limits().memoryBytes());
        assertEquals(Optional.empty(), pod.app("other"));
    }

    @Test
    void anAppWithoutASectionKeepsTheImages() throws Exception {
        PodManifest.App app = parse(pod("{\"name\": \"a\", \"image\": {\"name\": \"example.com/a\", \"id\": \"sha512-1\"}}"))
                .apps().get(0);
        assertEquals(Optional.empty(), app.app());
        assertEquals(List.of(), app.mounts());
    }

    @Test
    void theAppsLimitsComeFirstAndThePodsFillIn() {
        ResourceLimits app = new ResourceLimits(OptionalLong.empty(), OptionalLong.of(2000));
        ResourceLimits pod = new ResourceLimits(OptionalLong.of(1 << 30), OptionalLong.of(500));
        assertEquals(new ResourceLimits(OptionalLong.of(1 << 30), OptionalLong.of(2000)), app.orElse(pod));
    }

    @Test
    void quantitiesAreReadAsKubernetesWritesThem() throws Exception {
        assertEquals(0, ResourceQuantity.parse("512Mi", "x").compareTo(java.math.BigDecimal.valueOf(512L << 20)));
        assertEquals(0, ResourceQuantity.parse("1G", "x").compareTo(java.math.BigDecimal.valueOf(1_000_000_000L)));
        assertEquals(0, ResourceQuantity.parse("500m", "x").compareTo(new java.math.BigDecimal("0.5")));
        assertEquals(0, ResourceQuantity.parse("1.5", "x").compareTo(new java.math.BigDecimal("1.5")));
        assertEquals(0, ResourceQuantity.parse("2e3", "x").compareTo(java.math.BigDecimal.valueOf(2000)));
        assertEquals(0, ResourceQuantity.parse("3Ei", "x").compareTo(java.math.BigDecimal.valueOf(3).multiply(
                java.math.BigDecimal.valueOf(2).pow(60))));
        for (String bad : new String[] {"", "-1", "12X", "1.2.3", "M", "1e", "0x10", " 1"}) {
            assertEquals("x is \"" + bad + "\", not a quantity such as 512Mi, 1G, 500m or 2",
                    assertThrows(ImageBuildException.class, () -> ResourceQuantity.parse(bad, "x")).getMessage());
        }
    }

    @Test
    void aLimitMustBePositive() {
        String isolator = "\"isolators\": [{\"name\": \"resource/cpu\", \"value\": {\"limit\": \"0\"}}]";
        assertEquals("pod manifest: isolators[0]: value: limit must be more than 0 and fit in 64 bits",
                refusal("{\"acVersion\": \"1\", \"acKind\": \"PodManifest\", \"apps\": [{\"name\": \"a\","
                        + " \"image\": {\"name\": \"i\"}}], " + isolator + "}"));
    }

    @Test
    void namesThatCouldEscapeThePodDirectoryAreRefused() {
        for (String name : new String[] {"../etc", "a/b", "", "A", "a--b", "-a", "a b"}) {
            assertEquals("pod manifest: apps[0]: \"name\" \"" + name + "\" is not an AC name (lower-case letters and"
                    + " digits, joined by single dashes)", refusal(pod("{\"name\": \"" + name + "\", \"image\": {\"name\": \"i\"}}")));
        }
    }

    @Test
    void badPodsAreRefusedByWhatIsWrong() {
        assertEquals("pod manifest: \"acKind\" is \"ImageManifest\", not \"PodManifest\"",
                refusal("{\"acVersion\": \"1\", \"acKind\": \"ImageManifest\", \"apps\": []}"));
        assertEquals("pod manifest: \"apps\" must name at least one app", refusal(pod("")));
        assertEquals("pod manifest: apps[1]: \"name\" \"a\" is given to two apps",
                refusal(pod("{\"name\": \"a\", \"image\": {\"name\": \"i\"}}, {\"name\": \"a\", \"image\": {\"name\": \"i\"}}")));
        assertEquals("pod manifest: apps[0]: \"image\" is required", refusal(pod("{\"name\": \"a\"}")));
        assertEquals("pod manifest: apps[0]: \"readOnlyRootFS\" must be true or false",
                refusal(pod("{\"name\": \"a\", \"image\": {\"name\": \"i\"}, \"readOnlyRootFS\": \"yes\"}")));
        assertEquals("pod manifest: apps[0]: app: \"exec\" must start with an absolute path, not sh",
                refusal(pod("{\"name\": \"a\", \"image\": {\"name\": \"i\"}, \"app\": {\"exec\": [\"sh\"], \"user\": \"0\", \"group\": \"0\"}}")));
        assertEquals("pod manifest: volumes[0]: \"kind\" is \"nfs\", not \"host\" or \"empty\"",
                refusal("{\"acVersion\": \"1\", \"acKind\": \"PodManifest\", \"apps\": [{\"name\": \"a\", \"image\": {\"name\": \"i\"}}],"
                        + " \"volumes\": [{\"name\": \"v\", \"kind\": \"nfs\"}]}"));
        assertTrue(refusal("{\"apps\": ").startsWith("pod manifest"));
    }

    @Test
    void theStage2ManifestGivesItsAppSectionOnly() throws Exception {
        byte[] manifest = ("{\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", \"name\": \"example.com/a\","
                + " \"dependencies\": [{\"imageName\": \"example.com/base\"}],"
                + " \"app\": {\"exec\": [\"/bin/a\"], \"user\": \"0\", \"group\": \"0\"}}").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("/bin/a"), PodManifest.stage2App(manifest).orElseThrow().config().args());
        assertEquals("app image manifest: \"acKind\" is \"PodManifest\", not \"ImageManifest\"",
                assertThrows(ImageBuildException.class, () -> PodManifest.stage2App(
                        "{\"acKind\": \"PodManifest\", \"name\": \"x\"}".getBytes(StandardCharsets.UTF_8))).getMessage());
        assertTrue(assertThrows(ImageBuildException.class, () -> PodManifest.stage2App("{not json".getBytes(
                StandardCharsets.UTF_8))).getMessage().startsWith("app image manifest"));
    }
}
