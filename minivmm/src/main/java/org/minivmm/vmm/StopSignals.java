package org.minivmm.vmm;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** While open, SIGINT and SIGTERM stop the VM cleanly instead of killing the process; closing restores the old handlers. */
public final class StopSignals implements VmRunner.Session {
    private static final String[] NAMES = {"INT", "TERM"};
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    public StopSignals(Vm vm) {
        for (String name : NAMES) {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, s -> vm.stop(StopReason.signalled(s.getNumber(), s.getName()))));
            signals.add(signal);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
