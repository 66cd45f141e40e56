package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AciManifestTest {
    private static final String HEAD = "\"acKind\": \"ImageManifest\", \"acVersion\": \"0.8.11\", \"name\": \"example.com/worker\"";

    private static AciManifest parse(String json) throws ImageBuildException {
        return AciManifest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String withApp(String app) {
        return "{" + HEAD + ", \"app\": {" + app + "}}";
    }

    private static String refusal(String json) {
        return assertThrows(ImageBuildException.class, () -> parse(json)).getMessage();
    }

    @Test
    void readsTheAppSection() throws Exception {
        AciManifest manifest = parse("{" + HEAD + ", \"labels\": [{\"name\": \"os\", \"value\": \"linux\"},"
                + " {\"name\": \"arch\", \"value\": \"amd64\"}], \"app\": {"
                + "\"exec\": [\"/usr/bin/worker\", \"--quiet\"], \"user\": \"100\", \"group\": \"300\","
                + "\"supplementaryGIDs\": [10, 4294967294], \"workingDirectory\": \"/opt/work\","
                + "\"environment\": [{\"name\": \"DEBUG\", \"value\": \"a=b c\"}, {\"name\": \"_X1\", \"value\": \"\"}],"
                + "\"ports\": [{\"name\": \"http\", \"port\": 80, \"protocol\": \"tcp\"}]}}");
        assertEquals("example.com/worker", manifest.name());
        assertEquals(Optional.of(new AppConfig(List.of("/usr/bin/worker", "--quiet"), List.of("DEBUG=a=b c", "_X1="),
                "/opt/work", "100", "300", List.of(10L, 4294967294L))), manifest.app());
        assertEquals(List.of(), manifest.warnings());
    }

    @Test
    void anImageWithoutAppHasNoLaunchConfiguration() throws Exception {
        assertEquals(Optional.empty(), parse("{" + HEAD + "}").app());
    }

    @Test
    void userAndGroupAreRequiredAndKeptAsWritten() throws Exception {
        // appc: names first, then all-digit strings as ids, "/path" as the owner of that file; the guest resolves them.
        AppConfig app = parse(withApp("\"exec\": [\"/bin/sh\"], \"user\": \"/usr/bin/ping\", \"group\": \"0100\""))
                .app().orElseThrow();
        assertEquals("/usr/bin/ping", app.user());
        assertEquals("0100", app.group(), "not normalized to 100: a group may really be named 0100");
        assertEquals("/", app.cwd(), "workingDirectory defaults to /");
        assertEquals("ACI manifest: app: \"user\" is required", refusal(withApp("\"exec\": [\"/bin/sh\"], \"group\": \"0\"")));
        assertEquals("ACI manifest: app: \"group\" is required", refusal(withApp("\"exec\": [\"/bin/sh\"], \"user\": \"0\"")));
        assertEquals("ACI manifest: app: user and group must not be empty",
                refusal(withApp("\"exec\": [\"/bin/sh\"], \"user\": \"\", \"group\": \"0\"")));
    }

    @Test
    void checksExecWorkingDirectoryAndEnvironment() {
        String ids = ", \"user\": \"0\", \"group\": \"0\"";
        assertEquals("ACI manifest: app: \"exec\" must name the program to run", refusal(withApp("\"exec\": []" + ids)));
        assertTrue(refusal(withApp("\"exec\": [\"sh\"]" + ids)).contains("must start with an absolute path"));
        assertTrue(refusal(withApp("\"exec\": [\"/bin/sh\"], \"workingDirectory\": \"work\"" + ids))
                .contains("\"workingDirectory\" must be an absolute path"));
        assertTrue(refusal(withApp("\"exec\": [\"/bin/sh\"], \"environment\": [{\"name\": \"A-B\", \"value\": \"\"}]" + ids))
                .contains("may hold only letters, digits and '_'"));
        assertTrue(refusal(withApp("\"exec\": [\"/bin/sh\"], \"supplementaryGIDs\": [-1]" + ids))
                .contains("\"supplementaryGIDs\" must be an integer"));
    }

    @Test
    void warnsOfWhatIsNotEnforced() throws Exception {
        AciManifest manifest = parse(withApp("\"exec\": [\"/bin/sh\"], \"user\": \"0\", \"group\": \"0\","
                + "\"isolators\": [{\"name\": \"resource/memory\", \"value\": {\"limit\": \"1G\"}}],"
                + "\"eventHandlers\": [{\"name\": \"pre-start\", \"exec\": [\"/bin/prep\"]}],"
                + "\"mountPoints\": [{\"name\": \"work\", \"path\": \"/var/work\"}]"));
        assertEquals(List.of("ACI example.com/worker: isolator resource/memory is not enforced",
                "ACI example.com/worker: event handler pre-start will not run",
                "ACI example.com/worker: mount point work (/var/work) gets no volume"), manifest.warnings());
    }

    @Test
    void refusesWhatItCannotBuild() {
        assertTrue(refusal("{" + HEAD + ", \"dependencies\": [{\"imageName\": \"example.com/base\"}]}")
                .contains("depends on other images (example.com/base)"));
        assertTrue(refusal("{" + HEAD + ", \"pathWhitelist\": [\"/bin/sh\"]}").contains("pathWhitelist"));
        assertTrue(refusal("{" + HEAD + ", \"labels\": [{\"name\": \"arch\", \"value\": \"aarch64\"}]}")
                .contains("amd64 images only"));
        assertEquals("ACI manifest: \"acKind\" is \"PodManifest\", not \"ImageManifest\"",
                refusal("{\"acKind\": \"PodManifest\", \"acVersion\": \"0.8.11\", \"name\": \"x\"}"));
        assertEquals("ACI manifest: \"name\" is required", refusal("{\"acKind\": \"ImageManifest\", \"acVersion\": \"1\"}"));
    }
}
