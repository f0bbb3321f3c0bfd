package io.fastpool.samples.hello;

import io.fastpool.api.Mount;
import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;

/** Answers "Hello, world!" (or "Hello, NAME!" with {@code ?name=NAME}) in plain text at /hello. */
@Component(service = WebApp.class)
@Mount(path = "/hello")
public class Hello implements WebApp {

    private static final byte[] HELLO_WORLD = "Hello, world!".getBytes(StandardCharsets.UTF_8);

    @Override
    public void handle(Request request, Response response) throws IOException {
        response.setContentType("text/plain");
        String name = request.queryParameter("name");
        response.body().write(name == null ? HELLO_WORLD : ("Hello, " + name + "!").getBytes(StandardCharsets.UTF_8));
    }
}
