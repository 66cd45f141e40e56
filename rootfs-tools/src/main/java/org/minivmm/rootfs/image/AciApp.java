package org.minivmm.rootfs.image;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An appc app section (spec/aci.md), as an image manifest or a pod manifest's app override has it.
 *
 * @param config how to start the app
 * @param limits its resource/memory and resource/cpu isolators
 * @param otherIsolators the names of its other isolators, which a VM makes moot or minivmm does not apply
 * @param eventHandlers the names of its event handlers, which minivmm does not run
 * @param mountPoints "NAME (PATH)" of each mount point it declares
 */
public record AciApp(AppConfig config, ResourceLimits limits, List<String> otherIsolators, List<String> eventHandlers,
        List<String> mountPoints) {
    // spec/aci.md: environment names "consist solely of letters, digits, and underscores".
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z0-9_]+");

    public AciApp {
        otherIsolators = List.copyOf(otherIsolators);
        eventHandlers = List.copyOf(eventHandlers);
        mountPoints = List.copyOf(mountPoints);
    }

    static AciApp parse(JsonObject app) throws ImageBuildException {
        List<String> exec = app.stringList("exec");
        if (exec.isEmpty()) {
            throw app.invalid("exec", "must name the program to run");
        }
        if (!exec.get(0).startsWith("/")) {
            throw app.invalid("exec", "must start with an absolute path, not " + exec.get(0));
        }
        String user = app.string("user");
        String group = app.string("group");
        if (user.isEmpty() || group.isEmpty()) {
            throw new ImageBuildException(app.what() + ": user and group must not be empty");
        }
        String cwd = app.optionalString("workingDirectory").orElse("");
        if (cwd.isEmpty()) {
            cwd = "/";
        } else if (!cwd.startsWith("/")) {
            throw app.invalid("workingDirectory", "must be an absolute path, not " + cwd);
        }
        List<String> env = new ArrayList<>();
        for (JsonObject variable : app.objectList("environment")) {
            String name = variable.string("name");
            if (!ENV_NAME.matcher(name).matches()) {
                throw variable.invalid("name", "may hold only letters, digits and '_', not " + name);
            }
            env.add(name + "=" + variable.string("value"));
        }
        List<String> otherIsolators = new ArrayList<>();
        ResourceLimits limits = ResourceLimits.of(app.objectList("isolators"), otherIsolators);
        List<String> eventHandlers = new ArrayList<>();
        for (JsonObject handler : app.objectList("eventHandlers")) {
            eventHandlers.add(handler.string("name"));
        }
        List<String> mountPoints = new ArrayList<>();
        for (JsonObject mountPoint : app.objectList("mountPoints")) {
            mountPoints.add(mountPoint.string("name") + " (" + mountPoint.string("path") + ")");
        }
        return new AciApp(new AppConfig(exec, env, cwd, user, group, app.idList("supplementaryGIDs")), limits,
                otherIsolators, eventHandlers, mountPoints);
    }
}
