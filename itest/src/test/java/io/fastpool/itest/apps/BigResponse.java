package io.fastpool.itest.apps;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * A Declarative Services {@link WebApp} that streams {@code ?bytes=N} bytes ({@link #chunk()} over and
 * over, cut at N): a response of several megabytes, which no shipped sample produces (the json
 * sample stops at 100 items). Tests of the distribution drop it into deploy/ (see
 * {@code FrontedDistribution}); the in-process test app ({@link TestAppActivator}) answers /big with {@link #write}.
 */
public final class BigResponse implements WebApp {

    /** The symbolic name of the bundle it is packed into. */
    public static final String SYMBOLIC_NAME = "io.fastpool.itest.big";

    private static final int CHUNK = 65536;

    @Override
    public void handle(Request request, Response response) throws Exception {
        response.setContentType("application/octet-stream");
        write(response.body(), Long.parseLong(request.queryParameter("bytes")));
    }

    /** Writes {@code bytes} bytes of the answer to {@code out}. */
    public static void write(OutputStream out, long bytes) throws IOException {
        byte[] chunk = chunk();
        for (long sent = 0; sent < bytes; ) {
            int n = (int) Math.min(chunk.length, bytes - sent);
            out.write(chunk, 0, n);
            sent += n;
        }
    }

    /** 64 KiB of a through z, again and again. */
    public static byte[] chunk() {
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) ('a' + i % 26);
        }
        return chunk;
    }

    /** The SHA-256 of the answer to {@code ?bytes=N}, computed here, as the test expects it. */
    public static byte[] sha256Of(long bytes) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
            write(out, bytes);
        }
        return sha.digest();
    }
}
