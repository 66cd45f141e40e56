package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reads a running minivmm's output until a line appears, so a test can look at the VM while it lives. */
final class RunningVmm {
    private RunningVmm() {
    }

    /** Returns everything read up to and including {@code line}; fails if the process ends first or takes over 60 s. */
    static String awaitLine(Process process, String line) throws InterruptedException {
        StringBuffer seen = new StringBuffer();
        CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
            try {
                InputStream in = process.getInputStream();
                for (int next; (next = in.read()) >= 0; ) {
                    seen.append((char) next);
                    if (next == '\n' && seen.toString().endsWith(line + "\n")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            if (!found.get(60, TimeUnit.SECONDS)) {
                fail("minivmm ended before printing " + line + ":\n" + seen);
            }
        } catch (TimeoutException e) {
            process.destroyForcibly();
            fail("no " + line + " within 60 s:\n" + seen);
        } catch (ExecutionException e) {
            fail("reading minivmm's output failed: " + e.getCause());
        }
        return seen.toString();
    }
}
