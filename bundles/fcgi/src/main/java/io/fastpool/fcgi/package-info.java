/**
 * The FastCGI 1.0 wire format, for both sides of the protocol: {@link io.fastpool.fcgi.FcgiDecoder}
 * turns bytes into events for a {@link io.fastpool.fcgi.FcgiRecordListener}, and
 * {@link io.fastpool.fcgi.FcgiEncoder} writes records. No sockets and no OSGi API: the transport,
 * the listener, the load generator and the tests all build on it.
 *
 * <p>Every record starts with an 8-byte header; content and padding follow:
 *
 * <pre>
 *  0         1         2         3         4         5         6         7
 * +---------+---------+---------+---------+---------+---------+---------+---------+
 * | version |  type   |  requestId (BE)   | contentLength (BE)| padding | reserved|
 * +---------+---------+---------+---------+---------+---------+---------+---------+
 * | content: contentLength bytes (0..65535)    | padding: paddingLength (0..255)  |
 * +--------------------------------------------+----------------------------------+
 * </pre>
 *
 * Application records (BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR,
 * DATA) carry a non-zero request id; management records (GET_VALUES, GET_VALUES_RESULT,
 * UNKNOWN_TYPE) carry id 0. PARAMS, STDIN, STDOUT, STDERR and DATA are streams: any number of
 * records, ended by one with no content. PARAMS and GET_VALUES content is a sequence of name-value
 * pairs, each length in 1 byte (0..127) or 4 bytes with the top bit set (128..2^31-1):
 *
 * <pre>
 * nameLength (1 or 4) | valueLength (1 or 4) | name bytes | value bytes
 * </pre>
 */
@Export
@Version("1.2.0")
package io.fastpool.fcgi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
