package io.fastpool.servlet.internal;

import java.util.Map;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * Whether a whiteboard service is meant for Fastpool's whiteboard: its
 * {@code osgi.http.whiteboard.target}, an LDAP filter, must match the service properties of
 * Fastpool's {@code HttpServiceRuntime} ({@link WhiteboardRuntime}); a service without one is for
 * every whiteboard. A service whose target does not match is meant for another whiteboard in the
 * same framework and is ignored, as the specification says; one whose target is not a valid filter
 * is ignored too, and said so.
 */
final class RuntimeTarget {

    static final String TARGET = "osgi.http.whiteboard.target";

    /** The runtime's service properties; none until it is bound (then every target fails to match). */
    private volatile Map<String, Object> runtime = Map.of();

    void runtime(Map<String, Object> properties) {
        runtime = Map.copyOf(properties);
    }

    /** {@code null} when the service with these properties is for this whiteboard; else why it is not. */
    String refusal(Map<String, Object> service) {
        Object target = service.get(TARGET);
        if (target == null) {
            return null;
        }
        if (!(target instanceof String filter)) {
            return TARGET + " is not a String but " + target.getClass().getName();
        }
        try {
            return FrameworkUtil.createFilter(filter).matches(runtime) ? null
                    : TARGET + "=" + filter + " names another whiteboard (it does not match Fastpool's HttpServiceRuntime)";
        } catch (InvalidSyntaxException e) {
            return TARGET + "=" + filter + " is not a valid filter: " + e.getMessage();
        }
    }
}
