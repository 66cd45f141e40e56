package org.minivmm.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * jffi unpacks its JNI stub from the jar into a temporary file at every start, which cost about 35 ms
 * of minivmm's start-up here. Unpacked once into the cache, it is loaded from there instead. Must run
 * before the first jffi call; if the cache cannot be written, jffi falls back to its own way.
 */
final class JffiStub {
    private static final String PROPERTY = "jffi.boot.library.path";
    private static final String NAME = "libjffi-" + com.kenai.jffi.Version.MAJOR + "." + com.kenai.jffi.Version.MINOR + ".so";
    private static final String RESOURCE = "/jni/x86_64-Linux/" + NAME;

    private JffiStub() {
    }

    static void useCachedCopy() {
        if (System.getProperty(PROPERTY) != null || !System.getProperty("os.arch").equals("amd64")) {
            return;
        }
        try {
            Path directory = CacheDirectory.resolve("jffi-" + jffiVersion());
            Path stub = directory.resolve(NAME);
            if (!Files.exists(stub)) {
                unpack(directory, stub);
            }
            System.setProperty(PROPERTY, directory.toString());
        } catch (IOException e) {
            // Not fatal: jffi unpacks to the temporary directory as usual.
        }
    }

    /** The jffi release in the jar, which names its stub exactly; the build writes it into jffi.properties. */
    private static String jffiVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = JffiStub.class.getResourceAsStream("jffi.properties")) {
            if (in == null) {
                throw new IOException("jffi.properties is not in the jar");
            }
            properties.load(in);
        }
        return properties.getProperty("version");
    }

    private static void unpack(Path directory, Path stub) throws IOException {
        try (InputStream in = JffiStub.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException(RESOURCE + " is not in the jar");
            }
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, NAME, ".tmp");
            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temporary, stub, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
