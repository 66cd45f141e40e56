package org.minivmm.container;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;
import org.minivmm.host.Terminal;
import org.minivmm.rootfs.launch.StdinFraming;
import org.minivmm.vmm.BootTimeline;
import org.minivmm.vmm.StopReason;
import org.minivmm.vmm.Vm;
import org.minivmm.vmm.VmRunner;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A running container, seen from the host: SIGINT and SIGTERM go to the app (over the control console)
 * and, if it has not exited after the grace period, the VM is stopped; standard input flows to the app
 * once the init says it is ready (framed, with an end), or raw into the app's terminal with a tty; and the
 * exec socket, if any, serves its clients over the exec console.
 */
final class ContainerSession implements VmRunner.Session {
    private static final String[] FORWARDED = {"INT", "TERM"};

    /** What the init reports on its event port (codes from the init's events.h); called on a vCPU thread. */
    static final class Events implements IntConsumer {
        private static final int INIT_STARTED = 1;
        private static final int STDIN_READY = 2;
        private static final int APP_EXEC = 3;
        private static final int APP_EXITED = 4;
        private static final int EXEC_READY = 5;
        private static final int EXEC_ENDED = 6;
        final CountDownLatch stdinReady = new CountDownLatch(1);
        private final Optional<ExecBridge> exec;

        Events(Optional<ExecBridge> exec) {
            this.exec = exec;
        }

        @Override
        public void accept(int event) {
            switch (event) {
                case INIT_STARTED -> BootTimeline.mark(BootTimeline.Phase.INIT_STARTED);
                case STDIN_READY -> stdinReady.countDown();
                case APP_EXEC -> BootTimeline.mark(BootTimeline.Phase.APP_EXEC);
                case APP_EXITED -> BootTimeline.mark(BootTimeline.Phase.APP_EXITED);
                case EXEC_READY -> exec.ifPresent(ExecBridge::guestReady);
                case EXEC_ENDED -> exec.ifPresent(ExecBridge::guestEnded);
                default -> { } // a newer init's event: nothing to do with it
            }
        }
    }

    private final Vm vm;
    private final ContainerOptions options;
    private final Optional<ExecBridge> exec;
    private final Terminal terminal;
    private final Timer graceTimer = new Timer("stop-grace", true);
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private boolean graceStarted;

    ContainerSession(Vm vm, ContainerOptions options, Events events, Path launchFile, Optional<ExecBridge> exec) {
        this.vm = vm;
        this.options = options;
        this.exec = exec;
        // The disk holding the launch config is open now: its file is no longer needed.
        ContainerRunner.deleteQuietly(launchFile);
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, this::forward));
            signals.add(signal);
        }
        terminal = options.tty() ? Terminal.rawIfTerminal() : null;
        Thread input = new Thread(() -> pumpInput(events), "container-stdin");
        input.setDaemon(true); // a read of standard input cannot be interrupted; it ends with the process
        input.start();
        exec.ifPresent(bridge -> bridge.start(frame -> vm.sendToConsole(ContainerRunner.EXEC_CONSOLE, frame, frame.length)));
    }

    /** On the JVM's signal thread: tell the app, and give it the grace period. */
    private void forward(Signal signal) {
        try {
            vm.sendToConsole(ContainerRunner.CONTROL_CONSOLE, new byte[] {(byte) signal.getNumber()}, 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (graceStarted) {
                return;
            }
            graceStarted = true;
        }
        graceTimer.schedule(new TimerTask() {
            @Override
            public void run() {
                vm.stop(new StopReason(StopReason.Kind.SIGNALLED, 9, "the app did not exit within "
                        + options.grace().toSeconds() + "s of SIG" + signal.getName() + "; stopped the container"));
            }
        }, options.grace().toMillis());
    }

    private void pumpInput(Events events) {
        byte[] buffer = new byte[4096];
        InputStream in = System.in;
        try {
            if (!options.tty()) {
                events.stdinReady.await();
            }
            if (options.forwardInput()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    byte[] bytes = options.tty() ? buffer : StdinFraming.encode(buffer, n);
                    vm.sendToConsole(ContainerRunner.STDOUT_CONSOLE, bytes, options.tty() ? n : bytes.length);
                }
            }
        } catch (IOException e) {
            // Standard input failed: treat it as its end.
        } catch (InterruptedException e) {
            return;
        }
        if (!options.tty()) {
            byte[] end = StdinFraming.end();
            try {
                vm.sendToConsole(ContainerRunner.STDOUT_CONSOLE, end, end.length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        // Before the VM closes: the bridge's threads stop sending to its console, and its clients are let go.
        exec.ifPresent(ExecBridge::close);
        graceTimer.cancel();
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        if (terminal != null) {
            terminal.close();
        }
    }
}
