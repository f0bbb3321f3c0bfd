package io.fastpool.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Finds the HTTP status of a CGI response in its STDOUT stream: the {@code Status: NNN} header if
 * the headers carry one, else 200, as a web server decides. Fed the STDOUT content record by
 * record; copies nothing and stops reading once the status is known or the headers end, so a long
 * body costs nothing.
 *
 * <pre>
 * Status: 404 Not Found\r\n      &lt;- the status line, name matched case-insensitively
 * Content-type: text/html\r\n
 * \r\n                           &lt;- end of headers: no Status line means 200
 * body...
 * </pre>
 *
 * Lines may end in CRLF or a bare LF. Headers longer than {@code headerLimit} bytes, or a
 * malformed status value, leave the status at 200: this is a load generator, not a validator.
 */
final class CgiStatusParser implements ByteProcessor {

    /** Default {@code headerLimit}: as much header as nginx's default fastcgi_buffer_size (4 KiB) and more. */
    static final int DEFAULT_HEADER_LIMIT = 16 * 1024;

    /** HTTP status of a response without a Status header. */
    static final int DEFAULT_STATUS = 200;

    private static final byte[] NAME = {'s', 't', 'a', 't', 'u', 's'};

    private enum State {
        /** At the first byte of a header line. */
        LINE_START,
        /** Matching "status" against the line's name; {@code matched} bytes so far. */
        NAME,
        /** After "status:", skipping blanks before the code. */
        BEFORE_CODE,
        /** Reading the three digits of the code. */
        CODE,
        /** In a line that is not the status line, up to its LF. */
        SKIP_LINE,
        /** After a CR at the start of a line: the empty line ending the headers, once its LF comes. */
        EMPTY_LINE,
        /** Status known, or the headers ended: nothing more to read. */
        DONE
    }

    private final int headerLimit;
    private State state = State.LINE_START;
    private int matched;
    private int code;
    private int digits;
    private int status = DEFAULT_STATUS;
    private int seen;

    CgiStatusParser() {
        this(DEFAULT_HEADER_LIMIT);
    }

    CgiStatusParser(int headerLimit) {
        this.headerLimit = headerLimit;
    }

    /** Gets ready for the next response. */
    void reset() {
        state = State.LINE_START;
        matched = 0;
        code = 0;
        digits = 0;
        status = DEFAULT_STATUS;
        seen = 0;
    }

    /** Reads the next STDOUT content; its reader index does not move. */
    void feed(ByteBuf content) {
        if (state == State.DONE) {
            return;
        }
        int start = content.readerIndex();
        int length = Math.min(content.readableBytes(), headerLimit - seen);
        int stoppedAt = content.forEachByte(start, length, this);
        seen += stoppedAt < 0 ? length : stoppedAt - start + 1;
        if (seen >= headerLimit && state != State.DONE) {
            state = State.DONE;
        }
    }

    /** Whether the status is known and further content need not be fed. */
    boolean isDone() {
        return state == State.DONE;
    }

    /** The status: the Status header's code if one was read, else 200. */
    int status() {
        // A stream may end right after the digits, with no line end.
        return state == State.CODE && digits == 3 ? code : status;
    }

    @Override
    public boolean process(byte value) {
        switch (state) {
            case LINE_START:
                if (value == '\n') {
                    state = State.DONE;
                } else if (value == '\r') {
                    state = State.EMPTY_LINE;
                } else {
                    matched = 0;
                    state = State.NAME;
                    return process(value);
                }
                break;
            case NAME:
                if (matched == NAME.length) {
                    state = value == ':' ? State.BEFORE_CODE : (value == '\n' ? State.LINE_START : State.SKIP_LINE);
                } else if ((value | 0x20) == NAME[matched]) {
                    matched++;
                } else {
                    state = value == '\n' ? State.LINE_START : State.SKIP_LINE;
                }
                break;
            case BEFORE_CODE:
                if (value == ' ' || value == '\t') {
                    break;
                }
                code = 0;
                digits = 0;
                state = State.CODE;
                return process(value);
            case CODE:
                if (value >= '0' && value <= '9' && digits < 3) {
                    code = code * 10 + (value - '0');
                    digits++;
                } else {
                    if (digits == 3 && (value < '0' || value > '9')) {
                        status = code;
                    }
                    state = State.DONE;
                }
                break;
            case SKIP_LINE:
                if (value == '\n') {
                    state = State.LINE_START;
                }
                break;
            case EMPTY_LINE:
                state = value == '\n' ? State.DONE : State.SKIP_LINE;
                break;
            case DONE:
            default:
                break;
        }
        return state != State.DONE;
    }
}
