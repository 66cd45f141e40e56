package org.minivmm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.minivmm.container.ExecClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Runs a command in a running container: minivmm exec --socket PATH [--] COMMAND [ARG...].",
            "The container must have been started with 'minivmm run --exec-socket PATH'. The command runs as the app"
                + " does (its user, groups, working directory, environment and PATH), in its own session. This"
                + " process's stdin is its stdin, with a real end; its stdout and stderr arrive apart; SIGINT and SIGTERM"
                + " are passed on to it. One command runs at a time in a container; another waits until it ends.",
            "Every word after COMMAND belongs to it, options included."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "N:the command's own exit status",
            "128+N:signal N killed the command",
            "126:the command could not be executed",
            "127:the command was not found (in the app's PATH)",
            "125:minivmm exec failed: no socket at PATH or not minivmm's, the container ended, bad options"})
final class ExecCommand implements Callable<Integer> {
    @Option(names = "--socket", paramLabel = "PATH", required = true,
            description = "The container's exec socket, the PATH of its 'minivmm run --exec-socket PATH'.")
    Path socket;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        return ExecClient.run(socket, command());
    }

    /** The words after the options, without a "--" before them: picocli keeps it once positionals have begun. */
    List<String> command() {
        return !command.isEmpty() && command.get(0).equals("--") ? command.subList(1, command.size()) : command;
    }
}
