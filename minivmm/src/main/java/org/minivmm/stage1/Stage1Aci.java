package org.minivmm.stage1;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.minivmm.container.ContainerException;
import org.minivmm.container.GuestKernel;
import org.minivmm.rootfs.image.ImageStore;
import org.minivmm.rootfs.image.Json;
import org.minivmm.rootfs.image.ProgressListener;
import org.minivmm.rootfs.image.RuntimeImage;

/**
 * The stage1 image rkt runs pods with ({@code rkt run --stage1-path=stage1-minivmm.aci}): an ACI whose
 * manifest names the four entrypoints, each a small script that starts minivmm's matching
 * {@code stage1} command on the pod it sits in, and whose rootfs carries what they need: minivmm's
 * launcher and jar, the guest kernel and the runtime image. The host provides Java 17 or later.
 */
public final class Stage1Aci {
    public static final String NAME = "minivmm.org/stage1-minivmm";
    /** rkt's stage1 interface: 5 adds --local-config to gc and the app entrypoints, which this stage1 does not declare. */
    public static final String INTERFACE_VERSION = "5";
    public static final List<String> ENTRYPOINTS = List.of("run", "enter", "gc", "stop");
    private static final String ANNOTATION_PREFIX = "coreos.com/rkt/stage1/";

    /** The files the image carries, from this host. */
    public record Payload(Path launcher, Path jar, Path kernel, Path runtimeImage) {
    }

    private Stage1Aci() {
    }

    /**
     * What this minivmm installation would put in a stage1 image: its launcher and jar, the kernel (given,
     * else the one runs use), and the runtime image from the store (built there if need be).
     */
    public static Payload thisInstallation(Optional<Path> kernel, ProgressListener progress)
            throws ContainerException, IOException {
        String home = System.getProperty(GuestKernel.HOME_PROPERTY);
        Path launcher = home == null ? null : Path.of(home, "scripts", "minivmm");
        if (launcher == null || !Files.isExecutable(launcher)) {
            throw new ContainerException("cannot find minivmm's launcher (scripts/minivmm): run this through scripts/minivmm");
        }
        Path jar;
        try {
            jar = Path.of(Stage1Aci.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new ContainerException("cannot tell where minivmm's jar is: " + e.getMessage());
        }
        if (!Files.isRegularFile(jar)) {
            throw new ContainerException("minivmm is not running from its jar (" + jar + "); build it with mvn package");
        }
        Path kernelFile = GuestKernel.locate(kernel);
        if (!Files.isRegularFile(kernelFile)) {
            throw new ContainerException(kernelFile + ": no such kernel file");
        }
        Path runtime = RuntimeImage.build(ImageStore.defaultStore(), progress).image();
        return new Payload(launcher, jar, kernelFile, runtime);
    }

    /** Writes the ACI to {@code output}, whole or not at all. */
    public static void write(Payload payload, String version, Path output) throws IOException {
        Path partial = output.resolveSibling("." + output.getFileName() + ".partial");
        // gzip: the runtime image is mostly unused blocks; rkt reads gzip'ed ACIs as they are.
        try (OutputStream file = Files.newOutputStream(partial);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            addBytes(tar, "manifest", 0644, manifest(version).getBytes(StandardCharsets.UTF_8));
            for (String directory : List.of("rootfs", "rootfs/rkt", "rootfs/rkt/status", "rootfs/" + Pod.PAYLOAD)) {
                TarArchiveEntry entry = new TarArchiveEntry(directory + "/");
                entry.setMode(0755);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
            String payloadDirectory = "rootfs/" + Pod.PAYLOAD + "/";
            for (String entrypoint : ENTRYPOINTS) {
                addBytes(tar, payloadDirectory + entrypoint, 0755, entrypointScript(entrypoint).getBytes(StandardCharsets.UTF_8));
            }
            addFile(tar, payloadDirectory + "minivmm", 0755, payload.launcher());
            addFile(tar, payloadDirectory + "minivmm.jar", 0644, payload.jar());
            addFile(tar, payloadDirectory + "vmlinux", 0644, payload.kernel());
            addFile(tar, payloadDirectory + "runtime.ext4", 0444, payload.runtimeImage());
            tar.finish();
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static String manifest(String version) {
        List<Object> annotations = new ArrayList<>();
        for (String entrypoint : ENTRYPOINTS) {
            annotations.add(nameValue(ANNOTATION_PREFIX + entrypoint, "/" + Pod.PAYLOAD + "/" + entrypoint));
        }
        annotations.add(nameValue(ANNOTATION_PREFIX + "interface-version", INTERFACE_VERSION));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("acKind", "ImageManifest");
        manifest.put("acVersion", "0.8.11");
        manifest.put("name", NAME);
        manifest.put("labels", List.of(nameValue("version", version), nameValue("arch", "amd64"), nameValue("os", "linux")));
        manifest.put("annotations", annotations);
        return Json.write(manifest) + "\n";
    }

    private static Map<String, Object> nameValue(String name, String value) {
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put("name", name);
        pair.put("value", value);
        return pair;
    }

    /** stage0 runs it as POD/stage1/rootfs/minivmm/ENTRYPOINT, so the pod directory is three levels up. */
    static String entrypointScript(String entrypoint) {
        return "#!/bin/sh\n"
                + "# rkt's " + entrypoint + " entrypoint, written by 'minivmm stage1 build-aci'.\n"
                + "here=$(dirname \"$(readlink -f \"$0\")\")\n"
                + "MINIVMM_JAR=\"$here/minivmm.jar\" exec \"$here/minivmm\" stage1 " + entrypoint
                + " --pod-dir=\"$here/../../..\" \"$@\"\n";
    }

    private static void addBytes(TarArchiveOutputStream tar, String name, int mode, byte[] bytes) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setSize(bytes.length);
        tar.putArchiveEntry(entry);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    private static void addFile(TarArchiveOutputStream tar, String name, int mode, Path file) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(mode);
        entry.setSize(Files.size(file));
        tar.putArchiveEntry(entry);
        Files.copy(file, tar);
        tar.closeArchiveEntry();
    }
}
