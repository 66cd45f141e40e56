package org.minivmm.bus;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a console device's bytes leave for the host: written and flushed at once. If the host's reader
 * goes away (a closed pipe), later output is dropped and the guest keeps running.
 */
public final class HostOutput {
    private final OutputStream output;
    private boolean broken;

    public HostOutput(OutputStream output) {
        this.output = output;
    }

    public synchronized void write(byte[] bytes) {
        if (broken) {
            return;
        }
        try {
            output.write(bytes);
            output.flush();
        } catch (IOException e) {
            broken = true;
        }
    }
}
