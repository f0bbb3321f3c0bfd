package io.fastpool.fcgi;

import java.util.List;
import java.util.Map;

/** What a {@link FcgiRecordListener} saw, as comparable values; names and values as ISO-8859-1 text. */
sealed interface Event {

    record Begin(int requestId, FcgiRole role, boolean keepConnection) implements Event {
    }

    record Abort(int requestId) implements Event {
    }

    record Param(int requestId, String name, String value) implements Event {
    }

    record ParamsEnd(int requestId) implements Event {
    }

    record Data(FcgiRecordType stream, int requestId, String content) implements Event {
    }

    record StreamEnd(FcgiRecordType stream, int requestId) implements Event {
    }

    record End(int requestId, int appStatus, FcgiProtocolStatus status) implements Event {
    }

    record GetValues(List<String> names) implements Event {
    }

    record GetValuesResult(Map<String, String> values) implements Event {
    }

    record UnknownType(int type) implements Event {
    }

    record Unrecognized(int type, int requestId) implements Event {
    }

    record RequestError(int requestId, Class<? extends FcgiProtocolException> type, String message) implements Event {
    }

    /** The decoder threw: the connection would be closed here. */
    record Failed(Class<? extends FcgiProtocolException> type, String message) implements Event {
    }
}
