package io.fastpool.servlet.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.ServiceReference;

/**
 * The servlet contexts there are: every {@code ServletContextHelper} service with a valid name and
 * path, and the built-in default. Of several contexts with one name, the highest-ranked (then the
 * oldest) is the one in use and shadows the others, as the whiteboard specifies: so a bundle's
 * "default" of a higher ranking replaces the built-in one for everybody.
 *
 * <p>Not thread-safe: the whiteboard changes and reads it holding its own monitor.
 */
final class ServletContexts {

    private final Map<ServiceReference<?>, WhiteboardContext> registered = new HashMap<>();
    /** By name, the context in use; recomputed on every change. */
    private Map<String, WhiteboardContext> inUse = Map.of(WhiteboardContext.BUILT_IN_DEFAULT.name(), WhiteboardContext.BUILT_IN_DEFAULT);

    /** A helper came or changed; returns whether the contexts in use changed. */
    boolean put(ServiceReference<?> reference, WhiteboardContext context) {
        registered.put(reference, context);
        return recompute();
    }

    /** A helper went; returns whether the contexts in use changed. */
    boolean remove(ServiceReference<?> reference) {
        return registered.remove(reference) != null && recompute();
    }

    /**
     * The contexts in use that {@code select} (a service's {@code .context.select}, {@code null} for
     * the default) selects; a malformed filter is an {@link IllegalArgumentException}.
     */
    List<WhiteboardContext> selectedBy(String select) {
        List<WhiteboardContext> selected = new ArrayList<>();
        for (WhiteboardContext context : inUse.values()) {
            if (context.selectedBy(select)) {
                selected.add(context);
            }
        }
        return selected;
    }

    /** The contexts in use, one per name. */
    Collection<WhiteboardContext> inUse() {
        return inUse.values();
    }

    /** The registered contexts another of the same name shadows. */
    List<WhiteboardContext> shadowed() {
        return registered.values().stream().filter(context -> inUse.get(context.name()) != context).toList();
    }

    private boolean recompute() {
        Map<String, WhiteboardContext> winners = new HashMap<>();
        winners.put(WhiteboardContext.BUILT_IN_DEFAULT.name(), WhiteboardContext.BUILT_IN_DEFAULT);
        for (WhiteboardContext context : registered.values()) {
            winners.merge(context.name(), context, (a, b) -> b.outranks(a) ? b : a);
        }
        boolean changed = !winners.equals(inUse);
        inUse = Map.copyOf(winners);
        return changed;
    }
}
