package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestCommandTest {

    @TempDir
    Path home;

    @Test
    void aBadAddressIsAUsageErrorNotAStackTrace() throws Exception {
        assertThat(run("-c", "tcp:127.0.0.1:99999", "/hello"))
                .isEqualTo("2 fastpool request: listen address 'tcp:127.0.0.1:99999' has port 99999, above 65535;"
                        + " expected tcp:HOST:PORT or unix:PATH; see bin/fastpool request --help\n");
    }

    @Test
    void aBadFirstListenAddressInTheTransportFileIsNamedWithWhereItCameFrom() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/io.fastpool.transport.cfg"), "listen = tcp:999.1.1.1:99999, unix:run/fastpool.sock\n");
        assertThat(run("/hello")).isEqualTo("2 fastpool request: the first address in conf/io.fastpool.transport.cfg: listen address 'tcp:999.1.1.1:99999'"
                + " has '999.1.1.1', which is not an IPv4 address; expected tcp:HOST:PORT or unix:PATH"
                + " (the server refuses it too: fastpool:config io.fastpool.transport);"
                + " give one with -c; see bin/fastpool request --help\n");
    }

    @Test
    void aFirstListenAddressOnlyAClientCannotUseIsNotCalledRefusedByTheServer() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/io.fastpool.transport.cfg"), "listen = tcp:127.0.0.1:0\n");
        assertThat(run("/hello")).isEqualTo("2 fastpool request: the first address in conf/io.fastpool.transport.cfg: listen address"
                + " 'tcp:127.0.0.1:0' has port 0, which only a listener can take (any free port); give the port it took;"
                + " expected tcp:HOST:PORT or unix:PATH; give one with -c; see bin/fastpool request --help\n");
    }

    @Test
    void theStatusIsReadFromTheCgiStatusHeaderWhereverItStandsAndIsA200WithoutOne() {
        assertThat(RequestCommand.statusLine("Status: 404 Not Found\r\nContent-Type: text/plain")).isEqualTo("404 Not Found");
        assertThat(RequestCommand.statusLine("Content-Type: text/plain\r\nstatus:  503 Service Unavailable")).isEqualTo(
                "503 Service Unavailable");
        assertThat(RequestCommand.statusLine("Content-Type: application/json\r\nContent-Length: 51")).isNull();
    }

    private String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RequestCommand.run(args, home, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8));
        return code + " " + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }
}
