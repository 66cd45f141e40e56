package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Finds files in an image layout directory that may have come out of a hostile archive. Symbolic
 * links are followed only while they stay inside the directory (Docker's legacy `docker save`
 * links repeated layers to one copy); one that leaves it, or is absolute, is refused, so a layout
 * can never make minivmm read a host file such as /etc/shadow or /dev/zero.
 */
final class LayoutFiles {
    /** Manifests and configs are small; a bigger one is an attempt to exhaust memory. */
    static final int MAX_DOCUMENT_BYTES = 4 << 20;
    private static final int MAX_LINK_HOPS = 16;

    private LayoutFiles() {
    }

    /** The regular file at {@code relative} ("/"-separated) inside {@code directory}. */
    static Path regularFile(Path directory, String relative) throws IOException {
        Deque<String> todo = new ArrayDeque<>(Arrays.asList(relative.split("/")));
        if (relative.startsWith("/")) {
            throw new ImageBuildException("refusing the absolute path " + relative + " in the image layout");
        }
        List<String> resolved = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String component = todo.removeFirst();
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                if (resolved.isEmpty()) {
                    throw new ImageBuildException("refusing " + relative + ": it leads outside the image layout");
                }
                resolved.remove(resolved.size() - 1);
                continue;
            }
            Path current = join(directory, resolved).resolve(component);
            BasicFileAttributes attributes = lstat(current, relative);
            if (attributes.isSymbolicLink()) {
                String target = Files.readSymbolicLink(current).toString();
                if (target.startsWith("/") || ++hops > MAX_LINK_HOPS) {
                    throw new ImageBuildException("refusing " + relative + ": it goes through the symbolic link "
                            + component + " -> " + target + ", which could leave the image layout");
                }
                List<String> parts = Arrays.asList(target.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                continue;
            }
            if (!todo.isEmpty() && !attributes.isDirectory()) {
                throw new ImageBuildException(relative + " is not in the image layout: " + component + " is not a directory");
            }
            resolved.add(component);
        }
        Path file = join(directory, resolved);
        if (!lstat(file, relative).isRegularFile()) {
            throw new ImageBuildException(relative + " in the image layout is not a regular file");
        }
        return file;
    }

    /** Opens a file found by {@link #regularFile}, refusing a link swapped in since. */
    static InputStream open(Path file) throws IOException {
        return Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** Reads a small document (JSON), refusing one above {@link #MAX_DOCUMENT_BYTES}. */
    static byte[] readDocument(Path directory, String relative) throws IOException {
        Path file = regularFile(directory, relative);
        try (InputStream in = open(file)) {
            byte[] data = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (data.length > MAX_DOCUMENT_BYTES) {
                throw new ImageBuildException(relative + " is larger than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return data;
        }
    }

    private static Path join(Path directory, List<String> components) {
        return components.isEmpty() ? directory : directory.resolve(String.join("/", components));
    }

    private static BasicFileAttributes lstat(Path path, String relative) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new ImageBuildException(relative + " is missing from the image layout");
        }
    }
}
