package org.minivmm.cli;

import org.minivmm.vmm.Log;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import org.minivmm.host.NativeWarmUp;
import org.minivmm.vmm.BootTimeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "minivmm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Runs each container in its own tiny KVM virtual machine.",
        subcommands = {RunCommand.class, ExecCommand.class, CheckCommand.class, ImageCommand.class, Stage1Command.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (run: the app, or a bare kernel guest, exited with status 0)",
            "N:run: the app's own exit status (see 'minivmm run --help'); exec: the command's",
            "1:check: the host cannot run minivmm's guests, or the probe failed",
            "125:minivmm failed: bad options, bad kernel, KVM error, or the guest crashed",
            "128+N:stopped by signal N (130 for SIGINT, 143 for SIGTERM)"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        BootTimeline.mark(BootTimeline.Phase.JVM_READY);
        NativeWarmUp.start();
        System.exit(execute(args));
    }

    static int execute(String... args) {
        // Booting a VM is the hot path: picocli reflects every command it is given, and the whole tree
        // cost about 27 ms of start-up, so 'run' gets a model of itself alone (same name, help and errors).
        boolean run = args.length > 0 && args[0].equals("run");
        CommandLine commandLine = run ? runCommandLine(new RunCommand()) : mainCommandLine();
        String[] commandArguments = run ? Arrays.copyOfRange(args, 1, args.length) : args;
        commandLine.setParameterExceptionHandler((error, arguments) -> {
            CommandLine command = error.getCommandLine();
            command.getErr().println("minivmm: error: " + error.getMessage());
            command.getErr().println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.VMM_FAILURE;
        });
        commandLine.setExecutionExceptionHandler((error, command, parseResult) -> {
            Log.error("internal error: " + error + " (set MINIVMM_DEBUG=1 for the stack trace, and please report it)");
            if (System.getenv("MINIVMM_DEBUG") != null) {
                error.printStackTrace();
            }
            return ExitCodes.VMM_FAILURE;
        });
        return commandLine.execute(commandArguments);
    }

    /** After COMMAND, every word is its own, options included ('minivmm exec --socket S ls -l'). */
    static CommandLine mainCommandLine() {
        CommandLine main = new CommandLine(new Main());
        main.getSubcommands().get("exec").setStopAtPositional(true);
        return main;
    }

    /** After IMAGE, every word is the container's command, options included ('minivmm run IMAGE ls -l'). */
    static CommandLine runCommandLine(RunCommand run) {
        return new CommandLine(run).setCommandName("minivmm run").setStopAtPositional(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (run, exec, check, image, stage1 or help)");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"minivmm " + number()};
        }

        static String number() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                properties.load(in);
            }
            return properties.getProperty("version");
        }
    }
}
