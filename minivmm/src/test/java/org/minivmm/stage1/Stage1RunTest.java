package org.minivmm.stage1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.minivmm.rootfs.image.ResourceLimits;

class Stage1RunTest {
    private static ResourceLimits memory(long bytes) {
        return new ResourceLimits(OptionalLong.of(bytes), OptionalLong.empty());
    }

    private static ResourceLimits cpu(long millis) {
        return new ResourceLimits(OptionalLong.empty(), OptionalLong.of(millis));
    }

    @Test
    void theVmGetsTheMemoryLimitPlusTheGuestsOwnShare() throws Stage1Exception {
        assertEquals(128L << 20, Stage1Run.ramBytes(ResourceLimits.NONE));
        assertEquals((256L + 32) << 20, Stage1Run.ramBytes(memory(256L << 20)));
        // 1G is 10^9 bytes: rounded up to whole 2 MiB pages.
        assertEquals((954L + 32) << 20, Stage1Run.ramBytes(memory(1_000_000_000L)));
        // A tiny limit still leaves the kernel and init room: 32 MiB is the smallest that boots.
        assertEquals(34L << 20, Stage1Run.ramBytes(memory(1)));
        assertEquals("the resource/memory limit, 1099511627777 bytes, is more than the 1024 GiB minivmm gives one VM",
                assertThrows(Stage1Exception.class, () -> Stage1Run.ramBytes(memory((1L << 40) + 1))).getMessage());
    }

    @Test
    void theVmGetsWholeCpusEnoughForTheCpuLimit() {
        assertEquals(1, Stage1Run.cpus(ResourceLimits.NONE));
        assertEquals(1, Stage1Run.cpus(cpu(250)));
        assertEquals(1, Stage1Run.cpus(cpu(1000)));
        assertEquals(2, Stage1Run.cpus(cpu(1500)));
        assertEquals(Integer.MAX_VALUE, Stage1Run.cpus(cpu(Long.MAX_VALUE)));
    }

    @Test
    void eachEntrypointScriptStartsItsCommandOnThePodItSitsIn() {
        String run = Stage1Aci.entrypointScript("run");
        assertEquals("#!/bin/sh\n", run.substring(0, 10));
        assertEquals(true, run.contains("exec \"$here/minivmm\" stage1 run --pod-dir=\"$here/../../..\" \"$@\"\n"), run);
        assertEquals(true, Stage1Aci.entrypointScript("gc").contains(" stage1 gc "));
    }
}
