package io.fastpool.listener.internal;

import io.fastpool.fcgi.FcgiDecoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolException;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordListener;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the web server side reads back: decodes the session's output into per-request responses. */
final class ClientView implements FcgiRecordListener {

    /** One request's answer as the web server sees it. */
    static final class Answer {
        final StringBuilder stdout = new StringBuilder();
        final List<Integer> stdoutRecordSizes = new ArrayList<>();
        boolean stdoutEnded;
        FcgiProtocolStatus endStatus;
        int appStatus;
        /** The order of record types for this request. */
        final List<FcgiRecordType> records = new ArrayList<>();

        String status() {
            String text = stdout.toString();
            if (text.startsWith("Status: ")) {
                return text.substring(8, text.indexOf("\r\n"));
            }
            return text.contains("\r\n\r\n") ? "200 OK" : null; // CGI's default status: a 200 needs no Status line
        }

        String body() {
            String text = stdout.toString();
            int split = text.indexOf("\r\n\r\n");
            return split < 0 ? null : text.substring(split + 4);
        }

        String headers() {
            String text = stdout.toString();
            int split = text.indexOf("\r\n\r\n");
            return split < 0 ? text : text.substring(0, split + 2);
        }
    }

    final Map<Integer, Answer> answers = new LinkedHashMap<>();
    final List<Answer> ended = new ArrayList<>();
    final List<Map<String, String>> getValuesResults = new ArrayList<>();
    final List<Integer> unknownTypes = new ArrayList<>();
    private final FcgiDecoder decoder = new FcgiDecoder(FcgiLimits.DEFAULTS, this);
    private final ByteBuf cumulation = Unpooled.buffer();

    /** Decodes everything the channel wrote, releasing the buffers. */
    ClientView read(EmbeddedConnection connection) {
        connection.channel.runPendingTasks();
        for (Object message; (message = connection.channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) message;
            cumulation.writeBytes(buf);
            buf.release();
        }
        decoder.decode(cumulation);
        cumulation.discardReadBytes();
        return this;
    }

    Answer answer(int requestId) {
        return answers.get(requestId);
    }

    private Answer current(int requestId) {
        return answers.computeIfAbsent(requestId, id -> new Answer());
    }

    @Override
    public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
        Answer answer = current(requestId);
        answer.records.add(stream);
        if (stream == FcgiRecordType.STDOUT) {
            answer.stdout.append(content.toString(StandardCharsets.UTF_8));
            answer.stdoutRecordSizes.add(content.readableBytes());
        }
    }

    @Override
    public void onStreamEnd(FcgiRecordType stream, int requestId) {
        Answer answer = current(requestId);
        answer.records.add(stream);
        if (stream == FcgiRecordType.STDOUT) {
            answer.stdoutEnded = true;
        }
    }

    @Override
    public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
        Answer answer = answers.remove(requestId);
        if (answer == null) {
            answer = new Answer();
        }
        answer.records.add(FcgiRecordType.END_REQUEST);
        answer.endStatus = protocolStatus;
        answer.appStatus = appStatus;
        ended.add(answer);
        endedById.computeIfAbsent(requestId, id -> new ArrayList<>()).add(answer);
    }

    final Map<Integer, List<Answer>> endedById = new LinkedHashMap<>();

    /** The last finished answer for {@code requestId}. */
    Answer finished(int requestId) {
        List<Answer> list = endedById.get(requestId);
        return list == null ? null : list.get(list.size() - 1);
    }

    @Override
    public void onGetValuesResult(Map<String, String> values) {
        getValuesResults.add(values);
    }

    @Override
    public void onUnknownType(int type) {
        unknownTypes.add(type);
    }

    @Override
    public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
        throw new AssertionError("the application sent BEGIN_REQUEST");
    }

    @Override
    public void onAbortRequest(int requestId) {
        throw new AssertionError("the application sent ABORT_REQUEST");
    }

    @Override
    public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
        throw new AssertionError("the application sent PARAMS");
    }

    @Override
    public void onParamsEnd(int requestId) {
        throw new AssertionError("the application sent PARAMS");
    }

    @Override
    public void onGetValues(List<String> names) {
        throw new AssertionError("the application sent GET_VALUES");
    }

    @Override
    public void onUnrecognizedRecord(int type, int requestId) {
        throw new AssertionError("the application sent record type " + type);
    }

    @Override
    public void onRequestError(int requestId, FcgiProtocolException error) {
        throw new AssertionError(error);
    }
}
