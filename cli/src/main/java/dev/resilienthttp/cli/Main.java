package dev.resilienthttp.cli;

import dev.resilienthttp.cli.simulate.SimulateCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code resilient-http} command: HTTP calls that survive faults, from the command line. */
@Command(
    name = "resilient-http",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "HTTP calls that survive real faults without making an outage worse.",
    subcommands = {DemoCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

  @Spec private CommandSpec spec;

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The command line, ready to execute; tests capture its output with setOut and setErr. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new Main());
  }

  /** Without a subcommand: the usage, on the error stream, and the usage exit code. */
  @Override
  public Integer call() {
    spec.commandLine().getErr()
        .println("Missing a command: try 'resilient-http demo' or 'resilient-http simulate'.");
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }

  /** The version, from the build (version.properties is filtered by Maven). */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {
        "resilient-http " + properties.getProperty("version", "unknown"),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
