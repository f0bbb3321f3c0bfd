package io.fastpool.samples.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;
import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.RequestBodyException;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * A small JSON API at /json, in the spirit of ServiceStack's benchmark services:
 *
 * <pre>
 * GET  /json/hello          {"message":"Hello, World!"}
 * GET  /json/items?count=N  [{"id":1,"name":"item 1"}, ...]   N from 1 to 100, default 10
 * POST /json/echo           the JSON object sent, with "received": true added
 * </pre>
 *
 * <p>Every answer, errors included, is {@code application/json}: a bad {@code count}, malformed
 * JSON or a body that is not an object is 400, an unknown path 404, a wrong method 405, each as
 * {@code {"error":"..."}} (not {@link Response#sendError}, whose page is plain text).
 *
 * <p>Shows an app that uses a library from another bundle: jackson-jr is imported, not embedded, so
 * the platform must hold the jackson-jr-objects and jackson-core bundles. {@link JSON#std} is
 * immutable and thread-safe, so one instance serves every request on every worker thread.
 */
@Component(service = WebApp.class)
@Mount(path = "/json")
public class JsonApi implements WebApp {

    static final int DEFAULT_COUNT = 10;
    static final int MAX_COUNT = 100;

    private static final String CONTENT_TYPE = "application/json; charset=UTF-8";

    @Override
    public void handle(Request request, Response response) throws IOException {
        switch (request.pathInfo()) {
            case "/hello" -> {
                if (allowed(request, response, "GET")) {
                    answer(response, 200, Map.of("message", "Hello, World!"));
                }
            }
            case "/items" -> {
                if (allowed(request, response, "GET")) {
                    items(request, response);
                }
            }
            case "/echo" -> {
                if (allowed(request, response, "POST")) {
                    echo(request, response);
                }
            }
            default -> answerError(response, 404, "no such resource: " + request.path());
        }
    }

    private static void items(Request request, Response response) throws IOException {
        String countParameter = request.queryParameter("count");
        int count;
        try {
            count = countParameter == null ? DEFAULT_COUNT : Integer.parseInt(countParameter);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > MAX_COUNT) {
            answerError(response, 400, "count must be a whole number from 1 to " + MAX_COUNT + ", was \"" + countParameter + "\"");
            return;
        }
        List<Map<String, Object>> items = new ArrayList<>(count);
        for (int id = 1; id <= count; id++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", id);
            item.put("name", "item " + id);
            items.add(item);
        }
        answer(response, 200, items);
    }

    private static void echo(Request request, Response response) throws IOException {
        Object body;
        try (JsonParser parser = JSON.std.getStreamingFactory().createParser(request.body())) {
            body = JSON.std.anyFrom(parser);
            if (parser.nextToken() != null) {
                answerError(response, 400, "malformed JSON: more content after the first value" + at(parser.currentLocation()));
                return;
            }
        } catch (JsonProcessingException e) {
            answerError(response, 400, "malformed JSON: " + e.getOriginalMessage() + at(e.getLocation()));
            return;
        } catch (RequestBodyException e) {
            answerError(response, 400, "the request body did not match its Content-Length: " + e.getMessage());
            return;
        }
        if (!(body instanceof Map<?, ?> object)) {
            answerError(response, 400, "the body must be a JSON object");
            return;
        }
        Map<Object, Object> received = new LinkedHashMap<>(object);
        received.put("received", true);
        answer(response, 200, received);
    }

    /** Whether the request uses {@code method}; if not, answers 405 with {@code Allow}. */
    private static boolean allowed(Request request, Response response, String method) throws IOException {
        if (request.method().equals(method)) {
            return true;
        }
        response.setHeader("Allow", method);
        answerError(response, 405, request.method() + " is not allowed on " + request.path() + ", only " + method);
        return false;
    }

    private static void answerError(Response response, int status, String message) throws IOException {
        answer(response, status, Map.of("error", message));
    }

    private static void answer(Response response, int status, Object value) throws IOException {
        byte[] json = JSON.std.asBytes(value);
        response.setStatus(status);
        response.setContentType(CONTENT_TYPE);
        response.body().write(json);
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
