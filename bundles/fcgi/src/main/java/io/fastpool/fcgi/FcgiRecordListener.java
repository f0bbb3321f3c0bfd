package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives what a {@link FcgiDecoder} decodes, one call per event, in wire order.
 *
 * <p>Buffers passed in are views of the decoder's input, valid only during the call: a listener
 * that keeps content calls {@code retain()} (or {@code retainedSlice()}) and releases it later, and
 * one that keeps a name or value copies the bytes. A server implements the calls for records a web
 * server sends (BEGIN_REQUEST, ABORT_REQUEST, PARAMS, STDIN, DATA, GET_VALUES) and treats the others
 * as a protocol error; a client does the reverse.
 *
 * <p>Every call defaults to ignoring its record, so a listener overrides only what it handles;
 * one that must reject a record it does not expect overrides that call too.
 */
@ConsumerType
public interface FcgiRecordListener {

    /** A BEGIN_REQUEST for a role the specification defines. */
    default void onBeginRequest(int requestId, FcgiRole role, boolean keepConnection) {
    }

    /** An ABORT_REQUEST: the web server gave up on the request. */
    default void onAbortRequest(int requestId) {
    }

    /**
     * One name-value pair of a request's PARAMS stream, as bytes of {@code source}. A pair that
     * arrived split between records is handed on whole, from the decoder's own buffer.
     */
    default void onParam(int requestId, ByteBuf source, int nameIndex, int nameLength, int valueIndex, int valueLength) {
    }

    /**
     * The content of one PARAMS record, at {@code [index, index + length)} of {@code source}, once
     * the pairs it completes have passed the limits and been handed to {@link #onParam}. A request's
     * PARAMS contents in order are its name-value pairs as FastCGI encodes them, a pair possibly split
     * between two records: a listener that keeps the pairs as they came copies each record once here
     * rather than pair by pair. Not called for a record that fails its request.
     */
    default void onParamsContent(int requestId, ByteBuf source, int index, int length) {
    }

    /** The empty PARAMS record: every pair of the request has arrived. */
    default void onParamsEnd(int requestId) {
    }

    /** Content of a STDIN, STDOUT, STDERR or DATA record; never empty. */
    default void onStreamData(FcgiRecordType stream, int requestId, ByteBuf content) {
    }

    /** The empty record that ends a STDIN, STDOUT, STDERR or DATA stream. */
    default void onStreamEnd(FcgiRecordType stream, int requestId) {
    }

    /** An END_REQUEST. */
    default void onEndRequest(int requestId, int appStatus, FcgiProtocolStatus protocolStatus) {
    }

    /** A GET_VALUES query, with the names asked for, in order. */
    default void onGetValues(List<String> names) {
    }

    /** A GET_VALUES_RESULT, in order. */
    default void onGetValuesResult(Map<String, String> values) {
    }

    /** An UNKNOWN_TYPE record: the peer did not understand a record of {@code type} we sent. */
    default void onUnknownType(int type) {
    }

    /**
     * A record whose type the specification does not define. For a management record
     * ({@code requestId == 0}) the specification asks the application to answer UNKNOWN_TYPE.
     */
    default void onUnrecognizedRecord(int type, int requestId) {
    }

    /**
     * Bad input confined to one request (an unknown role, a malformed or oversized PARAMS stream).
     * The decoder ignores the rest of that request's PARAMS stream; the connection is intact. A
     * server answers END_REQUEST (UNKNOWN_ROLE for a role, an error response otherwise).
     */
    default void onRequestError(int requestId, FcgiProtocolException error) {
    }
}
