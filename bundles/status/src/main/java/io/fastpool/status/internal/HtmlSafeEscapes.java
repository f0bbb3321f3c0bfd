package io.fastpool.status.internal;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * JSON's escapes for jackson-core's generator, plus {@code <}, {@code >}, {@code &}, DEL and the
 * JavaScript line separators U+2028 and U+2029, so the status JSON can be pasted into a
 * {@code <script>} or an HTML page without ending it. Those, and the control characters other than
 * tab, line feed and carriage return, are written as a backslash, {@code u} and four lower-case hex
 * digits ({@code <} as {@code u003c}), byte for byte what the status bundle's JSON held before it
 * used jackson.
 */
final class HtmlSafeEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();
    private final SerializableString[] sequences = new SerializableString[128];
    private final SerializableString lineSeparator = escape('\u2028');
    private final SerializableString paragraphSeparator = escape('\u2029');

    HtmlSafeEscapes() {
        for (int c = 0; c < 128; c++) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == '<' || c == '>' || c == '&' || c == 0x7F) {
                ascii[c] = ESCAPE_CUSTOM;
                sequences[c] = escape((char) c);
            }
        }
    }

    private static SerializableString escape(char c) {
        return new SerializedString(String.format("\\u%04x", (int) c));
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
        if (c < 128) {
            return sequences[c];
        }
        return c == '\u2028' ? lineSeparator : c == '\u2029' ? paragraphSeparator : null;
    }
}
