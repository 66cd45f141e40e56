package org.minivmm.rootfs.launch;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the guest init runs in a container VM: the app's command line, environment, working directory and
 * identity, the VM's hostname, and the container's root device. {@link LaunchConfigWriter} encodes it for the
 * init. Every value is checked when the config is made, so that a config that exists can be encoded and the
 * init will accept it.
 *
 * @param args the command line; {@code args.get(0)} is searched in the PATH of {@code env} when it has no '/'
 * @param env "KEY=VALUE" entries, exactly the app's environment
 * @param cwd an absolute path
 * @param user a user name from the container's /etc/passwd, or a decimal uid
 * @param group a group name from the container's /etc/group, or a decimal gid; empty: the user's primary group
 *     when {@code user} is a name, else gid 0
 * @param supplementaryGids the app's supplementary groups
 * @param hostname empty: the init leaves the hostname alone
 * @param rootDevice the guest's device holding the container's root file system, e.g. "/dev/pmem1"
 * @param rootFstype its file system type
 * @param rootOptions its mount options, comma-separated as for mount(8); may be empty
 * @param terminal whether the app's terminal ({@code stdoutDevice}, else the console) becomes its stdin, stdout,
 *     stderr and controlling terminal
 * @param stdio the guest devices that carry the app's standard streams and the host's signals
 * @param execDevice a guest tty on which the init serves the host's requests to run commands in the container
 *     ({@link ExecProtocol}); empty: none
 */
