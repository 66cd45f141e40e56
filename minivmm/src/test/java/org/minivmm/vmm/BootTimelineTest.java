package org.minivmm.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootTimelineTest {
    @Test
    void aPhaseKeepsWhenItWasFirstReachedAndMarksComeInPhaseOrder() throws InterruptedException {
        long origin = BootTimeline.nowMicros();
        BootTimeline.mark(BootTimeline.Phase.APP_EXITED);
        Thread.sleep(5);
        BootTimeline.mark(BootTimeline.Phase.INIT_STARTED);
        BootTimeline.mark(BootTimeline.Phase.APP_EXITED);

        List<BootTimeline.Mark> marks = BootTimeline.marks(origin).stream()
                .filter(mark -> mark.phase() == BootTimeline.Phase.INIT_STARTED || mark.phase() == BootTimeline.Phase.APP_EXITED)
                .toList();
        assertEquals(List.of(BootTimeline.Phase.INIT_STARTED, BootTimeline.Phase.APP_EXITED),
                marks.stream().map(BootTimeline.Mark::phase).toList(), "listed in phase order, not marking order");
        assertTrue(marks.get(1).millis() < marks.get(0).millis(), "the second APP_EXITED mark did not move it: " + marks);
        assertTrue(marks.get(1).millis() >= 0 && marks.get(0).millis() >= 5, marks.toString());
    }
}
