package io.meshwire.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code meshwire} command line. Subcommands delegate to the library modules.
 */
@Command(name = "meshwire", mixinStandardHelpOptions = true, version = "meshwire 0.1.0-SNAPSHOT",
        description = "Fast, secure UDP networking for multi-homed hosts.",
        subcommands = {DemoCommand.class, NodeCommands.Node.class, NodeCommands.Sub.class, NodeCommands.Pub.class,
                NodeCommands.Keygen.class, BenchCommand.class, EpicsCommand.class, IfacesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Runs the CLI and exits with the command's exit code.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
