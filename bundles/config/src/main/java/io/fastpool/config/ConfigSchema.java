package io.fastpool.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The settings of one configuration PID and how each value is checked. Names, types, list-ness,
 * defaults, ranges and descriptions come from the metatype bnd generates from the component's
 * {@code @ObjectClassDefinition} (declared once, in the code); what a type cannot say (a duration, a
 * listen address, that one number must not exceed another) is added with {@link #withCheck} and
 * {@link #withRule}.
 *
 * <p>{@link #check} reports every problem of a configuration at once, not the first only: each
 * refused value, each unknown key (with the closest known key), each broken rule.
 */
public final class ConfigSchema {

    /** Checks one value written as text; answers null when it is fine, else why it is refused. */
    @FunctionalInterface
    public interface ValueCheck {
        String problem(String value);

        /** A check by a parser that throws {@link IllegalArgumentException} with the reason. */
        static ValueCheck parsedBy(java.util.function.Consumer<String> parser) {
            return value -> {
                try {
                    parser.accept(value);
                    return null;
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            };
        }
    }

    private final String pid;
    /** Keys this configuration took once, to the PID that takes each now. */
    private final Map<String, String> moved;
    private final Map<String, Setting> settings;
    private final Map<String, ValueCheck> checks;
    private final Map<String, String> allowed;
    private final List<Function<Map<String, Object>, List<Problem>>> rules;

    private ConfigSchema(String pid, Map<String, Setting> settings, Map<String, ValueCheck> checks, Map<String, String> allowed,
            List<Function<Map<String, Object>, List<Problem>>> rules) {
        this(pid, settings, checks, allowed, rules, Map.of());
    }

    private ConfigSchema(String pid, Map<String, Setting> settings, Map<String, ValueCheck> checks, Map<String, String> allowed,
            List<Function<Map<String, Object>, List<Problem>>> rules, Map<String, String> moved) {
        this.moved = moved;
        this.pid = pid;
        this.settings = settings;
        this.checks = checks;
        this.allowed = allowed;
        this.rules = rules;
    }

    /**
     * The schema of {@code pid} from the metatype that bnd generated for {@code configType} (the
     * component's {@code @ObjectClassDefinition}): {@code OSGI-INF/metatype/<class name>.xml}, read
     * through the type's own class loader, so it works inside the bundle and in its unit tests.
     */
    public static ConfigSchema of(String pid, Class<? extends Annotation> configType) {
        String resource = "OSGI-INF/metatype/" + configType.getName() + ".xml";
        URL url = configType.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("no metatype " + resource + " for " + pid + " (is " + configType.getName()
                    + " an @ObjectClassDefinition in a bundle built by bnd?)");
        }
        try (InputStream in = url.openStream()) {
            return new ConfigSchema(pid, parse(in), Map.of(), Map.of(), List.of());
        } catch (IOException | ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("cannot read the metatype " + resource + ": " + e.getMessage(), e);
        }
    }

    /** A schema of exactly these settings, for checks that have no metatype of their own. */
    public static ConfigSchema of(String pid, List<Setting> settings) {
        Map<String, Setting> byName = new LinkedHashMap<>();
        settings.forEach(setting -> byName.put(setting.name(), setting));
        return new ConfigSchema(pid, byName, Map.of(), Map.of(), List.of());
    }

    /** This schema, where the values of {@code key} must also pass {@code check}. */
    public ConfigSchema withCheck(String key, ValueCheck check) {
        return withCheck(key, null, check);
    }

    /**
     * This schema, where the values of {@code key} must also pass {@code check}, and what is allowed
     * reads {@code allowedPhrase} (for the configuration tables; null keeps the type's phrase).
     */
    public ConfigSchema withCheck(String key, String allowedPhrase, ValueCheck check) {
        if (!settings.containsKey(key)) {
            throw new IllegalArgumentException(pid + " has no setting " + key);
        }
        Map<String, ValueCheck> more = new HashMap<>(checks);
        more.put(key, check);
        Map<String, String> phrases = new HashMap<>(allowed);
        if (allowedPhrase != null) {
            phrases.put(key, allowedPhrase);
        }
        return new ConfigSchema(pid, settings, Map.copyOf(more), Map.copyOf(phrases), rules, moved);
    }

    /** What a value of {@code setting} may be, as the configuration tables say it. */
    public String allowed(Setting setting) {
        return allowed.getOrDefault(setting.name(), setting.allowed());
    }

    /**
     * This schema, where {@code key}, which this configuration took once, is reported as belonging
     * to {@code pid} now (a warning naming the file to write it in) rather than as unknown.
     */
    public ConfigSchema withMoved(String key, String pid) {
        if (settings.containsKey(key)) {
            throw new IllegalArgumentException(this.pid + " still has a setting " + key);
        }
        Map<String, String> more = new HashMap<>(moved);
        more.put(key, pid);
        return new ConfigSchema(this.pid, settings, checks, allowed, rules, Map.copyOf(more));
    }

    /** This schema, where a configuration whose values all pass must also pass {@code rule} (across keys). */
    public ConfigSchema withRule(Function<Map<String, Object>, List<Problem>> rule) {
        List<Function<Map<String, Object>, List<Problem>>> more = new ArrayList<>(rules);
        more.add(rule);
        return new ConfigSchema(pid, settings, checks, allowed, List.copyOf(more), moved);
    }

    public String pid() {
        return pid;
    }

    /** The settings, in the order the component declares them. */
    public List<Setting> settings() {
        return List.copyOf(settings.values());
    }

    /** Every setting at its default, typed. */
    public Map<String, Object> defaults() {
        return check(Map.of(), pid).values();
    }

    /**
     * Checks {@code written} (keys as written in the file; values as text, numbers, booleans, arrays
     * or collections) and types every setting's value, taking defaults for keys not written.
     * {@code source} names where it came from in problems (e.g. {@code conf/io.fastpool.transport.cfg}).
     */
    public Verdict check(Map<String, ?> written, String source) {
        List<Problem> errors = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> given = new LinkedHashSet<>();
        for (Setting setting : settings.values()) {
            values.put(setting.name(), typed(setting, split(setting, setting.defaultValue()), errors));
        }
        List<String> keys = new ArrayList<>(written.keySet());
        keys.sort(Comparator.naturalOrder());
        for (String key : keys) {
            Object value = written.get(key);
            Setting setting = settings.get(key);
            if (setting == null) {
                warnings.add(moved.containsKey(key) ? Problem.moved(key, value, moved.get(key))
                        : Problem.unknown(key, value, Suggestions.closest(key, settings.keySet())));
                continue;
            }
            int before = errors.size();
            Object typed = typed(setting, elements(setting, value), errors);
            if (errors.size() == before) {
                values.put(key, typed);
                given.add(key);
            }
        }
        if (errors.isEmpty()) {
            for (Function<Map<String, Object>, List<Problem>> rule : rules) {
                errors.addAll(rule.apply(values));
            }
        }
        return new Verdict(pid, source, values, given, errors, warnings);
    }

    private Object typed(Setting setting, List<String> elements, List<Problem> errors) {
        List<Object> typed = new ArrayList<>();
        for (String element : elements) {
            String problem = problemOf(setting, element);
            if (problem != null) {
                errors.add(Problem.refused(setting.name(), setting.multiple() ? String.join(", ", elements) : element, problem));
                return null;
            }
            typed.add(convert(setting, element));
        }
        if (setting.multiple()) {
            return typed.stream().map(String::valueOf).toArray(String[]::new);
        }
        return typed.isEmpty() ? convert(setting, "") : typed.get(0);
    }

    private String problemOf(Setting setting, String element) {
        String problem = switch (setting.type()) {
            case INTEGER, LONG -> numberProblem(setting, element);
            case BOOLEAN -> element.equalsIgnoreCase("true") || element.equalsIgnoreCase("false") ? null : allowedIs(setting);
            case STRING -> setting.options().isEmpty() || setting.options().contains(element) ? null : allowedIs(setting);
        };
        if (problem == null && checks.containsKey(setting.name())) {
            problem = checks.get(setting.name()).problem(element);
        }
        return problem;
    }

    private static String numberProblem(Setting setting, String element) {
        long number;
        try {
            number = Long.parseLong(element);
        } catch (NumberFormatException e) {
            return allowedIs(setting);
        }
        boolean tooLarge = setting.type() == Setting.Type.INTEGER && (number > Integer.MAX_VALUE || number < Integer.MIN_VALUE);
        if (tooLarge || (setting.min() != null && number < setting.min()) || (setting.max() != null && number > setting.max())) {
            return allowedIs(setting);
        }
        return null;
    }

    private static String allowedIs(Setting setting) {
        return "allowed is " + setting.allowed();
    }

    private static Object convert(Setting setting, String element) {
        return switch (setting.type()) {
            case INTEGER -> element.isEmpty() ? 0 : Integer.parseInt(element);
            case LONG -> element.isEmpty() ? 0L : Long.parseLong(element);
            case BOOLEAN -> Boolean.parseBoolean(element);
            case STRING -> element;
        };
    }

    /** A written value as the text elements to check: a list's items, or the one value, trimmed. */
    private static List<String> elements(Setting setting, Object value) {
        List<String> texts = new ArrayList<>();
        if (value instanceof Object[] array) {
            for (Object item : array) {
                texts.add(text(item).trim());
            }
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(item -> texts.add(text(item).trim()));
        } else if (value != null && value.getClass().isArray()) {
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                texts.add(text(java.lang.reflect.Array.get(value, i)).trim());
            }
        } else {
            return split(setting, text(value));
        }
        if (!setting.multiple() && texts.size() != 1) {
            return List.of(String.join(",", texts));
        }
        return texts;
    }

    private static List<String> split(Setting setting, String text) {
        if (!setting.multiple()) {
            return List.of(text.trim());
        }
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    static String text(Object value) {
        if (value instanceof Object[] array) {
            List<String> items = new ArrayList<>();
            for (Object item : array) {
                items.add(String.valueOf(item));
            }
            return String.join(", ", items);
        }
        return String.valueOf(value);
    }

    private static Map<String, Setting> parse(InputStream in) throws ParserConfigurationException, IOException, SAXException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setExpandEntityReferences(false);
        NodeList attributes = factory.newDocumentBuilder().parse(in).getElementsByTagName("AD");
        Map<String, Setting> settings = new LinkedHashMap<>();
        for (int i = 0; i < attributes.getLength(); i++) {
            Element ad = (Element) attributes.item(i);
            List<String> options = new ArrayList<>();
            NodeList optionNodes = ad.getElementsByTagName("Option");
            for (int j = 0; j < optionNodes.getLength(); j++) {
                options.add(((Element) optionNodes.item(j)).getAttribute("value"));
            }
            String cardinality = ad.getAttribute("cardinality");
            Setting setting = new Setting(ad.getAttribute("id"), Setting.Type.of(ad.getAttribute("type")),
                    !cardinality.isEmpty() && Integer.parseInt(cardinality) != 0, unescape(ad.getAttribute("default")),
                    bound(ad.getAttribute("min")), bound(ad.getAttribute("max")), options, ad.getAttribute("description"));
            settings.put(setting.name(), setting);
        }
        return settings;
    }

    /**
     * A metatype default as plain text: a backslash escapes the next character (a comma inside a
     * value, or a backslash); unescaped commas separate a list's values, kept as commas here.
     */
    static String unescape(String text) {
        StringBuilder plain = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                plain.append(text.charAt(++i));
            } else {
                plain.append(c);
            }
        }
        return plain.toString();
    }

    private static Long bound(String text) {
        return text.isEmpty() ? null : Long.valueOf(text.trim());
    }

    @Override
    public String toString() {
        return pid + settings.keySet();
    }
}
