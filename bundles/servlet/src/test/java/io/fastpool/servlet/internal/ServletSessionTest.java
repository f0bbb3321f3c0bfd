package io.fastpool.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastpool.testkit.FakeRequest;
import io.fastpool.testkit.FakeSession;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HttpSession over the pool's sessions, as a pool's request hands them out (made only when asked for). */
class ServletSessionTest {

    /** The pool's side of one request: the session the cookie names, or a new one when asked to create. */
    private FakeSession current;
    private int made;

    private ServletRequestAdapter request(String cookie) {
        FakeRequest fake = new FakeRequest("GET", "/shop/cart", "/shop").sessions(create -> {
            if ((current == null || current.ended()) && create) {
                current = new FakeSession("s" + ++made);
            }
            return current == null || current.ended() ? null : current;
        });
        if (cookie != null) {
            fake.header("Cookie", cookie);
        }
        return new ServletRequestAdapter(fake, ServletRoute.everything("/shop", "/cart"), null, ServletLimits.DEFAULTS, null, 1);
    }

    @Test
    void noSessionIsMadeUntilAskedForAndTheFirstIsNew() {
        ServletRequestAdapter request = request(null);
        assertThat(request.getSession(false)).isNull();
        assertThat(made).isZero();

        HttpSession session = request.getSession();
        assertThat(session.getId()).isEqualTo("s1");
        assertThat(session.isNew()).isTrue();
        assertThat(request.getSession(false)).isSameAs(session);
        assertThat(request.getRequestedSessionId()).isNull();
        assertThat(request.isRequestedSessionIdValid()).isFalse();
    }

    @Test
    void theSessionTheClientNamesIsFoundAndNotNew() {
        current = new FakeSession("s7");
        ServletRequestAdapter request = request("theme=dark; FPSESSION=s7");
        HttpSession session = request.getSession(false);
        assertThat(session.getId()).isEqualTo("s7");
        assertThat(session.isNew()).isFalse();
        assertThat(request.getRequestedSessionId()).isEqualTo("s7");
        assertThat(request.isRequestedSessionIdFromCookie()).isTrue();
        assertThat(request.isRequestedSessionIdFromURL()).isFalse();
        assertThat(request.isRequestedSessionIdValid()).isTrue();
        assertThat(session.getCreationTime()).isEqualTo(1_000);
        assertThat(session.getLastAccessedTime()).isEqualTo(2_000);
    }

    @Test
    void attributesAreThePoolSessionsAndBindingListenersHearOfThem() {
        HttpSession session = request(null).getSession();
        List<String> heard = new ArrayList<>();
        HttpSessionBindingListener cart = new HttpSessionBindingListener() {
            @Override
            public void valueBound(HttpSessionBindingEvent event) {
                heard.add("bound " + event.getName());
            }

            @Override
            public void valueUnbound(HttpSessionBindingEvent event) {
                heard.add("unbound " + event.getName());
            }
        };
        session.setAttribute("cart", cart);
        session.setAttribute("count", 1);
        assertThat(current.attribute("count")).isEqualTo(1);
        assertThat(Collections.list(session.getAttributeNames())).containsExactlyInAnyOrder("cart", "count");
        session.setAttribute("cart", "replaced");
        session.setAttribute("cart", cart);
        session.removeAttribute("cart");
        session.setAttribute("count", null);
        assertThat(heard).containsExactly("bound cart", "unbound cart", "bound cart", "unbound cart");
        assertThat(current.attributeNames()).isEmpty();
        assertThatThrownBy(() -> session.setAttribute(null, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInvalidatedSessionRefusesUseTellsItsListenersAndANewOneCanBeMade() {
        ServletRequestAdapter request = request(null);
        HttpSession session = request.getSession();
        List<String> heard = new ArrayList<>();
        session.setAttribute("user", (HttpSessionBindingListener) new HttpSessionBindingListener() {
            @Override
            public void valueUnbound(HttpSessionBindingEvent event) {
                heard.add("unbound " + event.getName());
            }
        });
        session.invalidate();
        assertThat(heard).containsExactly("unbound user");
        assertThat(current.ended()).isTrue();
        assertThatThrownBy(() -> session.getAttribute("user")).isInstanceOf(IllegalStateException.class)
                .hasMessage("session s1 was invalidated");
        assertThatThrownBy(session::isNew).isInstanceOf(IllegalStateException.class);
        assertThat(request.getSession(false)).isNull();

        HttpSession fresh = request.getSession(true);
        assertThat(fresh.getId()).isEqualTo("s2");
        assertThat(fresh.isNew()).isTrue();
    }

    @Test
    void theInactiveIntervalIsThePoolsSessionTimeout() {
        HttpSession session = request(null).getSession();
        assertThat(session.getMaxInactiveInterval()).isEqualTo(20 * 60);
        session.setMaxInactiveInterval(60);
        assertThat(session.getMaxInactiveInterval()).as("kept for the app; the pool's time-out still ends it").isEqualTo(60);
    }

    @Test
    void changeSessionIdNeedsASessionAndGivesTheSameSessionANewId() {
        ServletRequestAdapter request = request(null);
        assertThatThrownBy(request::changeSessionId).isInstanceOf(IllegalStateException.class).hasMessage("this request has no session");
        HttpSession session = request.getSession();
        session.setAttribute("user", "ann");

        String changed = request.changeSessionId();

        assertThat(changed).isEqualTo("s1.1").isEqualTo(session.getId());
        assertThat(request.getSession(false)).isSameAs(session);
        assertThat(session.getAttribute("user")).isEqualTo("ann");
    }
}
