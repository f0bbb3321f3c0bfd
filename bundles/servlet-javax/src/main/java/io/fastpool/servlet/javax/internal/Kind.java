package io.fastpool.servlet.javax.internal;

import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.felix.http.jakartawrappers.EventListenerWrapper;
import org.apache.felix.http.jakartawrappers.FilterWrapper;
import org.apache.felix.http.jakartawrappers.ServletWrapper;

/**
 * The kinds of javax whiteboard service mirrored as Jakarta ones: the Jakarta interfaces each is
 * registered under, and how the javax object is made the Jakarta one (Apache Felix's wrappers,
 * which also turn what the Jakarta side hands in, requests, configs, events and contexts, into
 * javax objects on the way).
 */
enum Kind {

    SERVLET("servlet") {
        @Override
        List<String> jakartaTypes(List<String> javaxTypes) {
            return List.of("jakarta.servlet.Servlet");
        }

        @Override
        Object wrap(Object javax, Set<String> jakartaTypes) {
            return new ServletWrapper((javax.servlet.Servlet) javax);
        }
    },

    FILTER("filter") {
        @Override
        List<String> jakartaTypes(List<String> javaxTypes) {
            return List.of("jakarta.servlet.Filter");
        }

        @Override
        Object wrap(Object javax, Set<String> jakartaTypes) {
            return new FilterWrapper((javax.servlet.Filter) javax);
        }
    },

    /** One service may be several kinds of listener: it hears the events of the interfaces it is registered under. */
    LISTENER("listener") {
        @Override
        List<String> jakartaTypes(List<String> javaxTypes) {
            List<String> jakarta = new ArrayList<>();
            for (String type : javaxTypes) {
                String counterpart = LISTENERS.get(type);
                if (counterpart != null) {
                    jakarta.add(counterpart);
                }
            }
            return List.copyOf(jakarta);
        }

        @Override
        Object wrap(Object javax, Set<String> jakartaTypes) {
            return new EventListenerWrapper((EventListener) javax, jakartaTypes);
        }
    },

    CONTEXT_HELPER("servlet context helper") {
        @Override
        List<String> jakartaTypes(List<String> javaxTypes) {
            return List.of("org.osgi.service.servlet.context.ServletContextHelper");
        }

        @Override
        Object wrap(Object javax, Set<String> jakartaTypes) {
            return new JakartaContextHelper((org.osgi.service.http.context.ServletContextHelper) javax);
        }
    };

    /** The whiteboard's listener interfaces (those Felix's {@code EventListenerWrapper} passes events to), javax to Jakarta. */
    static final Map<String, String> LISTENERS = Map.of(
            "javax.servlet.ServletContextListener", "jakarta.servlet.ServletContextListener",
            "javax.servlet.ServletContextAttributeListener", "jakarta.servlet.ServletContextAttributeListener",
            "javax.servlet.ServletRequestListener", "jakarta.servlet.ServletRequestListener",
            "javax.servlet.ServletRequestAttributeListener", "jakarta.servlet.ServletRequestAttributeListener",
            "javax.servlet.http.HttpSessionListener", "jakarta.servlet.http.HttpSessionListener",
            "javax.servlet.http.HttpSessionAttributeListener", "jakarta.servlet.http.HttpSessionAttributeListener",
            "javax.servlet.http.HttpSessionIdListener", "jakarta.servlet.http.HttpSessionIdListener");

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    /** The Jakarta interfaces a service registered under {@code javaxTypes} (its {@code objectClass}) is mirrored under. */
    abstract List<String> jakartaTypes(List<String> javaxTypes);

    /** The javax service as the Jakarta object the whiteboard calls; {@code jakartaTypes} are what it was mirrored under. */
    abstract Object wrap(Object javax, Set<String> jakartaTypes);

    /** What it is called in log lines. */
    String label() {
        return label;
    }
}
