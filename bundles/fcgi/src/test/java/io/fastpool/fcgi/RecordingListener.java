package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Records every decoder callback as an {@link Event}, copying bytes out of the views it is handed. */
final class RecordingListener implements FcgiRecordListener {

    final List<Event> events = new ArrayList<>();

    @Override
    public void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
        events.add(new Event.Begin(requestId, role, keepConnection));
    }

    @Override
    public void onAbortRequest(int requestId) {
        events.add(new Event.Abort(requestId));
    }

    @Override
    public void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
        events.add(new Event.Param(requestId, source.toString(nameIndex, nameLength, StandardCharsets.ISO_8859_1),
                source.toString(valueIndex, valueLength, StandardCharsets.ISO_8859_1)));
    }

    @Override
    public void onParamsEnd(int requestId) {
        events.add(new Event.ParamsEnd(requestId));
    }

    @Override
    public void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
        events.add(new Event.Data(stream, requestId, content.toString(StandardCharsets.ISO_8859_1)));
    }

    @Override
    public void onStreamEnd(FcgiRecordType stream, int requestId) {
        events.add(new Event.StreamEnd(stream, requestId));
    }

    @Override
    public void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
        events.add(new Event.End(requestId, appStatus, protocolStatus));
    }

    @Override
    public void onGetValues(List<String> names) {
        events.add(new Event.GetValues(List.copyOf(names)));
    }

    @Override
    public void onGetValuesResult(Map<String, String> values) {
        events.add(new Event.GetValuesResult(values));
    }

    @Override
    public void onUnknownType(int type) {
        events.add(new Event.UnknownType(type));
    }

    @Override
    public void onUnrecognizedRecord(int type, int requestId) {
        events.add(new Event.Unrecognized(type, requestId));
    }

    @Override
    public void onRequestError(int requestId, FcgiProtocolException error) {
        events.add(new Event.RequestError(requestId, error.getClass(), error.getMessage()));
    }

    /** Params of one request as text, in order. */
    List<Event> ofType(Class<? extends Event> type) {
        return events.stream().filter(type::isInstance).toList();
    }
}
