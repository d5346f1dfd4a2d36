package dev.resilienthttp.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** {@code resilient-http simulate} end to end: options, tables, targets, chart, SVG. */
class SimulateCommandTest {

  @TempDir Path dir;

  @Test
  void outageShowsTheBudgetAtMostOnePointOneAttemptsPerCallAndPeerLikeThree() {
    Run run = run("simulate", "--scenario", "outage", "--seed", "7");

    assertThat(run.exitCode).as(run.err).isZero();
    Map<String, List<String>> rows = rows(run.out, "policy");
    assertThat(rows).containsOnlyKeys("default", "no-budget", "breaker", "peer-like");
    // Columns: calls, attempts/call, in fault, success, p50, p99, peak retries/s, budget, breaker.
    assertThat(rows.get("default").get(0)).isEqualTo("1,600");
    // The seed fixes every figure: 500 tokens at 5 a retry pay 100 retries for 1,000 calls.
    assertThat(rows.get("default").get(2)).isEqualTo("1.100");
    // The calls of the outage's last second meet the recovery on a retry, hence not quite 3.000.
    assertThat(rows.get("peer-like").get(2)).isEqualTo("2.990");
    assertThat(rows.get("no-budget").get(2)).isEqualTo("3.000");
    assertThat(rows.get("breaker").get(2)).isEqualTo("0.006");
    assertThat(number(rows.get("default").get(7))).isPositive(); // budget refusals
    assertThat(number(rows.get("breaker").get(8))).isPositive(); // breaker rejections
    assertThat(run.out)
        .contains("1,000 start while the fault is on")
        .contains("B5  met      default: 1.100 attempts per call started during the outage (1,100"
            + " attempts / 1,000 calls; target <= 1.1; peer-like: 2.99)")
        .contains("Server load: outage (attempts/s", "fault ");
  }

  @Test
  void randomFailuresReportTheSuccessTargetAndTheBudgetCostsNoSuccess() {
    Run run = run("simulate", "--scenario", "random", "--calls", "2000", "--policies",
        "default,no-budget");

    assertThat(run.exitCode).as(run.err).isZero();
    Map<String, List<String>> rows = rows(run.out, "policy");
    assertThat(rows).containsOnlyKeys("default", "no-budget");
    assertThat(rows.get("default").get(0)).isEqualTo("2,000");
    // At 10 % the bucket never runs dry: the budget changes nothing.
    assertThat(rows.get("default").subList(0, 7)).isEqualTo(rows.get("no-budget").subList(0, 7));
    assertThat(rows.get("default").get(7)).isEqualTo("0");
    // The seed fixes which calls fail: 2 of 2,000, exactly the target's 99.9 %.
    assertThat(run.out).contains("B5  met      default: 99.900 % success (2 of 2,000 calls failed;"
            + " target >= 99.900 %)")
        .contains("1 - 0.1^3 = 99.900 %");
  }

  @Test
  void contentionComparesWithTheStudysCsvAndPrintsTheB8Checks() throws Exception {
    Path csv = dir.resolve("study.csv");
    Files.writeString(csv, "clients,time,calls,Algorithm\n"
        + "40,29586,434,Exponential\n40,1743,271,Decorr\n40,3445,261,EqualJitter\n"
        + "40,2214,249,FullJitter\n40,954,464,None\n");

    Run run = run("simulate", "--scenario", "contention", "--clients", "40", "--runs", "10",
        "--reference", csv.toString());

    assertThat(run.exitCode).as(run.err).isZero();
    Map<String, List<String>> rows = rows(run.out, "mode");
    assertThat(rows).containsOnlyKeys("no backoff", "exponential, no jitter", "equal jitter",
        "full jitter", "decorrelated jitter");
    assertThat(rows.get("full jitter").get(7)).isEqualTo("249"); // study calls, from the CSV
    assertThat(run.out)
        .contains("against " + csv)
        .containsPattern("B8 +met +full jitter makes [\\d.]+ calls at 40 clients, the study 249")
        .containsPattern("B8 +met +fewest calls: full jitter")
        .containsPattern("B8 +met +no jitter worst");
  }

  @Test
  void contentionWithoutAReferenceRowSaysSo() throws Exception {
    Path csv = dir.resolve("study.csv");
    Files.writeString(csv, "clients,time,calls,Algorithm\n100,4970,796,FullJitter\n");

    Run run = run("simulate", "--scenario", "contention", "--clients", "5", "--runs", "2",
        "--reference", csv.toString());

    assertThat(run.exitCode).as(run.err).isZero();
    assertThat(run.out).contains("NOT MET  full jitter against the study: the CSV has no row for"
        + " 5 clients (it covers only 100)");
  }

  @Test
  void svgOutputIsWellFormedWithOneLinePerPolicy() throws Exception {
    Path svg = dir.resolve("load.svg");

    Run run = run("simulate", "--scenario", "rate-limit", "--duration", "20s", "--fault-start",
        "5s", "--fault-duration", "5s", "--svg", svg.toString());

    assertThat(run.exitCode).as(run.err).isZero();
    assertThat(run.out).contains("SVG written to " + svg);
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    Document document = factory.newDocumentBuilder().parse(svg.toFile());
    Element root = document.getDocumentElement();
    assertThat(root.getLocalName()).isEqualTo("svg");
    assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
    assertThat(document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline")
        .getLength()).isEqualTo(4);
    assertThat(Files.readString(svg)).contains(">default<", ">peer-like<", ">fault<");
  }

