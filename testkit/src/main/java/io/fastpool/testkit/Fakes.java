package io.fastpool.testkit;

import java.lang.reflect.Proxy;

/**
 * Fakes of framework interfaces (a {@code BundleContext}, a {@code ServiceReference}, ...) for unit
 * tests that need a handful of their methods: a proxy whose methods {@link Answer} handles by name,
 * equal only to itself.
 */
public final class Fakes {

    /** What a fake does when one of its methods is called; throw for the methods a test does not expect. */
    @FunctionalInterface
    public interface Answer {
        Object answer(String method, Object[] args) throws Exception;
    }

    private Fakes() {
    }

    /** A fake of {@code type}: {@code answer} handles its methods; equality is identity. */
    @SuppressWarnings("unchecked")
    public static <T> T fake(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> type.getSimpleName() + "@" + System.identityHashCode(proxy);
            default -> answer.answer(method.getName(), args == null ? new Object[0] : args);
        });
    }
}
