package org.minivmm.host;

import java.nio.file.Path;

/** ~/.cache/minivmm (or $XDG_CACHE_HOME/minivmm): where costly results are kept between runs. */
public final class CacheDirectory {
    private CacheDirectory() {
    }

    public static Path resolve(String child) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("minivmm").resolve(child);
    }
}
