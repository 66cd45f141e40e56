package org.minivmm.rootfs.image;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An appc pod manifest (spec/pods.md), as rkt's stage0 writes it into a pod directory for stage1:
 * the apps, each naming its image and optionally overriding the image's app section, and the volumes
 * their mounts refer to.
 *
 * @param apps in the manifest's order; names are unique AC names, safe as file names
 * @param volumes the pod's volumes
 * @param limits the pod-wide resource isolators, which apply to every app
 * @param otherIsolators the names of the pod's other isolators
 */
public record PodManifest(List<App> apps, List<Volume> volumes, ResourceLimits limits, List<String> otherIsolators) {
    private static final String WHAT = "pod manifest";
    /** spec/types.md: an AC name is lower-case letters and digits in runs joined by single dashes. */
    private static final Pattern AC_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    public PodManifest {
        apps = List.copyOf(apps);
        volumes = List.copyOf(volumes);
        otherIsolators = List.copyOf(otherIsolators);
    }

    /**
     * One app of the pod.
     *
     * @param name its AC name: the directory under stage1's opt/stage2 and its status file's name
     * @param imageName the image it runs
     * @param app the pod's app section, which replaces the image's whole when present
     * @param mounts each mount's volume name and path in the app
     * @param readOnlyRootFs whether the app's root file system is to be read-only
     */
    public record App(String name, String imageName, Optional<AciApp> app, List<Mount> mounts, boolean readOnlyRootFs) {
        public App {
            mounts = List.copyOf(mounts);
        }
    }

    public record Mount(String volume, String path) {
    }

    /**
     * @param kind "host" (a host directory, {@code source}) or "empty" (a new, empty directory)
     */
    public record Volume(String name, String kind, Optional<String> source, boolean readOnly) {
    }

    public static PodManifest parse(byte[] document) throws ImageBuildException {
        JsonObject pod = JsonObject.parse(document, WHAT);
        pod.requireValue("acKind", "PodManifest");
        pod.string("acVersion");
        List<App> apps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonObject app : pod.objectList("apps")) {
            String name = acName(app, "name");
            if (!names.add(name)) {
                throw app.invalid("name", "\"" + name + "\" is given to two apps");
            }
            Optional<JsonObject> section = app.optionalObject("app");
            List<Mount> mounts = new ArrayList<>();
            for (JsonObject mount : app.objectList("mounts")) {
                mounts.add(new Mount(acName(mount, "volume"), mount.string("path")));
            }
            apps.add(new App(name, app.object("image").string("name"),
                    section.isPresent() ? Optional.of(AciApp.parse(section.get())) : Optional.empty(), mounts,
                    app.optionalBoolean("readOnlyRootFS", false)));
        }
        if (apps.isEmpty()) {
            throw pod.invalid("apps", "must name at least one app");
        }
        List<Volume> volumes = new ArrayList<>();
        for (JsonObject volume : pod.objectList("volumes")) {
            String volumeKind = volume.string("kind");
            if (!volumeKind.equals("host") && !volumeKind.equals("empty")) {
                throw volume.invalid("kind", "is \"" + volumeKind + "\", not \"host\" or \"empty\"");
            }
            volumes.add(new Volume(acName(volume, "name"), volumeKind, volume.optionalString("source"),
                    volume.optionalBoolean("readOnly", false)));
        }
        List<String> otherIsolators = new ArrayList<>();
        ResourceLimits limits = ResourceLimits.of(pod.objectList("isolators"), otherIsolators);
        return new PodManifest(apps, volumes, limits, otherIsolators);
    }

    private static String acName(JsonObject object, String key) throws ImageBuildException {
        String name = object.string(key);
        if (!AC_NAME.matcher(name).matches()) {
            throw object.invalid(key, "\"" + name + "\" is not an AC name (lower-case letters and digits, joined by single dashes)");
        }
        return name;
    }

    public List<String> appNames() {
        return apps.stream().map(App::name).toList();
    }

    /** The app called {@code name}, if the pod has it. */
    public Optional<App> app(String name) {
        return apps.stream().filter(app -> app.name().equals(name)).findFirst();
    }

    /** The volume called {@code name}, if the pod has it. */
    public Optional<Volume> volume(String name) {
        return volumes.stream().filter(volume -> volume.name().equals(name)).findFirst();
    }

    /**
     * The app section of a stage2 image manifest, the one rkt's stage0 unpacked for an app: its
     * dependencies are already merged into the app's rootfs, so only the app section matters.
     */
    public static Optional<AciApp> stage2App(byte[] imageManifest) throws ImageBuildException {
        JsonObject manifest = JsonObject.parse(imageManifest, "app image manifest");
        manifest.requireValue("acKind", "ImageManifest");
        manifest.string("name");
        Optional<JsonObject> section = manifest.optionalObject("app");
        return section.isPresent() ? Optional.of(AciApp.parse(section.get())) : Optional.empty();
    }
}
