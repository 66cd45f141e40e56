package org.minivmm.rootfs.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Runs a host tool (mke2fs, debugfs, mknod) and turns a failure into a message that shows its errors. */
final class HostCommand {
    /** What a finished command printed. */
    record Output(String stdout, String stderr) {
    }

    private HostCommand() {
    }

    /**
     * @param debianPackage named in the message when the tool is missing
     * @param environment added to this process's environment
     */
    static Output run(List<String> command, Map<String, String> environment, String debianPackage)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ImageBuildException(command.get(0) + " could not be started (is the Debian package "
                    + debianPackage + " installed?): " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String stdout = readAll(process.getInputStream());
        try {
            int status = process.waitFor();
            Output output = new Output(stdout, stderr.join());
            if (status != 0) {
                throw new ImageBuildException(String.join(" ", command) + " failed with status " + status + ": "
                        + (output.stderr().isBlank() ? output.stdout() : output.stderr()).strip());
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageBuildException("interrupted while running " + command.get(0), e);
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
