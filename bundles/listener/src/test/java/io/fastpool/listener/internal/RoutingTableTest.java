package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.api.spi.RequestTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private final RoutingTable table = new RoutingTable();

    private RequestTarget mount(String host, int port, String path) {
        // An anonymous class, not a lambda: a non-capturing lambda is one shared instance.
        RequestTarget target = new RequestTarget() {
            @Override
            public void dispatch(io.fastpool.api.spi.Exchange exchange) {
            }
        };
        table.add(new RoutingTable.Route(host, port, path, target, host + ":" + port + path));
        return target;
    }

    private String route(String host, int port, String path) {
        Router.Match match = table.route(host, port, path);
        return match == null ? null : match.name() + " @" + match.contextPath();
    }

    @Test
    void replacingATargetsRoutesWithTheRoutesItHasChangesNothingAndSaysSo() {
        RequestTarget target = mount("*", 0, "/app");
        RoutingTable.Route same = new RoutingTable.Route("*", 0, "/app", target, "*:0/app");
        assertThat(table.replace(target, List.of(same))).isFalse();
        RoutingTable.Route moved = new RoutingTable.Route("*", 0, "/shop", target, "*:0/app");
        assertThat(table.replace(target, List.of(moved))).isTrue();
        assertThat(route("h", 80, "/app")).isNull();
        assertThat(route("h", 80, "/shop/x")).isEqualTo("*:0/app @/shop");
    }

    @Test
    void aPrefixMatchesItselfAndWhatIsBelowItButNotALongerName() {
        mount("*", 0, "/app");
        assertThat(route("h", 80, "/app")).isEqualTo("*:0/app @/app");
        assertThat(route("h", 80, "/app/")).isEqualTo("*:0/app @/app");
        assertThat(route("h", 80, "/app/x/y")).isEqualTo("*:0/app @/app");
        assertThat(route("h", 80, "/apple")).isNull();
        assertThat(route("h", 80, "/")).isNull();
    }

    @Test
    void theLongestPrefixWins() {
        mount("*", 0, "/");
        mount("*", 0, "/shop");
        mount("*", 0, "/shop/admin");
        assertThat(route("h", 80, "/shop/admin/users")).startsWith("*:0/shop/admin");
        assertThat(route("h", 80, "/shop/cart")).startsWith("*:0/shop @");
        assertThat(route("h", 80, "/other")).isEqualTo("*:0/ @");
        assertThat(route("h", 80, "/")).isEqualTo("*:0/ @");
    }

    @Test
    void anExactHostBeatsAWildcardDomainWhichBeatsAnyHost() {
        mount("*", 0, "/");
        mount("*.example.com", 0, "/");
        mount("*.shop.example.com", 0, "/");
        mount("www.example.com", 0, "/");
        assertThat(route("www.example.com", 80, "/")).startsWith("www.example.com");
        assertThat(route("a.example.com", 80, "/")).startsWith("*.example.com");
        assertThat(route("x.shop.example.com", 80, "/")).startsWith("*.shop.example.com");
        assertThat(route("example.com", 80, "/")).startsWith("*:0");
        assertThat(route("other.org", 80, "/")).startsWith("*:0");
    }

    @Test
    void hostsCompareCaseInsensitively() {
        mount("Shop.Example.COM", 0, "/");
        assertThat(route("shop.example.com", 80, "/x")).isEqualTo("Shop.Example.COM:0/ @");
        assertThat(table.routes().get(0).host()).isEqualTo("shop.example.com");
    }

    @Test
    void aSpecificPortBeatsAnyPortAndOtherPortsDoNotMatch() {
        mount("*", 0, "/");
        mount("*", 8080, "/");
        mount("*", 9090, "/only");
        assertThat(route("h", 8080, "/")).startsWith("*:8080");
        assertThat(route("h", 80, "/")).startsWith("*:0");
        assertThat(route("h", 80, "/only")).startsWith("*:0/ @");
        assertThat(route("h", 9090, "/only")).startsWith("*:9090/only");
    }

    @Test
    void aLongerPrefixOnAnyHostBeatsAShorterOneOnAnExactHost() {
        mount("www.example.com", 0, "/");
        mount("*", 0, "/api");
        assertThat(route("www.example.com", 80, "/api/v1")).startsWith("*:0/api");
    }

    @Test
    void routesChangeAtRuntime() {
        RequestTarget shop = mount("*", 0, "/shop");
        mount("*", 0, "/");
        assertThat(route("h", 80, "/shop/x")).startsWith("*:0/shop");
        assertThat(table.remove(shop)).isEqualTo(1);
        assertThat(route("h", 80, "/shop/x")).isEqualTo("*:0/ @");
    }

    @Test
    void prefixesAreNormalised() {
        mount("*", 0, "/a/b/");
        mount("*", 0, "/c/./d/../e");
        assertThat(route("h", 80, "/a/b/c")).startsWith("*:0/a/b/");
        assertThat(table.routes()).extracting(RoutingTable.Route::prefix).containsExactly("/a/b", "/c/e");
    }

    @Test
    void badRoutesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> mount("*", 0, "app")).hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> mount("a*.example.com", 0, "/")).hasMessageContaining("'*', or '*.domain'");
        assertThatThrownBy(() -> mount("*", 70000, "/")).hasMessageContaining("port");
    }

    @Test
    void serviceRoutePropertiesBecomeOneRoutePerHost() {
        RequestTarget target = exchange -> { };
        List<RoutingTable.Route> routes = ListenerComponent.routesOf(target, Map.of(
                RequestTarget.ROUTE_PATH, "/shop", RequestTarget.ROUTE_HOST, new String[] {"a.com", "*.b.com"},
                RequestTarget.ROUTE_PORT, 8080, RequestTarget.NAME, "shop"));
        assertThat(routes).extracting(RoutingTable.Route::host).containsExactly("a.com", "*.b.com");
        assertThat(routes).allSatisfy(r -> {
            assertThat(r.port()).isEqualTo(8080);
            assertThat(r.prefix()).isEqualTo("/shop");
            assertThat(r.name()).isEqualTo("shop");
        });
        assertThatThrownBy(() -> ListenerComponent.routesOf(target, Map.of(RequestTarget.ROUTE_PORT, 1)))
                .hasMessageContaining(RequestTarget.ROUTE_PATH);
        assertThatThrownBy(() -> ListenerComponent.routesOf(target, Map.of(RequestTarget.ROUTE_PATH, "/", RequestTarget.ROUTE_PORT, "http")))
                .hasMessageContaining("must be a port number");
    }

    @Test
    void lookupsStayFastWithThousandsOfRoutes() {
        for (int i = 0; i < 2000; i++) {
            mount("*", 0, "/app" + i);
        }
        assertThat(route("h", 80, "/app1999/x")).startsWith("*:0/app1999");
        assertThat(route("h", 80, "/app2000/x")).isNull();
    }
}
