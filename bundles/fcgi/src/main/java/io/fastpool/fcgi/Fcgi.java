package io.fastpool.fcgi;

import io.netty.buffer.ByteBuf;

/** Numbers fixed by the FastCGI 1.0 specification, and the frame they give a record. */
public final class Fcgi {

    /** The only protocol version there is ({@code FCGI_VERSION_1}). */
    public static final int VERSION_1 = 1;

    /** Bytes in a record header ({@code FCGI_HEADER_LEN}). */
    public static final int HEADER_LENGTH = 8;

    /** Largest content of one record: the content length is an unsigned 16-bit field. */
    public static final int MAX_CONTENT_LENGTH = 0xFFFF;

    /** Largest padding of one record: the padding length is an unsigned 8-bit field. */
    public static final int MAX_PADDING_LENGTH = 0xFF;

    /** Largest request id: an unsigned 16-bit field. */
    public static final int MAX_REQUEST_ID = 0xFFFF;

    /** The request id of management records ({@code FCGI_NULL_REQUEST_ID}). */
    public static final int NULL_REQUEST_ID = 0;

    /** BEGIN_REQUEST flag: keep the connection open after this request ({@code FCGI_KEEP_CONN}). */
    public static final int KEEP_CONN = 1;

    /** Body length of BEGIN_REQUEST, END_REQUEST and UNKNOWN_TYPE records. */
    public static final int FIXED_BODY_LENGTH = 8;

    /** Largest length of one name or value: 31 bits in the 4-byte form. */
    public static final int MAX_NAME_VALUE_LENGTH = 0x7FFF_FFFF;

    /** Largest length written in the 1-byte form. */
    public static final int MAX_SHORT_LENGTH = 0x7F;

    /** GET_VALUES variable: the most concurrent transport connections the application accepts. */
    public static final String MAX_CONNS = "FCGI_MAX_CONNS";

    /** GET_VALUES variable: the most concurrent requests the application accepts. */
    public static final String MAX_REQS = "FCGI_MAX_REQS";

    /** GET_VALUES variable: "1" if the application multiplexes connections, else "0". */
    public static final String MPXS_CONNS = "FCGI_MPXS_CONNS";

    private Fcgi() {
    }

    /** Offset of the content length (unsigned 16 bits) in a record header. */
    private static final int CONTENT_LENGTH_OFFSET = 4;

    /** Offset of the padding length (unsigned 8 bits) in a record header. */
    private static final int PADDING_LENGTH_OFFSET = 6;

    /**
     * The whole length of the record whose header begins at {@code index} of {@code in}: header,
     * content and padding, at most 8 + 65535 + 255 bytes. The one place that reads the frame; the
     * caller sees to it that the 8 header bytes are there.
     */
    public static int recordLength(ByteBuf in, int index) {
        return HEADER_LENGTH + in.getUnsignedShort(index + CONTENT_LENGTH_OFFSET)
                + in.getUnsignedByte(index + PADDING_LENGTH_OFFSET);
    }

    /** Padding that brings {@code contentLength} to a multiple of 8, as the spec recommends. */
    public static int paddingFor(int contentLength) {
        return -contentLength & 7;
    }
}
