package org.minivmm.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Memory sizes as kvmtool and QEMU take them: a plain number is MiB; K, M, G and T suffixes are binary. */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String text = value.trim().toUpperCase(Locale.ROOT);
        if (text.endsWith("IB") || text.endsWith("B")) {
            text = text.substring(0, text.length() - (text.endsWith("IB") ? 2 : 1));
        }
        int shift = 20;
        if (!text.isEmpty() && "KMGT".indexOf(text.charAt(text.length() - 1)) >= 0) {
            shift = 10 * ("KMGT".indexOf(text.charAt(text.length() - 1)) + 1);
            text = text.substring(0, text.length() - 1);
        }
        try {
            long number = Long.parseLong(text);
            if (number <= 0 || number > (Long.MAX_VALUE >> shift)) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a usable memory size");
            }
            return number << shift;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a memory size; use e.g. 128M, 1G or 256 (MiB)");
        }
    }
}