  @Test
  void theSameSeedGivesTheSameReportAndAnotherSeedAnother() {
    String[] args = {"simulate", "--scenario", "random", "--duration", "10s", "--failure-rate",
        "30"};
    Run first = run(args);
    Run again = run(args);
    Run other = run("simulate", "--scenario", "random", "--duration", "10s", "--failure-rate",
        "30", "--seed", "43");

    assertThat(first.exitCode).as(first.err).isZero();
    assertThat(again.out).isEqualTo(first.out);
    assertThat(other.out).isNotEqualTo(first.out);
    assertThat(first.out).contains("B5 is checked by");
  }

  @Test
  void asciiChartUsesOnlyAsciiAndTheWidthAsked() {
    Run run = run("simulate", "--scenario", "outage", "--duration", "20s", "--fault-start", "5s",
        "--fault-duration", "5s", "--ascii", "--width", "30", "--policies", "peer-like");

    assertThat(run.exitCode).as(run.err).isZero();
    String line = run.out.lines()
        .filter(l -> l.startsWith("  peer-like ") && l.contains("  peak ")).findFirst()
        .orElseThrow();
    String bars = line.substring("  peer-like ".length(), line.indexOf("  peak"));
    assertThat(bars).hasSize(30).matches("[ .:\\-=+*#%@]+");
  }

  @Test
  void invalidOptionsFailWithTheSettingTheValueAndTheRange() throws Exception {
    assertUsage(run("simulate", "--rate", "0"), "--rate must be in (0, 100000] but was 0");
    assertUsage(run("simulate", "--failure-rate", "120"),
        "--failure-rate must be in [0, 100] but was 120");
    assertUsage(run("simulate", "--scenario", "nope"),
        "'nope' is not a scenario; expected one of: outage, random, rate-limit, contention");
    assertUsage(run("simulate", "--policies", "default,fast"),
        "'fast' is not a policy; expected one of: default, no-budget, breaker, peer-like");
    assertUsage(run("simulate", "--clients", "10"),
        "--clients does not apply to --scenario outage");
    assertUsage(run("simulate", "--scenario", "contention", "--rate", "5"),
        "--rate does not apply to --scenario contention");
    assertUsage(run("simulate", "--scenario", "random", "--fault-start", "1s"),
        "--fault-start does not apply to --scenario random");
    assertUsage(run("simulate", "--retry-after", "3"),
        "--retry-after does not apply to --scenario outage");
    assertUsage(run("simulate", "--scenario", "contention", "--clients", "0"),
        "--clients must be in [1, 1000] but was 0");
    assertUsage(run("simulate", "--scenario", "contention", "--base", "5ms", "--cap", "8ms"),
        "--cap must be >= 2 x --base (10ms) but was 8ms");
    assertUsage(run("simulate", "--duration", "ten"), "'ten' is not a duration");
    assertUsage(run("simulate", "--calls", "10", "--duration", "5s"),
        "give --calls or --duration, not both");
    assertUsage(run("simulate", "--fault-start", "90s"),
        "--fault-start must be before the last call starts (< 80s) but was 90s");
    assertUsage(run("simulate", "--width", "5"), "--width must be in [20, 400] but was 5");
    assertUsage(run("simulate", "--svg", dir.resolve("missing/load.svg").toString()),
        "--svg: the directory of");
    assertUsage(run("simulate", "--scenario", "contention", "--reference",
        dir.resolve("none.csv").toString()), "--reference: no such file");
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "clients,time,calls,Algorithm\n10,abc,50,None\n");
    assertUsage(run("simulate", "--scenario", "contention", "--reference", bad.toString()),
        "line 2: '10,abc,50,None' is not clients,time,calls,Algorithm");
  }

  @Test
  void helpListsTheScenariosAndMainListsTheCommand() {
    Run help = run("simulate", "--help");
    Run main = run("--help");

    assertThat(help.exitCode).isZero();
    assertThat(help.out).contains("--scenario", "rate-limit", "--svg", "--seed", "B8");
    assertThat(main.out).contains("simulate", "demo");
  }

  private static void assertUsage(Run run, String message) {
    assertThat(run.exitCode).as(run.out).isEqualTo(2);
    assertThat(run.err).contains(message);
  }

  /** The table under the header row starting with {@code header}: first cell to the others. */
  static Map<String, List<String>> rows(String out, String header) {
    Map<String, List<String>> rows = new HashMap<>();
    boolean in = false;
    for (String line : out.lines().toList()) {
      if (line.startsWith(header + " ")) {
        in = true;
        continue;
      }
      if (in) {
        if (line.isBlank() || !line.contains("  ") || line.contains(": ")) {
          break;
        }
        String[] cells = line.split(" {2,}");
        List<String> values = new ArrayList<>(List.of(cells).subList(1, cells.length));
        rows.put(cells[0], values);
      }
    }
    return rows;
  }

  static double number(String cell) {
    return Double.parseDouble(cell.replace(",", "").replace("%", "").strip());
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  record Run(int exitCode, String out, String err) {}
}
