package org.minivmm.rootfs.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of an OCI image configuration (image-spec config.md; Docker's is the same for these
 * fields) that building and starting an image need.
 *
 * @param app the launch configuration: args are Entrypoint followed by Cmd
 * @param diffIds the digests of the uncompressed layers, in order, to verify them against
 */
record OciImageConfig(AppConfig app, List<String> diffIds) {
    private static final String WHAT = "OCI image config";

    static OciImageConfig parse(byte[] document) throws ImageBuildException {
        JsonObject config = JsonObject.parse(document, WHAT);
        String os = config.string("os");
        String architecture = config.string("architecture");
        if (!os.equals("linux") || !architecture.equals("amd64")) {
            throw new ImageBuildException("the image is for " + os + "/" + architecture
                    + "; minivmm runs linux/amd64 images only");
        }
        JsonObject rootfs = config.object("rootfs");
        String type = rootfs.string("type");
        if (!type.equals("layers")) {
            throw rootfs.invalid("type", "is \"" + type + "\", not \"layers\"");
        }
        // "config" may be absent: an image with nothing to run, e.g. one used only as a base.
        JsonObject process = config.optionalObject("config").orElse(JsonObject.of(Map.of(), WHAT + ": config"));
        return new OciImageConfig(app(process), rootfs.stringList("diff_ids"));
    }

    private static AppConfig app(JsonObject process) throws ImageBuildException {
        List<String> args = new ArrayList<>(process.stringList("Entrypoint"));
        args.addAll(process.stringList("Cmd"));
        List<String> env = process.stringList("Env");
        for (String variable : env) {
            if (variable.indexOf('=') <= 0) {
                throw process.invalid("Env", "entries must be NAME=value, not " + variable);
            }
        }
        String[] user = splitUser(process.optionalString("User").orElse(""));
        String workingDir = process.optionalString("WorkingDir").orElse("");
        // Docker resolves a relative WORKDIR against the previous one; with nothing before it, "/".
        String cwd = workingDir.startsWith("/") ? workingDir : "/" + workingDir;
        return new AppConfig(args, env, cwd, user[0], user[1], List.of());
    }

    /**
     * Splits an image config's {@code User}: "user", "uid", "user:group", "uid:gid", "uid:group" or
     * "user:gid". Empty means root. No group gives an empty group: the user's own, looked up in the guest.
     *
     * @return the user and the group
     */
    static String[] splitUser(String user) throws ImageBuildException {
        if (user.isEmpty()) {
            return new String[] {AppConfig.ROOT, ""};
        }
        String[] parts = user.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new ImageBuildException(WHAT + ": User \"" + user
                    + "\" is not one of user, uid, user:group, uid:gid, uid:group, user:gid");
        }
        return new String[] {parts[0], parts.length == 2 ? parts[1] : ""};
    }
}
