package io.fastpool.itest;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.itest.support.Waits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * README.md's commands, run as written against a copy of the built distribution, so the page
 * cannot fall behind the code. A command's trailing {@code # → TEXT} is what it must print (in
 * part); a command without one must succeed. Two translations only: the copy stands for
 * {@code distribution/target/fastpool} and {@code /opt/fastpool}, and {@code ../../../} (from the
 * distribution folder to the checkout) becomes the checkout's path.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadmeIT {

    private static final Pattern EXPECTED = Pattern.compile("\\s+# → (.*)$");

    static Path checkout;
    static String readme;
    static Path home;
    static Process server;

    @BeforeAll
    static void start() throws Exception {
        checkout = Path.of(System.getProperty("distribution.dir")).resolve("../../..").toRealPath();
        readme = Files.readString(checkout.resolve("README.md"));
        Path work = Files.createTempDirectory(Path.of("target"), "readme-it").toAbsolutePath();
        home = work.resolve("fastpool");
        server = DistributionIT.copyAndStart(Path.of(System.getProperty("distribution.dir")), home, work.resolve("server.log"));
        Waits.await(Duration.ofSeconds(20), "/hello to answer",
                () -> DistributionIT.answerFrom(home, "/hello").startsWith("200 OK Hello, world!"));
    }

    @AfterAll
    static void stop() throws Exception {
        DistributionIT.stopServer(server);
    }

    @Test
    @Order(1)
    void theCommandsForTryingItWithoutAWebServerAnswerAsWritten() throws Exception {
        List<String> lines = shellBlock("### Trying it without a web server");
        assertThat(lines).hasSizeGreaterThanOrEqualTo(4);
        runAll(lines, home);
    }

    @Test
    @Order(2)
    void theDeployingCommandsUndeployAndDeployAsWritten() throws Exception {
        List<String> lines = shellBlock("## Deploying and hot-swapping");
        assertThat(lines).anyMatch(line -> line.contains("fastpool:undeploy")).anyMatch(line -> line.contains("fastpool:deploy"));
        runAll(lines, home);
    }

    @Test
    @Order(3)
    void theShellTranscriptIsWhatTheServerPrints() throws Exception {
        String block = block(section("## Shell commands"), "sh");
        Matcher command = Pattern.compile("^\\$ (.*)\\n((?:(?!\\$ ).*\\n)*)", Pattern.MULTILINE).matcher(block);
        int checked = 0;
        while (command.find()) {
            Result result = run(command.group(1), home);
            // "..." in the page stands for the rest of a line.
            String expected = command.group(2);
            String pattern = Pattern.quote(expected).replace("...", "\\E.*\\Q");
            assertThat(result.output()).as(command.group(1)).matches("(?s)" + pattern);
            checked++;
        }
        assertThat(checked).isPositive();
    }

    @Test
    @Order(4)
    void theFirstAppBuildsFromThePageWithMavenAndAnswersAtItsPath() throws Exception {
        String section = section("## A first app");
        Path project = home.getParent().resolve("first-app");
        String java = block(section, "java");
        String packageName = java.lines().filter(line -> line.startsWith("package ")).findFirst().orElseThrow()
                .replace("package ", "").replace(";", "").strip();
        Matcher className = Pattern.compile("public class (\\w+)").matcher(java);
        assertThat(className.find()).isTrue();
        Path source = project.resolve("src/main/java").resolve(packageName.replace('.', '/')).resolve(className.group(1) + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, java);
        Files.writeString(project.resolve("pom.xml"), block(section, "xml"));

        // As the page says: the API comes from the local Maven repository, installed from this checkout.
        Result installed = run("mvn -B -q -DskipTests install -pl bundles/api -am", checkout);
        assertThat(installed.exitCode()).as(installed.output()).isZero();
        runAll(shellLines(block(section, "sh")), project);
    }

    private static void runAll(List<String> lines, Path folder) throws Exception {
        for (String line : lines) {
            if (line.startsWith("cd distribution/target/fastpool")) {
                continue; // the copy is the working folder already
            }
            Matcher expected = EXPECTED.matcher(line);
            String command = expected.find() ? line.substring(0, expected.start()) : line;
            Result result = run(command, folder);
            if (expected.find(0)) {
                assertThat(result.output()).as(line).contains(expected.group(1).strip());
            } else {
                assertThat(result.exitCode()).as(line + "\n" + result.output()).isZero();
            }
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String command, Path folder) throws IOException, InterruptedException {
        String translated = command.replace("/opt/fastpool/", home + "/").replace("../../../", checkout + "/");
        Process process = new ProcessBuilder("bash", "-c", translated).directory(folder.toFile())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(240, TimeUnit.SECONDS)).as(command).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** The lines of the first {@code sh} block after {@code heading}. */
    private static List<String> shellBlock(String heading) {
        return shellLines(block(section(heading), "sh"));
    }

    private static List<String> shellLines(String block) {
        List<String> lines = new ArrayList<>();
        block.lines().filter(line -> !line.isBlank()).forEach(lines::add);
        return lines;
    }

    /** The text from {@code heading} to the next heading of the same or a higher level (outside code blocks). */
    private static String section(String heading) {
        int level = heading.indexOf(' ');
        StringBuilder text = null;
        boolean inFence = false;
        for (String line : readme.split("\n", -1)) {
            if (line.startsWith("```")) {
                inFence = !inFence;
            }
            if (text == null) {
                if (!inFence && line.equals(heading)) {
                    text = new StringBuilder();
                }
            } else if (!inFence && line.startsWith("#") && line.indexOf(' ') > 0 && line.indexOf(' ') <= level
                    && line.substring(0, line.indexOf(' ')).chars().allMatch(c -> c == '#')) {
                break;
            }
            if (text != null) {
                text.append(line).append('\n');
            }
        }
        assertThat(text).as("README.md has the heading " + heading).isNotNull();
        return text.toString();
    }

    /** The first fenced block of {@code language} in {@code text}. */
    private static String block(String text, String language) {
        Matcher fence = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertThat(fence.find()).as("a ```" + language + " block in " + text.lines().findFirst().orElse("")).isTrue();
        return fence.group(1);
    }
}
