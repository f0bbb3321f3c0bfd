package io.fastpool.status.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer: the status document is flat and written once per request, so a
 * writer is simpler than a data binding. Strings are escaped for JSON and also made safe to embed
 * in HTML ({@code <}, {@code >}, {@code &} and the JavaScript line separators as {@code \\uXXXX}).
 * Numbers that JSON cannot hold (NaN, infinities) are written as {@code null}.
 */
final class JsonWriter {

    private final StringBuilder out;
    /** For each open object or array: whether a value was written in it yet. */
    private final Deque<boolean[]> scopes = new ArrayDeque<>();
    private boolean afterName;

    JsonWriter(StringBuilder out) {
        this.out = out;
    }

    JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        scopes.push(new boolean[1]);
        return this;
    }

    JsonWriter endObject() {
        scopes.pop();
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        scopes.push(new boolean[1]);
        return this;
    }

    JsonWriter endArray() {
        scopes.pop();
        out.append(']');
        return this;
    }

    /** Writes a member's name; its value comes next. */
    JsonWriter name(String name) {
        beforeValue();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String value) {
        beforeValue();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    JsonWriter value(double value) {
        beforeValue();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        return this;
    }

    JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return this;
    }

    /** Writes a String, Number, Boolean or null; anything else as its string form. */
    JsonWriter value(Object value) {
        if (value == null) {
            return nullValue();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return value(((Number) value).longValue());
        }
        if (value instanceof Number number) {
            return value(number.doubleValue());
        }
        if (value instanceof Boolean bool) {
            return value(bool.booleanValue());
        }
        return value(value.toString());
    }

    JsonWriter member(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter member(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter member(String name, double value) {
        return name(name).value(value);
    }

    JsonWriter member(String name, boolean value) {
        return name(name).value(value);
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] scope = scopes.peek();
        if (scope != null) {
            if (scope[0]) {
                out.append(',');
            }
            scope[0] = true;
        }
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029' || c == 0x7F) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
