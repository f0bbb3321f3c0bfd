package io.fastpool.itest.support;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import org.osgi.framework.ServiceReference;

/**
 * The PoolManager service, reached by reflection: its classes are the pool bundle's, not the test
 * class path's.
 */
public final class Pools {

    private final Platform platform;

    public Pools(Platform platform) {
        this.platform = platform;
    }

    private Object manager() throws Exception {
        ServiceReference<?>[] references = platform.context().getAllServiceReferences("io.fastpool.pool.PoolManager", null);
        if (references == null) {
            throw new IllegalStateException("no PoolManager service");
        }
        return platform.context().getService(references[0]);
    }

    /** The snapshot of pool {@code name}. */
    public Object snapshot(String name) throws Exception {
        Object manager = manager();
        Optional<?> snapshot = (Optional<?>) invoke(manager, "pool", name);
        return snapshot.orElseThrow(() -> new AssertionError("no pool " + name));
    }

    /** A figure of pool {@code name}: {@code read("p", "counters", "rejected")}. */
    public Object read(String name, String... path) throws Exception {
        Object value = snapshot(name);
        for (String step : path) {
            value = invoke(value, step);
        }
        return value;
    }

    /** A figure of the first app of pool {@code name}: {@code app("p", "sessions")}. */
    public Object app(String name, String figure) throws Exception {
        List<?> apps = (List<?>) read(name, "apps");
        return invoke(apps.get(0), figure);
    }

    /** Runs an operation: start, stop, restart, recycle. */
    public void operate(String operation, String name) throws Exception {
        invoke(manager(), operation, name);
    }

    private static Object invoke(Object target, String method, Object... args) throws Exception {
        for (Method candidate : target.getClass().getMethods()) {
            if (candidate.getName().equals(method) && candidate.getParameterCount() == args.length) {
                candidate.setAccessible(true);
                return candidate.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + method);
    }
}
