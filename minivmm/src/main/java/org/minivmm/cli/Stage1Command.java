package org.minivmm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.minivmm.container.ContainerException;
import org.minivmm.stage1.Stage1Aci;
import org.minivmm.stage1.Stage1Enter;
import org.minivmm.stage1.Stage1Gc;
import org.minivmm.stage1.Stage1Run;
import org.minivmm.stage1.Stage1Stop;
import org.minivmm.vmm.Log;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "stage1", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"minivmm as rkt's stage1: each pod in its own VM (see the README's rkt section).",
            "build-aci makes the stage1 image; rkt runs the other commands through that image's entrypoints."},
        subcommands = {Stage1Command.BuildAci.class, Stage1Command.Run.class, Stage1Command.Enter.class,
            Stage1Command.Stop.class, Stage1Command.Gc.class})
final class Stage1Command {
    /** What every entrypoint is told of its pod: its UUID by rkt, its directory by the entrypoint script. */
    static final class PodArguments {
        @Option(names = "--pod-dir", paramLabel = "DIR", hidden = true, defaultValue = ".",
                description = "The pod directory (default: the current one, where rkt starts stage1).")
        Path directory;

        @Parameters(paramLabel = "UUID", description = "The pod's UUID.")
        String uuid;
    }

    @Command(name = "build-aci", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Writes the stage1 image for 'rkt run --stage1-path=FILE': an ACI with the run, enter, stop"
                + " and gc entrypoints, minivmm's launcher and jar, the guest kernel and the runtime image.",
                "The host needs Java 17 or later (java on PATH, or JAVA_HOME) and hardware KVM."})
    static final class BuildAci implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "Where to write the ACI.")
        Path output;

        @Option(names = "--kernel", paramLabel = "FILE",
                description = "The guest kernel to carry (default: $MINIVMM_KERNEL, else the one kernel-config builds).")
        Path kernel;

        @Override
        public Integer call() throws IOException {
            try {
                Stage1Aci.Payload payload = Stage1Aci.thisInstallation(Optional.ofNullable(kernel), ImageCommand.PROGRESS);
                Log.info("writing " + output);
                Stage1Aci.write(payload, Main.Version.number(), output);
                return ExitCodes.OK;
            } catch (ContainerException e) {
                Log.error(e.getMessage());
                return ExitCodes.VMM_FAILURE;
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "rkt's run entrypoint: boots the pod's app in its own VM and exits with the app's status.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"N:the app's exit status (also written to stage1/rootfs/rkt/status/APP)",
                "125:the pod could not be run (the message says why)"})
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin
        PodArguments pod;

        @Option(names = "--debug", description = "Show the guest kernel's boot messages.")
        boolean debug;

        @Option(names = "--net", paramLabel = "NETS", arity = "0..1", defaultValue = "default", fallbackValue = "default",
                description = "The pod's networks; only 'none' is supported yet.")
        String net;

        @Option(names = "--interactive", description = "Pass standard input to the app (a terminal if it is one).")
        boolean interactive;

        @Option(names = "--hostname", paramLabel = "NAME", description = "The pod's host name (default: rkt-UUID).")
        String hostname;

        @Option(names = "--private-users", paramLabel = "SHIFT", description = "Ignored: no user namespaces in a VM.")
        String privateUsers;

        @Option(names = "--mds-token", paramLabel = "TOKEN", description = "Ignored: no metadata service.")
        String mdsToken;

        @Option(names = "--local-config", paramLabel = "DIR", description = "Ignored: no rkt configuration is read.")
        String localConfig;

        @Option(names = "--dns-conf-mode", paramLabel = "MODES", description = "Ignored: the pod has no network.")
        String dnsConfMode;

        @Option(names = "--disable-capabilities-restriction", description = "Ignored: the VM is the boundary.")
        boolean disableCapabilitiesRestriction;

        @Option(names = "--disable-paths", description = "Ignored: the VM is the boundary.")
        boolean disablePaths;

        @Option(names = "--disable-seccomp", description = "Ignored: the VM is the boundary.")
        boolean disableSeccomp;

        @Option(names = "--mutable", description = "Ignored: no app add/rm entrypoints.")
        boolean mutable;

        @Option(names = "--ipc", paramLabel = "MODE", description = "Ignored: the app's VM has its own IPC namespace.")
        String ipc;

        @Override
        public Integer call() throws IOException {
            return Stage1Run.run(new Stage1Run.Request(pod.directory, pod.uuid, debug, interactive, net,
                    Optional.ofNullable(hostname).filter(name -> !name.isEmpty()), ignored(), System.getenv("RKT_LOCK_FD")));
        }

        private List<String> ignored() {
            List<String> ignored = new ArrayList<>();
            if (privateUsers != null && !privateUsers.isEmpty()) {
                ignored.add("ignoring --private-users: the app runs as its own uid in its own VM, without user namespaces");
            }
            if (mdsToken != null && !mdsToken.isEmpty()) {
                ignored.add("ignoring --mds-token: there is no metadata service, so AC_METADATA_URL is not set");
            }
            if (localConfig != null) {
                ignored.add("ignoring --local-config: this stage1 reads no rkt configuration");
            }
            if (dnsConfMode != null) {
                ignored.add("ignoring --dns-conf-mode: the pod has no network, so no resolv.conf or hosts is set up");
            }
            for (String option : new String[] {disableCapabilitiesRestriction ? "--disable-capabilities-restriction" : null,
                    disablePaths ? "--disable-paths" : null, disableSeccomp ? "--disable-seccomp" : null}) {
                if (option != null) {
                    ignored.add("ignoring " + option + ": the app has no such restriction inside its VM, which is its boundary");
                }
            }
            if (mutable) {
                ignored.add("ignoring --mutable: this stage1 has no app add/rm entrypoints, so its pods are immutable");
            }
            if (ipc != null) {
                ignored.add("ignoring --ipc: the app's VM has its own IPC namespace");
            }
            return ignored;
        }
    }

    @Command(name = "enter", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "rkt's enter entrypoint: runs COMMAND in the running pod as its app (root, environment, user,"
                + " directory), with this process's stdin, stdout and stderr, and exits with its status.")
    static final class Enter implements Callable<Integer> {
        @Option(names = "--pod-dir", paramLabel = "DIR", hidden = true, defaultValue = ".",
                description = "The pod directory (default: the current one, where rkt starts stage1).")
        Path podDirectory;

        @Option(names = "--pid", paramLabel = "PID", required = true, description = "The pod's VMM, from its pid file.")
        long pid;

        @Option(names = "--appname", paramLabel = "NAME", required = true, description = "The app to enter.")
        String appName;

        @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The command and its arguments, after '--'.")
        List<String> command;

        @Override
        public Integer call() {
            return Stage1Enter.enter(podDirectory, pid, appName, command);
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "rkt's stop entrypoint: SIGTERM to the app (the VM powers off once it exits, or after 10 s);"
                + " with --force, kills the VM at once.")
    static final class Stop implements Callable<Integer> {
        @CommandLine.Mixin
        PodArguments pod;

        @Option(names = "--force", description = "Kill the pod's VMM (SIGKILL) instead.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            return Stage1Stop.stop(pod.directory, pod.uuid, force);
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "rkt's gc entrypoint: removes what stage1 left in an ended pod; again, it finds nothing to do.")
    static final class Gc implements Callable<Integer> {
        @CommandLine.Mixin
        PodArguments pod;

        @Option(names = "--debug", description = "Accepted for rkt; gc says what it removes either way.")
        boolean debug;

        @Option(names = "--local-config", paramLabel = "DIR", description = "Accepted for rkt; not read.")
        String localConfig;

        @Override
        public Integer call() throws IOException {
            return Stage1Gc.gc(pod.directory, pod.uuid);
        }
    }
}
