package org.minivmm.rootfs.image;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    static AciManifest parse(byte[] document) throws ImageBuildException {
        JsonObject manifest = JsonObject.parse(document, WHAT);
        manifest.requireValue("acKind", "ImageManifest");
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

    /** What `minivmm run` of this image will not do, as warnings, as the executor spec asks for ignored isolators. */
    private static AppConfig app(JsonObject section, String imageName, List<String> warnings) throws ImageBuildException {
        AciApp app = AciApp.parse(section);
        List<String> isolators = new ArrayList<>();
        app.limits().memoryBytes().ifPresent(limit -> isolators.add(ResourceLimits.MEMORY));
        app.limits().cpuMillis().ifPresent(limit -> isolators.add(ResourceLimits.CPU));
        isolators.addAll(app.otherIsolators());
        for (String isolator : isolators) {
            warnings.add("ACI " + imageName + ": isolator " + isolator + " is not enforced");
        }
        for (String handler : app.eventHandlers()) {
            warnings.add("ACI " + imageName + ": event handler " + handler + " will not run");
        }
        for (String mountPoint : app.mountPoints()) {
            warnings.add("ACI " + imageName + ": mount point " + mountPoint + " gets no volume");
        }
        return app.config();
    }
}
