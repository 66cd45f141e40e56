package org.minivmm.rootfs.image;

import java.util.List;
import java.util.Optional;

/**
 * The parts of an OCI runtime bundle's config.json (runtime-spec config.md) that building and
 * starting an image need.
 *
 * @param rootPath root.path as written: absolute, or relative to the bundle directory
 * @param app the launch configuration, if config.json has a process
 */
record RuntimeBundleConfig(String rootPath, Optional<AppConfig> app) {
    private static final String WHAT = "runtime config.json";

    static RuntimeBundleConfig parse(byte[] document) throws ImageBuildException {
        JsonObject config = JsonObject.parse(document, WHAT);
        config.string("ociVersion");
        String rootPath = config.object("root").string("path");
        if (rootPath.isEmpty()) {
            throw new ImageBuildException(WHAT + ": root.path must not be empty");
        }
        Optional<JsonObject> process = config.optionalObject("process");
        return new RuntimeBundleConfig(rootPath, process.isPresent() ? Optional.of(app(process.get())) : Optional.empty());
    }

    private static AppConfig app(JsonObject process) throws ImageBuildException {
        String cwd = process.string("cwd");
        if (!cwd.startsWith("/")) {
            throw process.invalid("cwd", "must be an absolute path, not " + cwd);
        }
        List<String> env = process.stringList("env");
        for (String variable : env) {
            if (variable.indexOf('=') <= 0) {
                throw process.invalid("env", "entries must be NAME=value, not " + variable);
            }
        }
        JsonObject user = process.object("user");
        return new AppConfig(process.stringList("args"), env, cwd, Long.toString(user.id("uid")),
                Long.toString(user.id("gid")), user.idList("additionalGids"));
    }
}
