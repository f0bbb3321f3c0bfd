package io.fastpool.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.config.Durations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadArgumentsTest {

    private static final String TARGET = "tcp:127.0.0.1:9000";

    @Test
    void aBareTargetGetsEveryDefault() throws UsageException {
        LoadOptions options = LoadArguments.parse(TARGET);

        assertThat(options.target().address()).isEqualTo(new InetSocketAddress("127.0.0.1", 9000));
        assertThat(options.connections()).isEqualTo(LoadOptions.DEFAULT_CONNECTIONS);
        assertThat(options.duration()).isEqualTo(LoadOptions.DEFAULT_DURATION);
        assertThat(options.requests()).isZero();
        assertThat(options.warmup()).isEqualTo(LoadOptions.DEFAULT_WARMUP);
        assertThat(options.keepConnection()).isTrue();
        assertThat(options.bodySize()).isZero();
        assertThat(options.multiplex()).isEqualTo(1);
        assertThat(options.path()).isEqualTo("/");
        assertThat(options.headers()).isEmpty();
        assertThat(options.effectiveScriptFilename()).isEqualTo("/var/www/html/");
        assertThat(options.csv()).isNull();
        assertThat(options.timeout()).isEqualTo(LoadOptions.DEFAULT_TIMEOUT);
        assertThat(options.threads()).isEqualTo(LoadOptions.defaultThreads());
        assertThat(options.effectiveMaxTime()).isEqualTo(Duration.ofSeconds(2 + 10 + 10 + 5));
        assertThat(options.serverPid()).isZero();
    }

    @Test
    void everyOptionIsReadInShortAndLongForm() throws UsageException {
        LoadOptions options = LoadArguments.parse("-c", "3", "--duration=1.5s", "-n", "500", "--warmup", "0",
                "-k", "off", "-b", "2k", "-p", "/a/b.php?x=1", "-H", "X-Trace: on", "-H", "Content-Type: text/plain",
                "--document-root", "/srv/www/", "--csv", "out.csv", "--timeout", "250ms", "--threads", "2",
                "--max-time", "1m", "--server-pid", "4242", "unix:/run/php.sock");

        assertThat(options.target().address()).isEqualTo(UnixDomainSocketAddress.of("/run/php.sock"));
        assertThat(options.connections()).isEqualTo(3);
        assertThat(options.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(options.requests()).isEqualTo(500);
        assertThat(options.warmup()).isZero();
        assertThat(options.keepConnection()).isFalse();
        assertThat(options.bodySize()).isEqualTo(2048);
        assertThat(options.scriptName()).isEqualTo("/a/b.php");
        assertThat(options.queryString()).isEqualTo("x=1");
        assertThat(options.headers()).containsExactly(new Header("X-Trace", "on"), new Header("Content-Type", "text/plain"));
        assertThat(options.effectiveScriptFilename()).isEqualTo("/srv/www/a/b.php");
        assertThat(options.csv()).isEqualTo(Path.of("out.csv"));
        assertThat(options.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.threads()).isEqualTo(2);
        assertThat(options.effectiveMaxTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(options.serverPid()).isEqualTo(4242);
    }

    @Test
    void aRequestCountAloneMeansNoTimeLimitAndTheLongCap() throws UsageException {
        LoadOptions options = LoadArguments.parse("-n", "1000", "--script-filename", "/tmp/hello.php", "-m", "4", TARGET);

        assertThat(options.duration()).isNull();
        assertThat(options.requests()).isEqualTo(1000);
        assertThat(options.multiplex()).isEqualTo(4);
        assertThat(options.effectiveScriptFilename()).isEqualTo("/tmp/hello.php");
        assertThat(options.effectiveMaxTime()).isEqualTo(LoadOptions.DEFAULT_REQUESTS_MAX_TIME);
    }

    @Test
    void anIpv6TargetNeedsBrackets() throws UsageException {
        assertThat(LoadArguments.parse("tcp:[::1]:9000").target().address())
                .isEqualTo(new InetSocketAddress("::1", 9000));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            --bogus tcp:127.0.0.1:9000            | Unknown option: '--bogus'
            -x tcp:127.0.0.1:9000                 | Unknown option: '-x'
            tcp:127.0.0.1:9000 -c                 | Missing required parameter for option '--connections' (N)
            tcp:127.0.0.1:9000 --duration         | Missing required parameter for option '--duration' (TIME)
            -c abc tcp:127.0.0.1:9000             | Invalid value for option '--connections': 'abc' is not an int
            -c 0 tcp:127.0.0.1:9000               | --connections must be between 1 and 10000, was 0
            --connections=99999999999 tcp:127.0.0.1:9000 | Invalid value for option '--connections': '99999999999' is not an int
            -n 0 tcp:127.0.0.1:9000               | --requests must be at least 1, was 0
            -d 5x tcp:127.0.0.1:9000              | Invalid value for option '--duration': '5x' is not a duration (examples: 500ms, 10s, 1.5s, 2m)
            -d 0s tcp:127.0.0.1:9000              | --duration must be longer than 0, was 0s
            --timeout 0 tcp:127.0.0.1:9000        | --timeout must be longer than 0, was 0s
            -k maybe tcp:127.0.0.1:9000           | Invalid value for option '--keep-conn': 'maybe' is neither on nor off
            -b ten tcp:127.0.0.1:9000             | Invalid value for option '--body-size': 'ten' is not a size in bytes (examples: 0, 10000, 64k, 1m)
            -b 1025m tcp:127.0.0.1:9000           | --body-size must be between 0 and 1073741824, was 1074790400
            -m 0 tcp:127.0.0.1:9000               | --multiplex must be between 1 and 1024, was 0
            -m 2 -k off tcp:127.0.0.1:9000        | --multiplex 2 needs --keep-conn on: a connection that closes after its request carries one at a time
            -p hello tcp:127.0.0.1:9000           | --path must start with '/', was 'hello'
            -H nocolon tcp:127.0.0.1:9000         | Invalid value for option '--header' ('NAME: VALUE'): header 'nocolon' is not of the form 'Name: value'
            -H 'Content-Length: 5' tcp:127.0.0.1:9000 | Invalid value for option '--header' ('NAME: VALUE'): Content-Length is set by --body-size, not by a header
            --threads 0 tcp:127.0.0.1:9000        | --threads must be between 1 and 1024, was 0
            --server-pid -3 tcp:127.0.0.1:9000    | --server-pid must be a process id, was -3
            --help=yes tcp:127.0.0.1:9000         | Invalid value for option '--help': 'yes' is not a boolean
            ''                                    | Missing required parameter: 'TARGET'
            tcp:127.0.0.1:9000 unix:/x.sock       | Unmatched argument at index 1: 'unix:/x.sock'
            tcp:foo                               | listen address 'tcp:foo' has no port; expected tcp:HOST:PORT or unix:PATH
            tcp::9000                             | listen address 'tcp::9000' has no host (use 0.0.0.0 or [::] for every interface); expected tcp:HOST:PORT or unix:PATH
            tcp:127.0.0.1:http                    | listen address 'tcp:127.0.0.1:http' has port 'http', which is not a number from 0 to 65535; expected tcp:HOST:PORT or unix:PATH
            tcp:127.0.0.1:0                       | listen address 'tcp:127.0.0.1:0' has port 0, which only a listener can take (any free port); give the port it took; expected tcp:HOST:PORT or unix:PATH
            tcp:::1:9000                          | listen address 'tcp:::1:9000' has an IPv6 host without brackets (write tcp:[::1]:9000); expected tcp:HOST:PORT or unix:PATH
            tcp:[::1:9000                         | listen address 'tcp:[::1:9000' has '[' without ']'; expected tcp:HOST:PORT or unix:PATH
            tcp:host.invalid:9000                 | listen address 'tcp:host.invalid:9000' has host 'host.invalid', which does not resolve; expected tcp:HOST:PORT or unix:PATH
            unix:                                 | listen address 'unix:' has no path; expected tcp:HOST:PORT or unix:PATH
            http://localhost:9000                 | listen address 'http://localhost:9000' has unknown scheme 'http'; expected tcp:HOST:PORT or unix:PATH
            """)
    void eachWrongCommandLineIsNamed(String commandLine, String message) {
        assertThatThrownBy(() -> LoadArguments.parse(split(commandLine)))
                .isInstanceOf(UsageException.class)
                .hasMessage(message);
    }

    @Test
    void theCommandPrintsOneLineAndExitsWith2OnBadArguments() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = FcgiLoad.run(new String[] {"-c", "many", TARGET}, print(out), print(err));

        assertThat(status).isEqualTo(FcgiLoad.EXIT_USAGE);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .isEqualTo("fcgi-load: Invalid value for option '--connections': 'many' is not an int; see --help" + System.lineSeparator());
    }

    @Test
    void helpListsEveryOptionAndExitsWith0() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = FcgiLoad.run(new String[] {"--bogus", "--help"}, print(out), print(new ByteArrayOutputStream()));

        assertThat(status).isEqualTo(FcgiLoad.EXIT_OK);
        String usage = out.toString(StandardCharsets.UTF_8);
        assertThat(usage).contains("-c, --connections=N", "-d, --duration=TIME", "-n, --requests=N", "--warmup=TIME",
                "-k, --keep-conn=on|off", "-b, --body-size=BYTES", "-m, --multiplex=N", "-p, --path=URI",
                "-H, --header='NAME: VALUE'", "--document-root=DIR", "--script-filename=FILE", "--csv=FILE",
                "--timeout=TIME", "--threads=N", "--max-time=TIME", "-h, --help", "TARGET");
    }

    @Test
    void helpShowsTheDefaultsARunUses() {
        String usage = LoadArguments.usage().replaceAll("\\s+", " ");

        assertThat(usage).contains("(default " + LoadOptions.DEFAULT_CONNECTIONS + ")",
                "(default " + Durations.format(LoadOptions.DEFAULT_DURATION) + " unless -n is given)",
                "(default " + Durations.format(LoadOptions.DEFAULT_WARMUP) + "; 0 for none)",
                "(default " + Durations.format(LoadOptions.DEFAULT_TIMEOUT) + ")",
                "+ " + Durations.format(LoadOptions.MAX_TIME_MARGIN) + ", or "
                        + Durations.format(LoadOptions.DEFAULT_REQUESTS_MAX_TIME) + " with -n alone)",
                "(default " + LoadOptions.DEFAULT_DOCUMENT_ROOT + ")",
                "here " + LoadOptions.defaultThreads() + ")");
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** Splits on blanks, keeping '...' quoted parts whole, like a shell would. */
    private static String[] split(String commandLine) {
        java.util.List<String> words = new java.util.ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : commandLine.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    words.add(word.toString());
                }
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any && word.length() > 0) {
            words.add(word.toString());
        }
        return words.toArray(new String[0]);
    }
}
