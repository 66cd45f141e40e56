package org.minivmm.bus;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An address space of device windows (the port-I/O space or the MMIO space). Windows never overlap:
 * registering one that does is a wiring bug and fails at once, naming both devices.
 */
public final class Bus {
    private record Window(long base, long size, String name, BusDevice device) {
        long end() {
            return base + size;
        }
    }

    private final String name;
    private final TreeMap<Long, Window> windows = new TreeMap<>();

    public Bus(String name) {
        this.name = name;
    }

    public synchronized void register(long base, long size, String deviceName, BusDevice device) {
        if (size <= 0 || base < 0 || base + size < base) {
            throw new IllegalArgumentException(String.format("%s: bad window 0x%x+0x%x for %s", name, base, size, deviceName));
        }
        Window window = new Window(base, size, deviceName, device);
        Map.Entry<Long, Window> below = windows.floorEntry(base);
        Map.Entry<Long, Window> above = windows.ceilingEntry(base);
        for (Map.Entry<Long, Window> neighbour : Arrays.asList(below, above)) {
            if (neighbour != null && overlaps(neighbour.getValue(), window)) {
                Window other = neighbour.getValue();
                throw new IllegalStateException(String.format("%s: %s at 0x%x+0x%x overlaps %s at 0x%x+0x%x",
                        name, deviceName, base, size, other.name(), other.base(), other.size()));
            }
        }
        windows.put(base, window);
    }

    private static boolean overlaps(Window a, Window b) {
        return a.base() < b.end() && b.base() < a.end();
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
        Map.Entry<Long, Window> entry;
        synchronized (this) {
            entry = windows.floorEntry(address);
        }
        if (entry == null || address + length > entry.getValue().end()) {
            return null;
        }
        return entry.getValue();
    }
}
