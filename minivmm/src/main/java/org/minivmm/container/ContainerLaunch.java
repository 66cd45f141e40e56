package org.minivmm.container;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.minivmm.rootfs.image.AppConfig;
import org.minivmm.rootfs.launch.LaunchConfig;

/** The launch config for a container: the image's app settings with the command line's overrides on top. */
final class ContainerLaunch {
    /** docker's default, for images that set no PATH. */
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ContainerLaunch() {
    }

    static LaunchConfig configFor(AppConfig app, ContainerOptions options, String rootDevice, LaunchConfig.Stdio stdio,
            Optional<String> execDevice) throws ContainerException {
        List<String> args = options.command().isEmpty() ? app.args() : options.command();
        if (args.isEmpty()) {
            throw new ContainerException(options.image() + " names no command to run; give one after the image,"
                    + " e.g. 'minivmm run " + options.image() + " -- /bin/sh -c \"echo hello\"'");
        }
        LaunchConfig.Builder builder = LaunchConfig.builder()
                .args(args)
                .env(environment(app.env(), options))
                .cwd(options.workdir().orElse(app.cwd()))
                .user(app.user())
                .supplementaryGids(app.supplementaryGids())
                .hostname(options.hostname())
                .rootDevice(rootDevice)
                .rootOptions(options.readOnlyRoot() ? LaunchConfig.DEFAULT_ROOT_OPTIONS + ",ro" : LaunchConfig.DEFAULT_ROOT_OPTIONS)
                .terminal(options.tty())
                .stdio(stdio)
                .execDevice(execDevice.orElse(null));
        if (!app.group().isEmpty()) {
            builder.group(app.group());
        }
        if (options.user().isPresent()) {
            String[] userAndGroup = options.user().get().split(":", 2);
            if (userAndGroup[0].isEmpty() || (userAndGroup.length == 2 && userAndGroup[1].isEmpty())) {
                throw new ContainerException("--user takes USER or USER:GROUP (names or numbers), not '"
                        + options.user().get() + "'");
            }
            builder.user(userAndGroup[0]).group(userAndGroup.length == 2 ? userAndGroup[1] : null).supplementaryGids(List.of());
        }
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ContainerException("cannot start the app: " + e.getMessage());
        }
    }

    /** The image's variables, each --env replacing one of the same name or added after them; PATH and TERM as docker sets them. */
    static List<String> environment(List<String> image, ContainerOptions options) throws ContainerException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String entry : image) {
            put(variables, entry, "the image's environment");
        }
        for (String entry : options.env()) {
            put(variables, entry, "--env");
        }
        variables.putIfAbsent("PATH", DEFAULT_PATH.substring("PATH=".length()));
        if (options.tty()) {
            variables.putIfAbsent("TERM", "xterm");
        }
        List<String> entries = new ArrayList<>();
        variables.forEach((key, value) -> entries.add(key + "=" + value));
        return entries;
    }

    private static void put(Map<String, String> variables, String entry, String source) throws ContainerException {
        int equals = entry.indexOf('=');
        if (equals <= 0) {
            throw new ContainerException(source + " entry '" + entry + "' must be KEY=VALUE with a non-empty KEY");
        }
        String key = entry.substring(0, equals);
        variables.remove(key); // a replaced variable moves to where the override puts it
        variables.put(key, entry.substring(equals + 1));
    }
}
