package io.fastpool.config;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link ConfigSchema#check} made of one configuration.
 *
 * @param pid the configuration's PID
 * @param source where it was written (a file, relative to the server's folder), or the PID
 * @param values every setting's value, typed (Integer, Long, Boolean, String or String[]); written
 *        values that passed, defaults for the rest
 * @param written the keys whose value came from the configuration rather than the defaults
 * @param errors refused values and broken rules: the configuration must not be applied
 * @param warnings unknown keys: ignored, the rest may be applied
 */
public record Verdict(String pid, String source, Map<String, Object> values, Set<String> written, List<Problem> errors,
        List<Problem> warnings) {

    public Verdict {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        written = Set.copyOf(written);
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    /** Whether the configuration must not be applied. */
    public boolean refused() {
        return !errors.isEmpty();
    }

    /**
     * Logs what an operator must know, a line each: every unknown key (WARNING) and, when refused,
     * every problem (ERROR) and then {@code <source> is refused (N problems); <whatRuns>}. Returns
     * {@link #refused()}.
     */
    public boolean log(System.Logger log, String whatRuns) {
        warnings.forEach(problem -> log.log(System.Logger.Level.WARNING, problem.describe(source)));
        if (!refused()) {
            return false;
        }
        errors.forEach(problem -> log.log(System.Logger.Level.ERROR, problem.describe(source)));
        log.log(System.Logger.Level.ERROR, source + " is refused (" + errors.size() + (errors.size() == 1 ? " problem" : " problems")
                + "); " + whatRuns);
        return true;
    }

    /**
     * The values as the component's typed configuration: a {@code @ObjectClassDefinition} annotation
     * type whose methods are named after the keys, as Declarative Services would pass it.
     */
    public <A extends Annotation> A as(Class<A> type) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> switch (method.getName()) {
            case "annotationType" -> type;
            case "toString" -> type.getSimpleName() + values;
            case "hashCode" -> System.identityHashCode(self);
            case "equals" -> self == args[0];
            default -> valueFor(method);
        });
        return type.cast(proxy);
    }

    private Object valueFor(Method method) {
        Object value = values.get(method.getName());
        Class<?> wanted = method.getReturnType();
        if (value == null) {
            return method.getDefaultValue();
        }
        if (wanted == int.class) {
            return ((Number) value).intValue();
        }
        if (wanted == long.class) {
            return ((Number) value).longValue();
        }
        if (wanted == String[].class) {
            return value instanceof String[] array ? array.clone() : new String[] {String.valueOf(value)};
        }
        if (wanted == String.class && value instanceof String[] array) {
            return String.join(",", array);
        }
        if (wanted.isEnum()) {
            for (Object constant : wanted.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(String.valueOf(value))) {
                    return constant;
                }
            }
            return method.getDefaultValue();
        }
        return value;
    }
}
