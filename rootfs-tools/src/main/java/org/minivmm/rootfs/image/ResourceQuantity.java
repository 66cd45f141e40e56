package org.minivmm.rootfs.image;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quantities of appc's resource isolators, written as Kubernetes writes them (appc spec/ace.md
 * refers to its resource model): "512M" is 512 * 10^6, "512Mi" 512 * 2^20, "500m" half a unit,
 * "1.5", "2e3".
 */
final class ResourceQuantity {
    private static final Pattern QUANTITY = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)([a-zA-Z]*|[eE][+-]?\\d{1,3})");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.TEN.pow(3)), Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)), Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("P", BigDecimal.TEN.pow(15)), Map.entry("E", BigDecimal.TEN.pow(18)),
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)), Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)), Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
            Map.entry("Pi", BigDecimal.valueOf(2).pow(50)), Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));

    private ResourceQuantity() {
    }

    /** The quantity as a number of units, or an error naming {@code what} and the text. */
    static BigDecimal parse(String text, String what) throws ImageBuildException {
        Matcher matcher = QUANTITY.matcher(text);
        if (matcher.matches()) {
            BigDecimal number = new BigDecimal(matcher.group(1));
            String suffix = matcher.group(2);
            if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')
                    && !SUFFIXES.containsKey(suffix)) {
                return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
            }
            BigDecimal multiplier = SUFFIXES.get(suffix);
            if (multiplier != null) {
                return number.multiply(multiplier);
            }
        }
        throw new ImageBuildException(what + " is \"" + text + "\", not a quantity such as 512Mi, 1G, 500m or 2");
    }
}
