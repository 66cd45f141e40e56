package org.minivmm.rootfs.image;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The limits of appc's resource/memory and resource/cpu isolators, which size a container's VM.
 *
 * @param memoryBytes the memory limit, if any
 * @param cpuMillis the CPU limit in thousandths of a CPU, if any
 */
public record ResourceLimits(OptionalLong memoryBytes, OptionalLong cpuMillis) {
    public static final ResourceLimits NONE = new ResourceLimits(OptionalLong.empty(), OptionalLong.empty());
    static final String MEMORY = "resource/memory";
    static final String CPU = "resource/cpu";

    /** The limits among {@code isolators}; any other isolator is added to {@code ignored} by name. */
    static ResourceLimits of(List<JsonObject> isolators, List<String> ignored) throws ImageBuildException {
        OptionalLong memory = OptionalLong.empty();
        OptionalLong cpu = OptionalLong.empty();
        for (JsonObject isolator : isolators) {
            String name = isolator.string("name");
            if (name.equals(MEMORY)) {
                memory = limit(isolator, BigDecimal.ONE);
            } else if (name.equals(CPU)) {
                cpu = limit(isolator, BigDecimal.valueOf(1000));
            } else {
                ignored.add(name);
            }
        }
        return new ResourceLimits(memory, cpu);
    }

    private static OptionalLong limit(JsonObject isolator, BigDecimal unitsPerOne) throws ImageBuildException {
        JsonObject value = isolator.object("value");
        Optional<String> limit = value.optionalString("limit");
        if (limit.isEmpty()) {
            return OptionalLong.empty();
        }
        String what = value.what() + ": limit";
        return OptionalLong.of(toLong(ResourceQuantity.parse(limit.get(), what).multiply(unitsPerOne), what));
    }

    private static long toLong(BigDecimal units, String what) throws ImageBuildException {
        try {
            long whole = units.setScale(0, RoundingMode.CEILING).longValueExact();
            if (whole > 0) {
                return whole;
            }
        } catch (ArithmeticException e) {
            // reported below
        }
        throw new ImageBuildException(what + " must be more than 0 and fit in 64 bits");
    }

    /** These limits, with {@code pod}'s filling in what these lack (appc: a pod's isolators apply to every app). */
    public ResourceLimits orElse(ResourceLimits pod) {
        return new ResourceLimits(memoryBytes.isPresent() ? memoryBytes : pod.memoryBytes,
                cpuMillis.isPresent() ? cpuMillis : pod.cpuMillis);
    }
}
