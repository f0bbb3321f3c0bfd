package io.fastpool.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestTemplateTest {

    private static final Target TARGET = Target.parse("tcp:127.0.0.1:9000");

    @Test
    void aGetCarriesNginxsParamsAndAnEmptyStdin() {
        LoadOptions options = LoadOptions.builder(TARGET).path("/app/index.php?page=2")
                .documentRoot("/srv/www").header(Header.parse("Accept: text/html")).build();

        Decoded request = decode(options, 1);

        assertThat(request.beginRequests).containsExactly("1 RESPONDER keep-conn");
        assertThat(request.params).containsEntry("REQUEST_METHOD", "GET")
                .containsEntry("REQUEST_URI", "/app/index.php?page=2")
                .containsEntry("SCRIPT_NAME", "/app/index.php")
                .containsEntry("DOCUMENT_URI", "/app/index.php")
                .containsEntry("QUERY_STRING", "page=2")
                .containsEntry("DOCUMENT_ROOT", "/srv/www")
                .containsEntry("SCRIPT_FILENAME", "/srv/www/app/index.php")
                .containsEntry("CONTENT_LENGTH", "")
                .containsEntry("CONTENT_TYPE", "")
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
                .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                .containsEntry("HTTP_HOST", "localhost")
                .containsEntry("HTTP_ACCEPT", "text/html")
                .containsKeys("REMOTE_ADDR", "REMOTE_PORT", "SERVER_ADDR", "SERVER_PORT", "SERVER_NAME",
                        "SERVER_SOFTWARE", "REQUEST_SCHEME", "HTTP_USER_AGENT", "REDIRECT_STATUS");
        assertThat(request.stdinBytes).isZero();
        assertThat(request.ended).containsExactly("PARAMS 1", "STDIN 1");
    }

    @Test
    void aPostBodyLongerThanOneRecordIsCutIntoStdinRecordsForEachId() {
        int size = RequestTemplate.STDIN_CHUNK * 2 + 5;
        LoadOptions options = LoadOptions.builder(TARGET).bodySize(size).multiplex(3).keepConnection(true)
                .header(Header.parse("Content-Type: application/json")).build();

        for (int id = 1; id <= 3; id++) {
            Decoded request = decode(options, id);

            assertThat(request.beginRequests).containsExactly(id + " RESPONDER keep-conn");
            assertThat(request.params).containsEntry("REQUEST_METHOD", "POST")
                    .containsEntry("CONTENT_LENGTH", Integer.toString(size))
                    .containsEntry("CONTENT_TYPE", "application/json");
            assertThat(request.stdinRecords).isEqualTo(3);
            assertThat(request.stdinBytes).isEqualTo(size);
            assertThat(request.ended).containsExactly("PARAMS " + id, "STDIN " + id);
        }
    }

    @Test
    void keepConnOffClearsTheFlag() {
        LoadOptions options = LoadOptions.builder(TARGET).keepConnection(false).build();

        assertThat(decode(options, 1).beginRequests).containsExactly("1 RESPONDER close");
    }

    private static Decoded decode(LoadOptions options, int requestId) {
        Decoded decoded = new Decoded();
        try (RequestTemplate template = RequestTemplate.encode(options, PooledByteBufAllocator.DEFAULT)) {
            ByteBuf request = template.retainedRequest(requestId);
            try {
                new FcgiDecoder(FcgiLimits.DEFAULTS, decoded).decode(request);
                assertThat(request.isReadable()).isFalse();
            } finally {
                request.release();
            }
        }
        return decoded;
    }

    /** What a server would see of one request. */
    private static final class Decoded implements FcgiRecordListener {
        final List<String> beginRequests = new ArrayList<>();
        final Map<String, String> params = new LinkedHashMap<>();
        final List<String> ended = new ArrayList<>();
        long stdinBytes;
        int stdinRecords;

        @Override
        public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
            beginRequests.add(requestId + " " + role + (keepConnection ? " keep-conn" : " close"));
        }

        @Override
        public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex,
                int valueLength) {
            params.put(source.toString(nameIndex, nameLength, StandardCharsets.ISO_8859_1),
                    source.toString(valueIndex, valueLength, StandardCharsets.ISO_8859_1));
        }

        @Override
        public void onParamsEnd(int requestId) {
            ended.add("PARAMS " + requestId);
        }

        @Override
        public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
            stdinBytes += content.readableBytes();
            stdinRecords++;
        }

        @Override
        public void onStreamEnd(FcgiRecordType stream, int requestId) {
            ended.add(stream + " " + requestId);
        }

        @Override
        public void onAbortRequest(int requestId) {
            throw new AssertionError("ABORT_REQUEST");
        }

        @Override
        public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
            throw new AssertionError("END_REQUEST");
        }

        @Override
        public void onGetValues(List<String> names) {
            throw new AssertionError("GET_VALUES");
        }

        @Override
        public void onGetValuesResult(Map<String, String> values) {
            throw new AssertionError("GET_VALUES_RESULT");
        }

        @Override
        public void onUnknownType(int type) {
            throw new AssertionError("UNKNOWN_TYPE");
        }

        @Override
        public void onUnrecognizedRecord(int type, int requestId) {
            throw new AssertionError("type " + type);
        }

        @Override
        public void onRequestError(int requestId, FcgiProtocolException error) {
            throw new AssertionError(error);
        }
    }
}
