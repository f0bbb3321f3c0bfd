package io.fastpool.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    }

    @Test
    void everyOptionIsReadInShortAndLongForm() throws UsageException {
        LoadOptions options = LoadArguments.parse("-c", "3", "--duration=1.5s", "-n", "500", "--warmup", "0",
                "-k", "off", "-b", "2k", "-p", "/a/b.php?x=1", "-H", "X-Trace: on", "-H", "Content-Type: text/plain",
                "--document-root", "/srv/www/", "--csv", "out.csv", "--timeout", "250ms", "--threads", "2",
                "--max-time", "1m", "unix:/run/php.sock");

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
            --bogus tcp:127.0.0.1:9000            | unknown option '--bogus'
            -x tcp:127.0.0.1:9000                 | unknown option '-x'
            tcp:127.0.0.1:9000 -c                 | option -c/--connections needs a value (N)
            tcp:127.0.0.1:9000 --duration         | option --duration needs a value (TIME)
            -c abc tcp:127.0.0.1:9000             | -c/--connections: 'abc' is not a whole number
            -c 0 tcp:127.0.0.1:9000               | --connections must be between 1 and 10000, was 0
            --connections=99999999999 tcp:127.0.0.1:9000 | --connections: 99999999999 is far too large
            -n 0 tcp:127.0.0.1:9000               | -n/--requests must be at least 1, was 0
            -d 5x tcp:127.0.0.1:9000              | -d/--duration: '5x' is not a duration (examples: 500ms, 10s, 1.5s, 2m)
            -d 0s tcp:127.0.0.1:9000              | --duration must be longer than 0, was 0s
            --timeout 0 tcp:127.0.0.1:9000        | --timeout must be longer than 0, was 0s
            -k maybe tcp:127.0.0.1:9000           | -k/--keep-conn: 'maybe' is neither on nor off
            -b ten tcp:127.0.0.1:9000             | -b/--body-size: 'ten' is not a size in bytes (examples: 0, 10000, 64k, 1m)
            -b 1025m tcp:127.0.0.1:9000           | --body-size must be between 0 and 1073741824, was 1074790400
            -m 0 tcp:127.0.0.1:9000               | --multiplex must be between 1 and 1024, was 0
            -m 2 -k off tcp:127.0.0.1:9000        | --multiplex 2 needs --keep-conn on: a connection that closes after its request carries one at a time
            -p hello tcp:127.0.0.1:9000           | --path must start with '/', was 'hello'
            -H nocolon tcp:127.0.0.1:9000         | -H/--header: header 'nocolon' is not of the form 'Name: value'
            -H 'Content-Length: 5' tcp:127.0.0.1:9000 | -H/--header: Content-Length is set by --body-size, not by a header
            --threads 0 tcp:127.0.0.1:9000        | --threads must be between 1 and 1024, was 0
            --help=yes tcp:127.0.0.1:9000         | option --help takes no value
            ''                                    | no target address given (tcp:HOST:PORT or unix:/path/to.sock)
            tcp:127.0.0.1:9000 unix:/x.sock       | unexpected argument 'unix:/x.sock': the target is already 'tcp:127.0.0.1:9000', and only one is allowed
            tcp:foo                               | bad address 'tcp:foo': no port (expected tcp:HOST:PORT, tcp:[IPv6]:PORT or unix:/path/to.sock)
            tcp::9000                             | bad address 'tcp::9000': the host is empty
            tcp:127.0.0.1:http                    | bad address 'tcp:127.0.0.1:http': port 'http' is not a number from 1 to 65535
            tcp:127.0.0.1:0                       | bad address 'tcp:127.0.0.1:0': port 0 is not between 1 and 65535
            tcp:::1:9000                          | bad address 'tcp:::1:9000': an IPv6 address needs brackets, as in tcp:[::1]:9000
            tcp:[::1:9000                         | bad address 'tcp:[::1:9000': no ']' after the IPv6 address
            tcp:host.invalid:9000                 | bad address 'tcp:host.invalid:9000': unknown host 'host.invalid'
            unix:                                 | bad address 'unix:': the socket path is empty
            http://localhost:9000                 | bad address 'http://localhost:9000': expected tcp:HOST:PORT, tcp:[IPv6]:PORT or unix:/path/to.sock
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
                .isEqualTo("fcgi-load: -c/--connections: 'many' is not a whole number; see --help" + System.lineSeparator());
    }

    @Test
    void helpListsEveryOptionAndExitsWith0() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = FcgiLoad.run(new String[] {"--bogus", "--help"}, print(out), print(new ByteArrayOutputStream()));

        assertThat(status).isEqualTo(FcgiLoad.EXIT_OK);
        String usage = out.toString(StandardCharsets.UTF_8);
        for (LoadArguments.Option option : LoadArguments.Option.values()) {
            assertThat(usage).contains(option.longName);
        }
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
