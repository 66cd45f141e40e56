package org.minivmm.rootfs.image;

import java.util.List;
import java.util.Objects;

/**
 * How to start a container's process, as read from an image (appc app section, OCI image config,
 * OCI runtime config.json), independent of any format. Names are resolved in the guest, against
 * the image's own /etc/passwd and /etc/group, by the guest init.
 *
 * @param args the program and its arguments; empty when the image names none
 * @param env {@code NAME=value} strings, in order
 * @param cwd the working directory, an absolute path
 * @param user a user name, a decimal uid, or (appc) an absolute path whose owner is the user.
 *     appc and OCI both say: resolve it as a name first, and only if no such user exists use it as
 *     a number.
 * @param group a group name, a decimal gid, or (appc) an absolute path whose group is used; empty
 *     means the user's primary group from /etc/passwd plus the user's supplementary groups from
 *     /etc/group (the OCI image rule for a {@code User} without a group)
 * @param supplementaryGids extra gids, given as numbers, added to whatever the group rule yields
 */
public record AppConfig(List<String> args, List<String> env, String cwd, String user, String group,
        List<Long> supplementaryGids) {
    public static final String ROOT = "0";

    /** Root in /, with no program: what a plain root filesystem gets unless the caller says otherwise. */
    public static final AppConfig EMPTY = new AppConfig(List.of(), List.of(), "/", ROOT, ROOT, List.of());

    public AppConfig {
        args = List.copyOf(args);
        env = List.copyOf(env);
        supplementaryGids = List.copyOf(supplementaryGids);
        Objects.requireNonNull(cwd, "cwd");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd must be an absolute path: " + cwd);
        }
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
    }
}
