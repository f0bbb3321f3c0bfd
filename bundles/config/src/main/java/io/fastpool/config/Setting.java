package io.fastpool.config;

import java.util.List;

/**
 * One setting of a configuration, as the component's metatype declares it (an {@code AD} element
 * that bnd writes from the {@code @AttributeDefinition} of a method of the component's
 * {@code @ObjectClassDefinition}).
 *
 * @param name the key, as written in a {@code .cfg} file
 * @param type the value's type
 * @param multiple whether it takes a list (in a {@code .cfg} file: values separated by commas)
 * @param defaultValue the default as the metatype writes it (a list joined by commas); empty for none
 * @param min the smallest number allowed, or null
 * @param max the largest number allowed, or null
 * @param options the only values allowed, or empty for any
 * @param description what the setting does
 */
public record Setting(String name, Type type, boolean multiple, String defaultValue, Long min, Long max,
        List<String> options, String description) {

    /** The value types a metatype declares that Fastpool's settings use. */
    public enum Type {
        STRING, INTEGER, LONG, BOOLEAN;

        static Type of(String metatypeType) {
            return switch (metatypeType) {
                case "Integer", "Short", "Byte" -> INTEGER;
                case "Long" -> LONG;
                case "Boolean" -> BOOLEAN;
                default -> STRING;
            };
        }
    }

    public Setting {
        options = List.copyOf(options);
    }

    /** What a value of this setting may be, as a phrase for an error message or a table. */
    public String allowed() {
        if (!options.isEmpty()) {
            return "one of " + String.join(", ", options);
        }
        String list = multiple ? "a comma-separated list of " : "";
        return switch (type) {
            case BOOLEAN -> "true or false";
            case INTEGER, LONG -> list + (multiple ? "whole numbers" : "a whole number") + range();
            case STRING -> multiple ? list + "values" : "text";
        };
    }

    private String range() {
        long floor = min != null ? min : type == Type.INTEGER ? Integer.MIN_VALUE : Long.MIN_VALUE;
        long ceiling = max != null ? max : type == Type.INTEGER ? Integer.MAX_VALUE : Long.MAX_VALUE;
        if (min == null && max == null) {
            return "";
        }
        if (max == null) {
            return " from " + floor;
        }
        return " from " + floor + " to " + ceiling;
    }
}
