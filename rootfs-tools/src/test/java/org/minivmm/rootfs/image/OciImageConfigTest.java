package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OciImageConfigTest {
    private static final String ROOTFS = "\"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"sha256:"
            + "a".repeat(64) + "\"]}";

    private static OciImageConfig parse(String json) throws ImageBuildException {
        return OciImageConfig.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String withConfig(String config) {
        return "{\"architecture\": \"amd64\", \"os\": \"linux\", " + ROOTFS + ", \"config\": {" + config + "}}";
    }

    @Test
    void argsAreEntrypointThenCmd() throws Exception {
        OciImageConfig config = parse(withConfig("\"Entrypoint\": [\"/bin/tini\", \"--\"], \"Cmd\": [\"nginx\", \"-g\"],"
                + "\"Env\": [\"PATH=/usr/bin:/bin\", \"EMPTY=\"], \"WorkingDir\": \"/srv\", \"User\": \"www:www-data\","
                + "\"ExposedPorts\": {\"80/tcp\": {}}"));
        assertEquals(new AppConfig(List.of("/bin/tini", "--", "nginx", "-g"), List.of("PATH=/usr/bin:/bin", "EMPTY="),
                "/srv", "www", "www-data", List.of()), config.app());
        assertEquals(List.of("sha256:" + "a".repeat(64)), config.diffIds());
        assertEquals(List.of("/bin/sh"), parse(withConfig("\"Cmd\": [\"/bin/sh\"]")).app().args(), "Cmd alone");
    }

    @Test
    void anImageWithNothingToRunRunsNothingAsRootInTheRoot() throws Exception {
        AppConfig app = parse("{\"architecture\": \"amd64\", \"os\": \"linux\", " + ROOTFS + "}").app();
        assertEquals(new AppConfig(List.of(), List.of(), "/", "0", "", List.of()), app);
        assertEquals("/work", parse(withConfig("\"WorkingDir\": \"work\"")).app().cwd(), "relative to /");
    }

    @Test
    void userFormsSplitIntoUserAndGroup() throws Exception {
        assertArrayEquals(new String[] {"0", ""}, OciImageConfig.splitUser(""), "no User: root, root's group");
        assertArrayEquals(new String[] {"1000", ""}, OciImageConfig.splitUser("1000"), "uid: its passwd group");
        assertArrayEquals(new String[] {"nginx", ""}, OciImageConfig.splitUser("nginx"));
        assertArrayEquals(new String[] {"1000", "50"}, OciImageConfig.splitUser("1000:50"));
        assertArrayEquals(new String[] {"1000", "staff"}, OciImageConfig.splitUser("1000:staff"));
        assertArrayEquals(new String[] {"nginx", "50"}, OciImageConfig.splitUser("nginx:50"));
        assertArrayEquals(new String[] {"nginx", "www"}, OciImageConfig.splitUser("nginx:www"));
        for (String bad : List.of(":50", "nginx:", ":", "a:b:c")) {
            ImageBuildException e = assertThrows(ImageBuildException.class, () -> OciImageConfig.splitUser(bad), bad);
            assertTrue(e.getMessage().contains("is not one of user, uid, user:group"), e.getMessage());
        }
    }

    @Test
    void refusesOtherPlatformsAndBadFields() {
        ImageBuildException arm = assertThrows(ImageBuildException.class,
                () -> parse("{\"architecture\": \"arm64\", \"os\": \"linux\", " + ROOTFS + "}"));
        assertEquals("the image is for linux/arm64; minivmm runs linux/amd64 images only", arm.getMessage());
        assertThrows(ImageBuildException.class, () -> parse(withConfig("\"Env\": [\"NOEQUALS\"]")));
        assertThrows(ImageBuildException.class, () -> parse(withConfig("\"Cmd\": \"/bin/sh -c x\"")));
        assertThrows(ImageBuildException.class, () -> parse("{\"architecture\": \"amd64\", \"os\": \"linux\"}"));
    }
}
