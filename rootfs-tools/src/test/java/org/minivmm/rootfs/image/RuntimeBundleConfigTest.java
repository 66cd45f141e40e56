package org.minivmm.rootfs.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeBundleConfigTest {
    private static RuntimeBundleConfig parse(String json) throws ImageBuildException {
        return RuntimeBundleConfig.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String json) {
        return assertThrows(ImageBuildException.class, () -> parse(json)).getMessage();
    }

    @Test
    void readsRootAndProcess() throws Exception {
        RuntimeBundleConfig config = parse("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\", \"readonly\": true},"
                + "\"process\": {\"terminal\": false, \"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [5, 6],"
                + "\"umask\": 18}, \"args\": [\"sh\", \"-c\", \"echo hi\"], \"env\": [\"PATH=/bin\", \"TERM=xterm\"],"
                + "\"cwd\": \"/home/user\", \"capabilities\": {}}, \"linux\": {\"namespaces\": []}}");
        assertEquals("rootfs", config.rootPath());
        assertEquals(Optional.of(new AppConfig(List.of("sh", "-c", "echo hi"), List.of("PATH=/bin", "TERM=xterm"),
                "/home/user", "1000", "100", List.of(5L, 6L))), config.app());
    }

    @Test
    void processIsOptional() throws Exception {
        assertEquals(Optional.empty(), parse("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/abs/root\"}}").app());
    }

    @Test
    void refusesBadFields() {
        String head = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, ";
        assertEquals("runtime config.json: \"root\" is required", refusal("{\"ociVersion\": \"1.2.0\"}"));
        assertEquals("runtime config.json: process: \"cwd\" must be an absolute path, not home",
                refusal(head + "\"process\": {\"cwd\": \"home\", \"user\": {\"uid\": 0, \"gid\": 0}}}"));
        assertEquals("runtime config.json: process: user: \"uid\" must be an integer from 0 to 4294967294",
                refusal(head + "\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1, \"gid\": 0}}}"));
        assertEquals("runtime config.json: process: user: \"gid\" is required",
                refusal(head + "\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 0}}}"));
        assertEquals("runtime config.json: process: user: \"uid\" must be an integer from 0 to 4294967294",
                refusal(head + "\"process\": {\"cwd\": \"/\", \"user\": {\"uid\": 1.5, \"gid\": 0}}}"));
    }
}
