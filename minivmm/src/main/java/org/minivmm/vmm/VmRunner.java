package org.minivmm.vmm;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Timer;
import java.util.TimerTask;
import java.util.function.Function;
import org.minivmm.boot.KernelFormatException;
import org.minivmm.dax.ImageRuleException;
import org.minivmm.host.NativeException;
import org.minivmm.kvm.Kvm;
import org.minivmm.kvm.KvmException;

/** Builds, runs and tears down one VM, turning what can go wrong before it runs into one clear sentence. */
public final class VmRunner {
    private VmRunner() {
    }

    /** What watches a running VM from outside (signals, input); closed when the VM has stopped. */
    public interface Session extends AutoCloseable {
        @Override
        void close();
    }

    /** The VM could not be set up; the message says what was wrong and what to do. */
    public static final class SetupFailure extends Exception {
        SetupFailure(String message) {
            super(message);
        }
    }

    /**
     * Runs the VM until it stops, or until {@code timeout} (null: none) passes and it is stopped. SIGINT and
     * SIGTERM stop it cleanly.
     */
    public static StopReason run(VmConfig config, Duration timeout) throws SetupFailure {
        return run(config, timeout, StopSignals::new);
    }

    /**
     * Like {@link #run(VmConfig, Duration)}, with {@code whileRunning} in charge of signals instead: it is
     * given the built VM before it starts and closed once the VM has stopped.
     */
    public static StopReason run(VmConfig config, Duration timeout, Function<Vm, Session> whileRunning)
            throws SetupFailure {
        try (Vm vm = VmBuilder.build(config); Session session = whileRunning.apply(vm)) {
            if (timeout == null) {
                return vm.run();
            }
            Timer watchdog = new Timer("vm-timeout", true);
            watchdog.schedule(new TimerTask() {
                @Override
                public void run() {
                    vm.stop(StopReason.timedOut(timeout));
                }
            }, timeout.toMillis());
            try {
                return vm.run();
            } finally {
                watchdog.cancel();
            }
        } catch (KernelFormatException | ImageRuleException e) {
            // Both name the file in their messages already.
            throw new SetupFailure(e.getMessage());
        } catch (NoSuchFileException e) {
            throw new SetupFailure(e.getFile() + ": no such file");
        } catch (IOException e) {
            throw new SetupFailure("cannot read " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new SetupFailure(e.getMessage());
        } catch (NativeException e) {
            throw new SetupFailure(explain(e));
        } catch (KvmException e) {
            throw new SetupFailure(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SetupFailure("interrupted while waiting for the VM");
        } finally {
            BootTimeline.mark(BootTimeline.Phase.VM_TORN_DOWN);
        }
    }

    private static String explain(NativeException e) {
        if (e.getMessage().startsWith("open " + Kvm.DEVICE)) {
            return e.getMessage() + ": KVM is needed; run 'minivmm check' to see what this host offers"
                    + " (is the kvm module loaded, and may this user open " + Kvm.DEVICE + "?)";
        }
        return e.getMessage();
    }
}
