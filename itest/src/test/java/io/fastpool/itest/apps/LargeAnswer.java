package io.fastpool.itest.apps;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.OutputStream;

/**
 * A Declarative Services component answering {@code ?bytes=N} bytes of {@link #pattern()} (default
 * 8 MB), packed into an app bundle for the deploy/ folder of a distribution: the shipped samples
 * answer a few kB at most (/json/items has at most 100 items), and a web server in front must also
 * be seen passing an answer of several MB.
 */
public final class LargeAnswer implements WebApp {

    /** The 64 kB the answer repeats: 'a' to 'z' over and over, then a newline. */
    public static byte[] pattern() {
        byte[] chunk = new byte[65536];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) ('a' + i % 26);
        }
        chunk[chunk.length - 1] = '\n';
        return chunk;
    }

    /** OSGI-INF/component.xml for the bundle, mounting the component at {@code path}. */
    public static String component(String path) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.4.0" name="large">
                  <implementation class="io.fastpool.itest.apps.LargeAnswer"/>
                  <service><provide interface="io.fastpool.api.WebApp"/></service>
                  <property name="fastpool.mount.path" value="%s"/>
                </scr:component>
                """.formatted(path);
    }

    @Override
    public void handle(Request request, Response response) throws Exception {
        String parameter = request.queryParameter("bytes");
        long bytes = parameter == null ? 8_000_000 : Long.parseLong(parameter);
        byte[] chunk = pattern();
        response.setContentType("application/octet-stream");
        OutputStream out = response.body();
        for (long sent = 0; sent < bytes; ) {
            int n = (int) Math.min(chunk.length, bytes - sent);
            out.write(chunk, 0, n);
            sent += n;
        }
    }
}
