package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.api.spi.RequestTarget;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The listener's routes as request target services come, move and go (what DS calls on the component). */
class ListenerRoutesTest {

    private final ListenerComponent listener = new ListenerComponent();
    private final RequestTarget app = new RequestTarget() {
        @Override
        public void dispatch(io.fastpool.api.spi.Exchange exchange) {
        }
    };

    private String routeOf(String path) {
        Router.Match match = listener.routingTable().route("example.org", 80, path);
        return match == null ? null : match.contextPath();
    }

    @Test
    void aTargetWhoseRoutePropertiesChangeMovesToItsNewPath() {
        listener.addTarget(app, Map.of(RequestTarget.ROUTE_PATH, "/servlet/static", RequestTarget.NAME, "sample"));
        assertThat(routeOf("/servlet/")).isNull();

        listener.updatedTarget(app, Map.of(RequestTarget.ROUTE_PATH, "/servlet", RequestTarget.NAME, "sample"));

        assertThat(routeOf("/servlet/")).isEqualTo("/servlet");
        assertThat(routeOf("/servlet/static/a.css")).as("one route, at the new path").isEqualTo("/servlet");
        assertThat(listener.routes()).hasSize(1);
    }

    @Test
    void aBadNewRouteKeepsTheOldOne() {
        listener.addTarget(app, Map.of(RequestTarget.ROUTE_PATH, "/shop", RequestTarget.NAME, "shop"));

        listener.updatedTarget(app, Map.of(RequestTarget.ROUTE_PATH, "no-slash", RequestTarget.NAME, "shop"));

        assertThat(routeOf("/shop/cart")).isEqualTo("/shop");
        assertThat(listener.routes()).hasSize(1);
    }

    @Test
    void aRemovedTargetLeavesNoRoute() {
        listener.addTarget(app, Map.of(RequestTarget.ROUTE_PATH, "/shop", RequestTarget.NAME, "shop"));
        listener.removeTarget(app);
        assertThat(routeOf("/shop")).isNull();
    }
}
