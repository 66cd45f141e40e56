package org.minivmm.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The /proc/PID/smaps entries of one file's mappings in one process, summed, in bytes. */
record Smaps(List<Smaps.Mapping> all) {
    record Mapping(String range, long rss, long pss, long sharedClean, long privateClean, long privateDirty, long anonymous) {
    }

    static Smaps of(long pid, Path file) throws IOException {
        List<Mapping> mappings = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/" + pid + "/smaps"));
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.endsWith(" " + file) && !line.endsWith("\t" + file)) {
                continue;
            }
            long[] fields = new long[6];
            String[] names = {"Rss:", "Pss:", "Shared_Clean:", "Private_Clean:", "Private_Dirty:", "Anonymous:"};
            for (int j = i + 1; j < lines.size() && !lines.get(j).matches("^[0-9a-f]+-[0-9a-f]+ .*"); j++) {
                String[] parts = lines.get(j).trim().split("\\s+");
                for (int k = 0; k < names.length; k++) {
                    if (parts[0].equals(names[k])) {
                        fields[k] = Long.parseLong(parts[1]) * 1024;
                    }
                }
            }
            mappings.add(new Mapping(line.split(" ")[0], fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]));
        }
        return new Smaps(mappings);
    }

    long rss() {
        return all.stream().mapToLong(Mapping::rss).sum();
    }

    long pss() {
        return all.stream().mapToLong(Mapping::pss).sum();
    }

    long sharedClean() {
        return all.stream().mapToLong(Mapping::sharedClean).sum();
    }

    long privateDirty() {
        return all.stream().mapToLong(Mapping::privateDirty).sum();
    }

    long anonymous() {
        return all.stream().mapToLong(Mapping::anonymous).sum();
    }
}
