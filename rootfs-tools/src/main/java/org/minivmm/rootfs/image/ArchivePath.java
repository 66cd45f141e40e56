package org.minivmm.rootfs.image;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A path inside an image, taken from an archive member name and checked: no NUL, no ".."
 * component, no component longer than ext4's 255 bytes. A leading "/" is dropped, as tar does,
 * since every name is relative to the image root anyway; "." and empty components are dropped too.
 *
 * @param components the names from the root down; none for the root itself
 */
record ArchivePath(List<String> components) {
    static final ArchivePath ROOT = new ArchivePath(List.of());
    /** ext4's (and Linux's) NAME_MAX. */
    static final int MAX_NAME_BYTES = 255;

    ArchivePath {
        components = List.copyOf(components);
    }

    static ArchivePath parse(String name, int maxPathBytes) throws ImageBuildException {
        if (name.indexOf('\0') >= 0) {
            throw new ImageBuildException("refusing a name with a NUL byte: " + name.replace('\0', '?'));
        }
        List<String> components = new ArrayList<>();
        for (String component : name.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw new ImageBuildException("refusing " + name + ": a \"..\" component could reach outside the image");
            }
            if (component.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new ImageBuildException("refusing " + name + ": a component is longer than " + MAX_NAME_BYTES
                        + " bytes");
            }
            components.add(component);
        }
        ArchivePath path = new ArchivePath(components);
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > maxPathBytes) {
            throw new ImageBuildException("refusing a path longer than " + maxPathBytes + " bytes (the path limit): "
                    + name.substring(0, Math.min(name.length(), 64)) + "...");
        }
        return path;
    }

    boolean isRoot() {
        return components.isEmpty();
    }

    ArchivePath parent() {
        return new ArchivePath(components.subList(0, components.size() - 1));
    }

    String fileName() {
        return components.get(components.size() - 1);
    }

    ArchivePath child(String name) {
        List<String> longer = new ArrayList<>(components);
        longer.add(name);
        return new ArchivePath(longer);
    }

    Path resolveIn(Path root) {
        return isRoot() ? root : root.resolve(toString());
    }

    /** The path as the guest sees it: "/" for the root. */
    String inImage() {
        return "/" + this;
    }

    /** Relative, "a/b/c"; empty for the root. */
    @Override
    public String toString() {
        return String.join("/", components);
    }
}
