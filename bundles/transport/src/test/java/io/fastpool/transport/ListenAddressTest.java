package io.fastpool.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class ListenAddressTest {

    private static final Path BASE = Path.of("/srv/fastpool");

    @Test
    void parsesTcpWithIpv4Host() {
        ListenAddress address = ListenAddress.parse("tcp:127.0.0.1:9000", BASE);

        assertThat(address).isEqualTo(new ListenAddress.Tcp("tcp:127.0.0.1:9000", "127.0.0.1", 9000));
        assertThat(address.socketAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 9000));
    }

    @Test
    void parsesTcpWithBracketedIpv6Host() {
        ListenAddress address = ListenAddress.parse("tcp:[::1]:9000", BASE);

        assertThat(address).isEqualTo(new ListenAddress.Tcp("tcp:[::1]:9000", "::1", 9000));
    }

    @Test
    void parsesTcpWithHostNameAndPortZero() {
        assertThat(ListenAddress.parse("tcp:localhost:0", BASE))
                .isEqualTo(new ListenAddress.Tcp("tcp:localhost:0", "localhost", 0));
    }

    @Test
    void trimsSurroundingWhitespace() {
        assertThat(ListenAddress.parse("  tcp:0.0.0.0:9000 \n", BASE).text()).isEqualTo("tcp:0.0.0.0:9000");
    }

    @Test
    void resolvesRelativeUnixPathAgainstBaseDirectory() {
        ListenAddress address = ListenAddress.parse("unix:run/../run/fastpool.sock", BASE);

        assertThat(address).isEqualTo(new ListenAddress.Unix("unix:run/../run/fastpool.sock",
                Path.of("/srv/fastpool/run/fastpool.sock")));
        assertThat(address.socketAddress()).isEqualTo(UnixDomainSocketAddress.of("/srv/fastpool/run/fastpool.sock"));
    }

    @Test
    void keepsAbsoluteUnixPath() {
        assertThat(((ListenAddress.Unix) ListenAddress.parse("unix:/run/fastpool.sock", BASE)).path())
                .isEqualTo(Path.of("/run/fastpool.sock"));
    }

    @ParameterizedTest(name = "''{0}'' {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "tcp:foo         | has no port",
        "tcp:foo:        | has no port",
        "tcp::9000       | has no host (use 0.0.0.0 or [::] for every interface)",
        "tcp:foo:99999   | has port 99999, above 65535",
        "tcp:foo:123456  | has port '123456', which is not a number from 0 to 65535",
        "tcp:foo:http    | has port 'http', which is not a number from 0 to 65535",
        "tcp:foo:-1      | has port '-1', which is not a number from 0 to 65535",
        "tcp:::1:9000    | has an IPv6 host without brackets (write tcp:[::1]:9000)",
        "tcp:[::1:9000   | has '[' without ']'",
        "tcp:[::1]       | has no port",
        "tcp:[::1]9000   | has no port",
        "tcp:[foo]:9000  | has 'foo' in brackets, which is not an IPv6 address",
        "udp:1.2.3.4:53  | has unknown scheme 'udp'",
        "127.0.0.1       | has no scheme",
        "unix:           | has no path",
    })
    void refusesBadAddressesNamingTheProblemAndTheExpectedForm(String text, String problem) {
        assertThatThrownBy(() -> ListenAddress.parse(text, BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listen address '" + text + "' " + problem + "; expected tcp:HOST:PORT or unix:PATH");
    }

    @Test
    void refusesTheExampleFromTheDesignWithTheExactMessage() {
        assertThatThrownBy(() -> ListenAddress.parse("tcp:foo", BASE))
                .hasMessage("listen address 'tcp:foo' has no port; expected tcp:HOST:PORT or unix:PATH");
    }

    @Test
    void refusesEmptyAddress() {
        assertThatThrownBy(() -> ListenAddress.parse(" ", BASE))
                .hasMessage("listen address is empty; expected tcp:HOST:PORT or unix:PATH");
    }

    @Test
    void refusesUnixPathWithNulCharacter() {
        assertThatThrownBy(() -> ListenAddress.parse("unix:run/a\0b", BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("listen address 'unix:run/a\0b' has an invalid path");
    }

    @Test
    void aClientMayNotConnectToPortZero() {
        assertThatThrownBy(() -> ListenAddress.parseConnectable("tcp:127.0.0.1:0", BASE))
                .hasMessage("listen address 'tcp:127.0.0.1:0' has port 0, which only a listener can take (any free port);"
                        + " give the port it took; expected tcp:HOST:PORT or unix:PATH");
    }

    @Test
    void aClientNeedsAHostThatResolves() {
        assertThatThrownBy(() -> ListenAddress.parseConnectable("tcp:host.invalid:9000", BASE))
                .hasMessage("listen address 'tcp:host.invalid:9000' has host 'host.invalid', which does not resolve;"
                        + " expected tcp:HOST:PORT or unix:PATH");
    }

    @Test
    void aClientResolvesARelativeSocketPathAsTheListenerDoes() {
        assertThat(ListenAddress.parseConnectable("unix:run/fastpool.sock", BASE))
                .isEqualTo(ListenAddress.parse("unix:run/fastpool.sock", BASE));
    }
}