public record LaunchConfig(List<String> args, List<String> env, String cwd, String user, Optional<String> group,
        List<Long> supplementaryGids, Optional<String> hostname, String rootDevice, String rootFstype,
        String rootOptions, boolean terminal, Stdio stdio, Optional<String> execDevice) {
    public static final String DEFAULT_CWD = "/";
    public static final String DEFAULT_USER = "0";
    public static final String DEFAULT_ROOT_FSTYPE = "ext4";
    public static final String DEFAULT_ROOT_OPTIONS = "dax";
    /** Linux's limit for {@code sethostname}, in bytes. */
    public static final int MAX_HOSTNAME_BYTES = 64;
    /** (uid_t) -1 and (gid_t) -1 mean "unchanged" to the kernel. */
    public static final long MAX_ID = 0xFFFF_FFFEL;

    /**
     * Guest devices (ttys such as "/dev/hvc0") for the app's streams; empty: the console. The init relays
     * {@code stdin} into a pipe, framed as {@link StdinFraming} says, puts the output ones in raw mode, and
     * reads signal numbers, one byte each, from {@code control}.
     */
    public record Stdio(Optional<String> stdin, Optional<String> stdout, Optional<String> stderr,
            Optional<String> control) {
        public static final Stdio CONSOLE = new Stdio(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

        public Stdio {
            for (Optional<String> device : List.of(stdin, stdout, stderr, control)) {
                device.ifPresent(path -> checkDevice("stdio device", path));
            }
        }
    }

    public LaunchConfig {
        Objects.requireNonNull(stdio, "stdio");
        args = List.copyOf(args);
        env = List.copyOf(env);
        supplementaryGids = List.copyOf(supplementaryGids);
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(execDevice, "execDevice");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("the app's command line (args) needs at least one argument");
        }
        args.forEach(arg -> checkText("args", arg));
        env.forEach(LaunchConfig::checkEnvEntry);
        checkText("cwd", cwd);
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("cwd \"" + cwd + "\" must be an absolute path");
        }
        checkIdentity("user", "uid", user);
        group.ifPresent(name -> checkIdentity("group", "gid", name));
        supplementaryGids.forEach(LaunchConfig::checkSupplementaryGid);
        hostname.ifPresent(LaunchConfig::checkHostname);
        execDevice.ifPresent(path -> checkDevice("exec device", path));
        checkNotEmpty("rootDevice", rootDevice);
        checkNotEmpty("rootFstype", rootFstype);
        checkText("rootOptions", rootOptions);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The init reads values as UTF-8 without NUL, so they pass as C strings. */
    private static void checkText(String field, String value) {
        Objects.requireNonNull(value, field);
        int nul = value.indexOf('\0');
        if (nul >= 0) {
            throw new IllegalArgumentException(field + " value \"" + value.replace('\0', '?')
                    + "\" contains a NUL character at position " + nul + "; the init cannot pass it on");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
            throw new IllegalArgumentException(field + " value \"" + value
                    + "\" has an unpaired surrogate character, which UTF-8 cannot encode");
        }
    }

    private static void checkDevice(String field, String path) {
        checkText(field, path);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(field + " \"" + path + "\" must be an absolute path");
        }
    }

    private static void checkNotEmpty(String field, String value) {
        checkText(field, value);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
    }

    private static void checkEnvEntry(String entry) {
        checkText("env", entry);
        if (entry.indexOf('=') <= 0) {
            throw new IllegalArgumentException("env entry \"" + entry + "\" must be KEY=VALUE with a non-empty KEY");
        }
    }

    /** A name, or an id when all digits. */
    private static void checkIdentity(String field, String idKind, String value) {
        checkNotEmpty(field, value);
        if (value.chars().allMatch(c -> c >= '0' && c <= '9') && !fitsId(value)) {
            throw new IllegalArgumentException(field + " " + value + " is not a valid " + idKind + " (at most "
                    + MAX_ID + ")");
        }
    }

    private static boolean fitsId(String digits) {
        String significant = digits.replaceFirst("^0+(?=.)", "");
        return significant.length() <= 10 && Long.parseLong(significant) <= MAX_ID;
    }

    private static void checkSupplementaryGid(Long gid) {
        Objects.requireNonNull(gid, "supplementaryGids");
        if (gid < 0 || gid > MAX_ID) {
            throw new IllegalArgumentException("supplementary gid " + gid + " is not between 0 and " + MAX_ID);
        }
    }

    private static void checkHostname(String hostname) {
        checkText("hostname", hostname);
        int bytes = hostname.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_HOSTNAME_BYTES) {
            throw new IllegalArgumentException("hostname \"" + hostname + "\" is " + bytes
                    + " bytes in UTF-8; it must be 1 to " + MAX_HOSTNAME_BYTES);
        }
    }

    /** Collects the fields; {@link #build} checks them. Everything but args and rootDevice has a default. */
    public static final class Builder {
        private final List<String> args = new ArrayList<>();
        private final List<String> env = new ArrayList<>();
        private String cwd = DEFAULT_CWD;
        private String user = DEFAULT_USER;
        private String group;
        private final List<Long> supplementaryGids = new ArrayList<>();
        private String hostname;
        private String rootDevice;
        private String rootFstype = DEFAULT_ROOT_FSTYPE;
        private String rootOptions = DEFAULT_ROOT_OPTIONS;
        private boolean terminal;
        private Stdio stdio = Stdio.CONSOLE;
        private String execDevice;

        private Builder() {
        }

        public Builder args(List<String> args) {
            this.args.clear();
            this.args.addAll(args);
            return this;
        }

        public Builder args(String... args) {
            return args(List.of(args));
        }

        /** Replaces the entries so far with these "KEY=VALUE" entries. */
        public Builder env(List<String> env) {
            this.env.clear();
            this.env.addAll(env);
            return this;
        }

        /** Adds "KEY=VALUE" after the entries so far. */
        public Builder env(String key, String value) {
            env.add(key + "=" + value);
            return this;
        }

        public Builder cwd(String cwd) {
            this.cwd = cwd;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder supplementaryGids(List<Long> gids) {
            supplementaryGids.clear();
            supplementaryGids.addAll(gids);
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        public Builder rootDevice(String rootDevice) {
            this.rootDevice = rootDevice;
            return this;
        }

        public Builder rootFstype(String rootFstype) {
            this.rootFstype = rootFstype;
            return this;
        }

        public Builder rootOptions(String rootOptions) {
            this.rootOptions = rootOptions;
            return this;
        }

        public Builder terminal(boolean terminal) {
            this.terminal = terminal;
            return this;
        }

        public Builder stdio(Stdio stdio) {
            this.stdio = stdio;
            return this;
        }

        public Builder execDevice(String execDevice) {
            this.execDevice = execDevice;
            return this;
        }

        /** @throws IllegalArgumentException naming the first problem found */
        public LaunchConfig build() {
            if (rootDevice == null) {
                throw new IllegalArgumentException("rootDevice is missing: the init must know which device to mount as /");
            }
            return new LaunchConfig(args, env, cwd, user, Optional.ofNullable(group), supplementaryGids,
                    Optional.ofNullable(hostname), rootDevice, rootFstype, rootOptions, terminal, stdio,
                    Optional.ofNullable(execDevice));
        }
    }
}
