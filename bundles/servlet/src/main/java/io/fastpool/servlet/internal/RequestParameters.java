package io.fastpool.servlet.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's parameters as the Servlet API defines them: the query string's, then those of an
 * {@code application/x-www-form-urlencoded} POST body, parsed together on first use.
 *
 * <p>The query string is UTF-8, as Fastpool's {@code Request} reads it; a form body is read in the
 * request's charset, else UTF-8 (the charset browsers send forms in; the WHATWG URL standard makes
 * it the format's only encoding). When the form cannot be parsed (over
 * {@link ServletLimits#maxFormContentSize()}, broken percent-encoding) the bytes read are put back
 * into the input stream: the servlet sees the error and can still read the body.
 */
final class RequestParameters {

    /** Where a form body comes from; {@code null} when the request carries none to parse. */
    record FormBody(RequestInput input, long contentLength, Charset charset) {
    }

    private RequestParameters() {
    }

    /** Every parameter, in order of first appearance, values in order; unmodifiable. */
    static Map<String, String[]> parse(String queryString, FormBody form, ServletLimits limits) {
        if (queryString.isEmpty() && form == null) {
            return Collections.emptyMap();
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        FormDecoder.decode(queryString, StandardCharsets.UTF_8, values, limits.maxFormKeys(), "query string");
        if (form != null) {
            decodeForm(form, values, limits);
        }
        Map<String, String[]> parameters = new LinkedHashMap<>(values.size() * 2);
        values.forEach((name, list) -> parameters.put(name, list.toArray(String[]::new)));
        return Collections.unmodifiableMap(parameters);
    }

    /** {@code parameters} followed by the values of the multipart body's form fields. */
    static Map<String, String[]> withFields(Map<String, String[]> parameters, MultipartParts parts, Charset charset)
            throws IOException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        parameters.forEach((name, array) -> values.put(name, new ArrayList<>(List.of(array))));
        parts.addFormFields(values, charset);
        Map<String, String[]> merged = new LinkedHashMap<>(values.size() * 2);
        values.forEach((name, list) -> merged.put(name, list.toArray(String[]::new)));
        return Collections.unmodifiableMap(merged);
    }

    private static void decodeForm(FormBody form, Map<String, List<String>> values, ServletLimits limits) {
        int max = limits.maxFormContentSize();
        if (form.contentLength() > max) {
            throw new FormTooLargeException("form body of " + form.contentLength() + " bytes is larger than "
                    + max + " bytes (maxFormContentSize); it was not read");
        }
        byte[] bytes = readAtMost(form.input(), max + 1L);
        if (bytes.length > max) {
            form.input().unread(bytes);
            throw new FormTooLargeException("form body sent without a Content-Length is larger than " + max
                    + " bytes (maxFormContentSize); what was read is left in the input stream");
        }
        try {
            FormDecoder.decode(new String(bytes, form.charset()), form.charset(), values, limits.maxFormKeys(), "form body");
        } catch (MalformedParameterException e) {
            form.input().unread(bytes);
            throw e;
        }
    }

    private static byte[] readAtMost(RequestInput input, long count) {
        try {
            return input.readNBytes((int) Math.min(count, Integer.MAX_VALUE - 8));
        } catch (IOException e) {
            // getParameter declares no IOException; ServletInvoker unwraps this again.
            throw new UncheckedIOException("reading the form body failed: " + e.getMessage(), e);
        }
    }
}
