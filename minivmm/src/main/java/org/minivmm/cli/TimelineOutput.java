package org.minivmm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.minivmm.vmm.BootTimeline;
import org.minivmm.vmm.Log;

/** {@code --boot-timeline}: the phases reached, as text on stderr or as JSON in a file. */
final class TimelineOutput {
    /** Set by scripts/minivmm from bash's $EPOCHREALTIME, so the JVM's own start-up is counted. */
    static final String LAUNCH_ENVIRONMENT = "MINIVMM_LAUNCH_US";

    private TimelineOutput() {
    }

    /** To stderr if {@code text}, and as JSON to {@code json} unless it is null. */
    static void write(boolean text, Path json) {
        BootTimeline.mark(BootTimeline.Phase.PROCESS_EXIT);
        String origin = System.getenv(LAUNCH_ENVIRONMENT) != null ? "the launcher started" : "the JVM process started";
        List<BootTimeline.Mark> marks = BootTimeline.marks(originMicros());
        if (text) {
            Log.info("boot timeline, ms since " + origin + ":");
            for (BootTimeline.Mark mark : marks) {
                Log.info(String.format(Locale.ROOT, "  %-20s %9.1f", mark.phase().label, mark.millis()));
            }
        }
        if (json != null) {
            writeJson(json, origin, marks);
        }
    }

    private static void writeJson(Path destination, String origin, List<BootTimeline.Mark> marks) {
        StringBuilder json = new StringBuilder("{\n  \"origin\": \"" + origin + "\",\n  \"ms\": {");
        for (int i = 0; i < marks.size(); i++) {
            json.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT, "    \"%s\": %.3f",
                    marks.get(i).phase().name().toLowerCase(Locale.ROOT), marks.get(i).millis()));
        }
        json.append("\n  }\n}\n");
        try {
            Files.writeString(destination, json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            Log.error("cannot write the boot timeline to " + destination + ": " + e.getMessage());
        }
    }

    private static long originMicros() {
        String launched = System.getenv(LAUNCH_ENVIRONMENT);
        if (launched != null) {
            try {
                return Long.parseLong(launched);
            } catch (NumberFormatException e) {
                Log.warn(LAUNCH_ENVIRONMENT + "=" + launched + " is not microseconds since the epoch; using the JVM's start");
            }
        }
        Instant start = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        return ChronoUnit.MICROS.between(Instant.EPOCH, start);
    }
}
