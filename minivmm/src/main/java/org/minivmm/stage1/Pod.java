package org.minivmm.stage1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.minivmm.rootfs.image.ImageBuildException;
import org.minivmm.rootfs.image.PodManifest;

/**
 * A rkt pod directory, as stage0 lays it out (rkt's stage1 implementor's guide): the pod manifest
 * {@code pod}; the stage1 image's rootfs in {@code stage1/rootfs}, each app unpacked in its
 * {@code opt/stage2/APP/{manifest,rootfs}} and its exit status due in {@code rkt/status/APP}; the
 * {@code pid} file stage1 writes for {@code rkt enter}. minivmm's own per-pod state lives in
 * {@code minivmm/}, which gc removes.
 */
public record Pod(Path directory) {
    /** Where the stage1 image keeps what {@code minivmm stage1 build-aci} put in it, inside its rootfs. */
    public static final String PAYLOAD = "minivmm";
    /** How the entrypoint scripts name the pod directory to minivmm. */
    public static final String POD_DIR_OPTION = "--pod-dir=";

    /** The pod in {@code directory}, which must exist. */
    public static Pod open(Path directory) throws Stage1Exception, IOException {
        try {
            return new Pod(directory.toRealPath());
        } catch (NoSuchFileException e) {
            throw new Stage1Exception(directory + ": no such pod directory");
        }
    }

    /** The pod in {@code directory}, which must be the one rkt names by {@code uuid}. */
    public static Pod open(Path directory, String uuid) throws Stage1Exception, IOException {
        Pod pod = open(directory);
        if (!uuid.equals(pod.uuid())) {
            throw new Stage1Exception("pod " + uuid + " is not the pod in " + pod.directory());
        }
        return pod;
    }

    public Path manifestFile() {
        return directory.resolve("pod");
    }

    public Path stage1Root() {
        return directory.resolve("stage1").resolve("rootfs");
    }

    public Path payload(String name) {
        return stage1Root().resolve(PAYLOAD).resolve(name);
    }

    /** Holds the app's image {@code manifest} and its {@code rootfs}; the name is an AC name, checked by the manifest parser. */
    public Path appDirectory(String app) {
        return stage1Root().resolve("opt").resolve("stage2").resolve(app);
    }

    public Path statusFile(String app) {
        return stage1Root().resolve("rkt").resolve("status").resolve(app);
    }

    public Path pidFile() {
        return directory.resolve("pid");
    }

    public Path stateDirectory() {
        return directory.resolve("minivmm");
    }

    public Path execSocket() {
        return stateDirectory().resolve("exec.sock");
    }

    public String uuid() {
        return directory.getFileName().toString();
    }

    public PodManifest manifest() throws Stage1Exception, IOException {
        try {
            return PodManifest.parse(Files.readAllBytes(manifestFile()));
        } catch (NoSuchFileException e) {
            throw new Stage1Exception(manifestFile() + ": no pod manifest; the stage1 entrypoints run in a pod directory"
                    + " that rkt's stage0 prepared (see the README's rkt section)");
        } catch (ImageBuildException e) {
            throw new Stage1Exception(manifestFile() + ": " + e.getMessage());
        }
    }

    /** The process stage1's run entrypoint wrote, if any. */
    public OptionalLong pid() throws Stage1Exception, IOException {
        String text;
        try {
            text = Files.readString(pidFile(), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new Stage1Exception(pidFile() + " holds \"" + text + "\", not a process id");
        }
    }

    /**
     * The process of this pod's run entrypoint, while it lives: the {@code pid} file's process, if its
     * command line is minivmm's {@code stage1 run} on this pod directory (a pid can be reused).
     */
    public Optional<ProcessHandle> runningVmm() throws Stage1Exception, IOException {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.getAsLong());
        byte[] commandLine;
        try {
            commandLine = Files.readAllBytes(Path.of("/proc", Long.toString(pid.getAsLong()), "cmdline"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        List<String> words = List.of(new String(commandLine, StandardCharsets.UTF_8).split("\0"));
        int stage1 = words.indexOf("stage1");
        if (process.isEmpty() || stage1 < 0 || stage1 + 1 >= words.size() || !words.get(stage1 + 1).equals("run")) {
            return Optional.empty();
        }
        for (String word : words) {
            if (word.startsWith(POD_DIR_OPTION) && Files.isSameFile(Path.of(word.substring(POD_DIR_OPTION.length())), directory)) {
                return process;
            }
        }
        return Optional.empty();
    }

    /** rkt reads these while the pod runs: each is written whole to a temporary file and renamed into place. */
    static void writeAtomically(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
