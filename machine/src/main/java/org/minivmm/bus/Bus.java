package org.minivmm.bus;

import java.util.Arrays;

/**
 * An address space of device windows (the port-I/O space or the MMIO space). Windows never overlap:
 * registering one that does is a wiring bug and fails at once, naming both devices. Lookups run on
 * every vCPU exit, so they take no lock and allocate nothing: registration publishes a new sorted
 * array of window starts, and a lookup is a binary search over it.
 */
public final class Bus {
    private record Window(long base, long size, String name, BusDevice device) {
        long end() {
            return base + size;
        }
    }

    /** Windows sorted by base, and their bases alone; replaced together on every registration. */
    private record Layout(long[] bases, Window[] windows) {
    }

    private final String name;
    private volatile Layout layout = new Layout(new long[0], new Window[0]);

    public Bus(String name) {
        this.name = name;
    }

    public synchronized void register(long base, long size, String deviceName, BusDevice device) {
        if (size <= 0 || base < 0 || base + size < base) {
            throw new IllegalArgumentException(String.format("%s: bad window 0x%x+0x%x for %s", name, base, size, deviceName));
        }
        Window window = new Window(base, size, deviceName, device);
        for (Window other : layout.windows()) {
            if (other.base() < window.end() && window.base() < other.end()) {
                throw new IllegalStateException(String.format("%s: %s at 0x%x+0x%x overlaps %s at 0x%x+0x%x",
                        name, deviceName, base, size, other.name(), other.base(), other.size()));
            }
        }
        Window[] windows = Arrays.copyOf(layout.windows(), layout.windows().length + 1);
        windows[windows.length - 1] = window;
        Arrays.sort(windows, (a, b) -> Long.compare(a.base(), b.base()));
        long[] bases = Arrays.stream(windows).mapToLong(Window::base).toArray();
        layout = new Layout(bases, windows);
    }

    /** Dispatches a read; returns false (with {@code data} all ones, like an empty ISA bus) when nothing is there. */
    public boolean read(long address, byte[] data) {
        Window window = find(address, data.length);
        if (window == null) {
            Arrays.fill(data, (byte) 0xff);
            return false;
        }
        window.device().read(address - window.base(), data);
        return true;
    }

    /** Dispatches a write; returns false when nothing is there and the write was dropped. */
    public boolean write(long address, byte[] data) {
        Window window = find(address, data.length);
        if (window == null) {
            return false;
        }
        window.device().write(address - window.base(), data);
        return true;
    }

    private Window find(long address, int length) {
        Layout current = layout;
        int index = Arrays.binarySearch(current.bases(), address);
        if (index < 0) {
            index = -index - 2; // the window starting below the address, if any
        }
        if (index < 0 || address + length > current.windows()[index].end()) {
            return null;
        }
        return current.windows()[index];
    }
}
