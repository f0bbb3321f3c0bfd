package io.fastpool.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AllowedClientsTest {

    @Test
    void defaultAdmitsLoopbackOnly() throws UnknownHostException {
        AllowedClients clients = AllowedClients.parse(AllowedClients.DEFAULT);

        assertThat(clients.allows(ip("127.0.0.1"))).isTrue();
        assertThat(clients.allows(ip("127.255.0.9"))).isTrue();
        assertThat(clients.allows(ip("::1"))).isTrue();
        assertThat(clients.allows(ip("128.0.0.1"))).isFalse();
        assertThat(clients.allows(ip("10.0.0.1"))).isFalse();
        assertThat(clients.allows(ip("::2"))).isFalse();
    }

    @Test
    void matchesCidrBlocksOnBitBoundaries() throws UnknownHostException {
        AllowedClients clients = AllowedClients.parse(List.of("192.168.4.0/22", "fd00:1::/33"));

        assertThat(clients.allows(ip("192.168.4.1"))).isTrue();
        assertThat(clients.allows(ip("192.168.7.255"))).isTrue();
        assertThat(clients.allows(ip("192.168.8.0"))).isFalse();
        assertThat(clients.allows(ip("192.168.3.255"))).isFalse();
        assertThat(clients.allows(ip("fd00:1:7fff::1"))).isTrue();
        assertThat(clients.allows(ip("fd00:1:8000::1"))).isFalse();
    }

    @Test
    void singleAddressesAndAllowAllBlocks() throws UnknownHostException {
        assertThat(AllowedClients.parse(List.of("10.1.2.3")).allows(ip("10.1.2.3"))).isTrue();
        assertThat(AllowedClients.parse(List.of("10.1.2.3")).allows(ip("10.1.2.4"))).isFalse();
        assertThat(AllowedClients.parse(List.of("0.0.0.0/0")).allows(ip("203.0.113.7"))).isTrue();
        assertThat(AllowedClients.parse(List.of("::/0")).allows(ip("2001:db8::1"))).isTrue();
        assertThat(AllowedClients.parse(List.of("[::1]")).allows(ip("::1"))).isTrue();
    }

    @Test
    void ipv4BlocksDoNotMatchIpv6Addresses() throws UnknownHostException {
        assertThat(AllowedClients.parse(List.of("0.0.0.0/0")).allows(ip("::1"))).isFalse();
    }

    @Test
    void blankEntriesAreSkippedAndEmptyAdmitsNobody() throws UnknownHostException {
        AllowedClients clients = AllowedClients.parse(List.of(" ", ""));

        assertThat(clients.entries()).isEmpty();
        assertThat(clients.allows(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void refusesHostNamesAndBadPrefixes() {
        assertThatThrownBy(() -> AllowedClients.parse(List.of("localhost")))
                .hasMessage("allowedClients entry 'localhost' is not an IP address or CIDR block;"
                        + " expected e.g. 127.0.0.1, 10.0.0.0/8 or ::1");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("10.0.0.0/33")))
                .hasMessage("allowedClients entry '10.0.0.0/33' has prefix length 33; expected 0 to 32");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("10.0.0.0/")))
                .hasMessage("allowedClients entry '10.0.0.0/' has prefix length ''; expected 0 to 32");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("::1/x")))
                .hasMessage("allowedClients entry '::1/x' has prefix length 'x'; expected 0 to 128");
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }
}
