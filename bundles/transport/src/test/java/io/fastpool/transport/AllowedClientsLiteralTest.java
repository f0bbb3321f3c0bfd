package io.fastpool.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests name their client as a literal ({@code REMOTE_ADDR}): every way of writing one, and what is not one. */
class AllowedClientsLiteralTest {

    private final AllowedClients loopback = AllowedClients.parse(AllowedClients.DEFAULT);

    @Test
    void theDefaultAllowsLoopbackInEveryWritingOfIt() {
        assertThat(List.of("127.0.0.1", "127.255.3.9", "::1", "[::1]", "0:0:0:0:0:0:0:1", "0000:0000::0001", "::ffff:127.0.0.1",
                "::FFFF:7f00:1", " 127.0.0.1 ")).allSatisfy(address -> assertThat(loopback.allows(address)).as(address).isTrue());
    }

    @Test
    void theDefaultRefusesEverythingElseIncludingNamesAndGarbage() {
        assertThat(List.of("128.0.0.1", "10.0.0.1", "192.0.2.10", "::2", "::ffff:10.0.0.1", "fe80::1", "", "unix", "localhost",
                "127.0.0.1.1", "127.0.0", "127.0.0.256", "127.0.0.-1", "127.0.0.1/8", "1::2::3", "1:2:3:4:5:6:7:8:9",
                "１２７.0.0.1", "127.0.0.１", "::１", "g::1", "12345::1"))
                .allSatisfy(address -> assertThat(loopback.allows(address)).as(address).isFalse());
        assertThat(loopback.allows((String) null)).isFalse();
    }

    @Test
    void cidrBlocksMatchByTheirPrefixBits() {
        AllowedClients clients = AllowedClients.parse(List.of("10.0.0.0/8", "192.168.4.0/22", "2001:db8::/32", "203.0.113.7"));
        assertThat(clients.allows("10.200.1.1")).isTrue();
        assertThat(clients.allows("11.0.0.1")).isFalse();
        assertThat(clients.allows("192.168.7.255")).isTrue();
        assertThat(clients.allows("192.168.8.0")).isFalse();
        assertThat(clients.allows("192.168.3.255")).isFalse();
        assertThat(clients.allows("2001:db8:ffff::1")).isTrue();
        assertThat(clients.allows("2001:db9::1")).isFalse();
        assertThat(clients.allows("203.0.113.7")).isTrue();
        assertThat(clients.allows("203.0.113.8")).isFalse();
        assertThat(clients.allows("fe80::1%eth0")).isFalse();
        assertThat(AllowedClients.parse(List.of("fe80::/10")).allows("fe80::1%eth0")).as("zone id ignored").isTrue();
        assertThat(AllowedClients.parse(List.of("0.0.0.0/0")).allows("198.51.100.1")).isTrue();
        assertThat(AllowedClients.parse(List.of("0.0.0.0/0")).allows("::2")).as("an IPv4 block never holds IPv6").isFalse();
    }

    @Test
    void anEmptyListAllowsNobody() {
        AllowedClients nobody = AllowedClients.parse(List.of("", "  "));
        assertThat(nobody.entries()).isEmpty();
        assertThat(nobody.allows("127.0.0.1")).isFalse();
    }

    @Test
    void badEntriesAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> AllowedClients.parse(List.of("localhost"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'localhost' is not an IP address or CIDR block");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length 33; expected 0 to 32");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("::1/129"))).hasMessageContaining("expected 0 to 128");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("10.0.0.0/"))).hasMessageContaining("prefix length ''");
        assertThatThrownBy(() -> AllowedClients.parse(List.of("10.0.0.0/x"))).hasMessageContaining("prefix length 'x'");
    }

    @Test
    void oneCommaSeparatedStringAsACfgFileGivesItIsSplit() {
        AllowedClients clients = AllowedClients.parse(List.of("127.0.0.0/8, ::1,10.0.0.0/8"));
        assertThat(clients.entries()).containsExactly("127.0.0.0/8", "::1", "10.0.0.0/8");
        assertThat(clients.allows("127.0.0.9")).isTrue();
        assertThat(clients.allows("::1")).isTrue();
        assertThat(clients.allows("10.2.3.4")).isTrue();
        assertThat(clients.allows("192.0.2.1")).isFalse();
    }
}
