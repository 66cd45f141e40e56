package org.minivmm.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.minivmm.virtio.net.NetBackend;
import org.minivmm.virtio.net.VirtioNet;
import org.minivmm.virtio.rng.VirtioRng;

/**
 * Seeded random drivers that break every rule: garbage descriptor tables and rings, loops, indices and
 * lengths out of range, random register writes. The device must answer each one, either by serving it
 * or by entering NEEDS_RESET with a reason; it must finish, and must never write the driver's own
 * descriptor table or avail ring (only the used ring and the buffers it was given). Guest memory itself
 * makes any access outside it impossible.
 */
class HostileDriverTest {
    private static final int CASES = 5000;
    private static final int QUEUE_SIZE = 16;
    private static final long QUEUE_BASE = 0x1000;
    private static final long QUEUE_STRIDE = 0x1000;

    /** The devices under attack, each with how many queues it serves. */
    enum Target {
        RNG(1) {
            @Override
            VirtioDevice create(Random random) {
                return new VirtioRng(() -> new ByteArrayInputStream(new byte[1 << 16]));
            }
        },
        /** Either queue: random receive buffers get frames of random length, random transmit chains are sent. */
        NET(2) {
            @Override
            VirtioDevice create(Random random) {
                return new VirtioNet(new NetBackend() {
                    @Override
                    public boolean send(byte[] frame, int offset, int length) {
                        return true;
                    }

                    @Override
                    public int receive(byte[] buffer) {
                        return random.nextInt(8) == 0 ? -1 : random.nextInt(0x2000);
                    }
                }, new byte[] {2, 0, 0, 0, 0, 1});
            }
        };

        final int queues;

        Target(int queues) {
            this.queues = queues;
        }

        abstract VirtioDevice create(Random random);
    }

    @ParameterizedTest
    @EnumSource(Target.class)
    void randomRingsAndChainsAreServedOrRefusedButNeverEscape(Target target) {
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int seed = 0; seed < CASES; seed++) {
                outcomes[runCase(target, seed) ? 1 : 0]++;
            }
        });
        // Both paths must really be exercised, or the test proves nothing.
        assertTrue(outcomes[0] > CASES / 20 && outcomes[1] > CASES / 20,
                target + ": served " + outcomes[0] + ", refused " + outcomes[1] + " of " + CASES);
    }

    /** Returns whether the device refused the driver (NEEDS_RESET); otherwise it served what it could. */
    private static boolean runCase(Target target, int seed) {
        Random random = new Random(seed);
        SimulatedDriver driver = new SimulatedDriver(target.create(new Random(~seed)));
        boolean indirect = random.nextBoolean();
        long features = VirtioMmio.F_VERSION_1 | (indirect ? VirtioMmio.F_RING_INDIRECT_DESC : 0)
                | (random.nextBoolean() ? VirtioMmio.F_RING_EVENT_IDX : 0);
        if (!driver.negotiate(features)) {
            throw new AssertionError("seed " + seed + ": valid features refused");
        }
        for (int queue = 0; queue < target.queues; queue++) {
            driver.setUpQueue(queue, QUEUE_SIZE, QUEUE_BASE + QUEUE_STRIDE * queue);
        }
        driver.driverOk();

        // One queue is attacked per case; the others stay empty, so a refusal is that queue's doing.
        int attacked = target.queues == 1 ? 0 : random.nextInt(target.queues);
        fillHostile(driver, attacked, random);
        byte[][] tablesBefore = new byte[target.queues][];
        byte[][] availsBefore = new byte[target.queues][];
        for (int queue = 0; queue < target.queues; queue++) {
            tablesBefore[queue] = driver.memory.read(driver.descriptorTable(queue), 16 * QUEUE_SIZE);
            availsBefore[queue] = driver.memory.read(driver.availRing(queue), 4 + 2 * QUEUE_SIZE);
        }

        if (random.nextInt(4) == 0) {
            driver.write(random.nextInt(0x100) & ~3, random.nextInt()); // a stray register write
        }
        for (int queue = 0; queue < target.queues; queue++) {
            driver.kick(queue);
        }
        driver.kick(random.nextInt(target.queues + 2)); // including queues that do not exist

        for (int queue = 0; queue < target.queues; queue++) {
            assertArrayEquals(tablesBefore[queue], driver.memory.read(driver.descriptorTable(queue), 16 * QUEUE_SIZE),
                    "seed " + seed + ": descriptor table " + queue + " written");
            assertArrayEquals(availsBefore[queue], driver.memory.read(driver.availRing(queue), 4 + 2 * QUEUE_SIZE),
                    "seed " + seed + ": avail ring " + queue + " written");
        }
        boolean refused = driver.needsReset();
        if (refused) {
            assertNotNull(driver.transport.problem(), "seed " + seed + ": NEEDS_RESET without a reason");
        }
        driver.write(0x070, 0);
        assertTrue(driver.read(0x070) == 0, "seed " + seed + ": reset did not clear the status");
        return refused;
    }

    /** Fills a queue's descriptor table and avail ring with plausible and hostile entries. */
    private static void fillHostile(SimulatedDriver driver, int queue, Random random) {
        long table = driver.descriptorTable(queue);
        int corruption = random.nextInt(4); // in a quarter of the cases every descriptor is plausible
        for (int i = 0; i < QUEUE_SIZE; i++) {
            if (corruption > 0 && random.nextInt(QUEUE_SIZE) < corruption) {
                driver.writeDescriptor(table + 16L * i, hostileAddress(random), hostileLength(random),
                        random.nextInt(8), random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(QUEUE_SIZE));
            } else {
                boolean chained = random.nextInt(3) == 0;
                driver.writeDescriptor(table + 16L * i, 0x20000 + 0x1000L * random.nextInt(16), 1 + random.nextInt(0x1000),
                        SimulatedDriver.F_WRITE | (chained ? SimulatedDriver.F_NEXT : 0), random.nextInt(QUEUE_SIZE));
            }
        }
        long avail = driver.availRing(queue);
        for (int i = 0; i < QUEUE_SIZE; i++) {
            driver.memory.writeShort(avail + 4 + 2L * i, (short) (random.nextBoolean() ? random.nextInt(QUEUE_SIZE) : random.nextInt(0x10000)));
        }
        driver.memory.writeShort(avail + 2, (short) (random.nextBoolean() ? random.nextInt(QUEUE_SIZE + 1) : random.nextInt(0x10000)));
    }

    /**
     * Mostly addresses near or past the end of guest memory, and some wild ones; never the ring area,
     * where a writable buffer would let the device write the rings legitimately, on the driver's request.
     */
    private static long hostileAddress(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextLong();
            case 1 -> SimulatedDriver.MEMORY_BYTES - random.nextInt(0x2000);
            default -> 0x20000 + random.nextInt(0x10000);
        };
    }

    private static int hostileLength(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt();
            case 1 -> 16 * random.nextInt(8);
            default -> random.nextInt(0x3000);
        };
    }
}
