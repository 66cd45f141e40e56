package org.minivmm.rootfs.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The parts of an appc image manifest (spec/aci.md) that building and starting an image need. The
 * app section becomes an {@link AppConfig}; what minivmm does not do (isolators, event handlers,
 * mount points) is reported as warnings, as the executor spec asks for ignored isolators.
 *
 * @param name the image name
 * @param app the launch configuration, if the manifest has an app section
 * @param warnings what the image asks for that will be ignored
 */
record AciManifest(String name, Optional<AppConfig> app, List<String> warnings) {
    private static final String WHAT = "ACI manifest";
    // spec/aci.md: environment names "consist solely of letters, digits, and underscores".
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z0-9_]+");

    static AciManifest parse(byte[] document) throws ImageBuildException {
        JsonObject manifest = JsonObject.parse(document, WHAT);
        String kind = manifest.string("acKind");
        if (!kind.equals("ImageManifest")) {
            throw manifest.invalid("acKind", "is \"" + kind + "\", not \"ImageManifest\"");
        }
        manifest.string("acVersion");
        String name = manifest.string("name");
        if (name.isEmpty()) {
            throw manifest.invalid("name", "must not be empty");
        }
        checkPlatform(manifest);
        List<JsonObject> dependencies = manifest.objectList("dependencies");
        if (!dependencies.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (JsonObject dependency : dependencies) {
                names.add(dependency.string("imageName"));
            }
            throw new ImageBuildException("ACI " + name + " depends on other images (" + String.join(", ", names)
                    + "), which minivmm does not fetch or assemble yet: flatten the image into one ACI first");
        }
        if (!manifest.stringList("pathWhitelist").isEmpty()) {
            throw new ImageBuildException("ACI " + name + " has a pathWhitelist, which minivmm does not apply yet");
        }
        List<String> warnings = new ArrayList<>();
        Optional<AppConfig> app = Optional.empty();
        Optional<JsonObject> appSection = manifest.optionalObject("app");
        if (appSection.isPresent()) {
            app = Optional.of(app(appSection.get(), name, warnings));
        }
        return new AciManifest(name, app, List.copyOf(warnings));
    }

    private static void checkPlatform(JsonObject manifest) throws ImageBuildException {
        for (JsonObject label : manifest.objectList("labels")) {
            String labelName = label.string("name");
            String value = label.string("value");
            if (labelName.equals("os") && !value.equals("linux")) {
                throw new ImageBuildException("ACI is for os " + value + "; minivmm runs linux images only");
            }
            if (labelName.equals("arch") && !value.equals("amd64")) {
                throw new ImageBuildException("ACI is for arch " + value + "; minivmm runs amd64 images only");
            }
        }
    }

    private static AppConfig app(JsonObject app, String imageName, List<String> warnings)
            throws ImageBuildException {
        List<String> exec = app.stringList("exec");
        if (exec.isEmpty()) {
            throw app.invalid("exec", "must name the program to run");
        }
        if (!exec.get(0).startsWith("/")) {
            throw app.invalid("exec", "must start with an absolute path, not " + exec.get(0));
        }
        String user = app.string("user");
        String group = app.string("group");
        if (user.isEmpty() || group.isEmpty()) {
            throw new ImageBuildException(WHAT + ": app.user and app.group must not be empty");
        }
        String cwd = app.optionalString("workingDirectory").orElse("");
        if (cwd.isEmpty()) {
            cwd = "/";
        } else if (!cwd.startsWith("/")) {
            throw app.invalid("workingDirectory", "must be an absolute path, not " + cwd);
        }
        List<String> env = new ArrayList<>();
        for (JsonObject variable : app.objectList("environment")) {
            String name = variable.string("name");
            if (!ENV_NAME.matcher(name).matches()) {
                throw variable.invalid("name", "may hold only letters, digits and '_', not " + name);
            }
            env.add(name + "=" + variable.string("value"));
        }
        for (JsonObject isolator : app.objectList("isolators")) {
            warnings.add("ACI " + imageName + ": isolator " + isolator.string("name") + " is not enforced");
        }
        for (JsonObject handler : app.objectList("eventHandlers")) {
            warnings.add("ACI " + imageName + ": event handler " + handler.string("name") + " will not run");
        }
        for (JsonObject mountPoint : app.objectList("mountPoints")) {
            warnings.add("ACI " + imageName + ": mount point " + mountPoint.string("name") + " ("
                    + mountPoint.string("path") + ") gets no volume");
        }
        return new AppConfig(exec, env, cwd, user, group, app.idList("supplementaryGIDs"));
    }
}
