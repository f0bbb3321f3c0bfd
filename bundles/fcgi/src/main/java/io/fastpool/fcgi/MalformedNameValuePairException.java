package io.fastpool.fcgi;

/**
 * A name-value pair that does not fit where it stands: its lengths claim more bytes than the
 * PARAMS stream or the GET_VALUES record that carries it holds.
 */
public final class MalformedNameValuePairException extends FcgiProtocolException {

    private static final long serialVersionUID = 1L;

    public MalformedNameValuePairException(int requestId, String message) {
        super(requestId, message);
    }
}
