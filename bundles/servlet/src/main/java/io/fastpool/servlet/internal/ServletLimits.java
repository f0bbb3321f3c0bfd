package io.fastpool.servlet.internal;

/**
 * The limits the adapter holds a request to, in one place. Named as the configuration will name
 * them once the whiteboard reads them from an app's pool settings.
 *
 * @param maxFormContentSize the largest {@code application/x-www-form-urlencoded} body parsed into
 *                           parameters, in bytes (Jetty's default is 200,000; Tomcat's 2 MiB)
 * @param maxFormKeys        the most parameters a query string and form body may carry together
 * @param bufferSize         the response buffer a servlet starts with, in bytes
 */
public record ServletLimits(int maxFormContentSize, int maxFormKeys, int bufferSize) {

    /** 200,000 bytes and 1,000 keys of form (Jetty's defaults), an 8 KiB response buffer. */
    public static final ServletLimits DEFAULTS = new ServletLimits(200_000, 1_000, 8192);

    public ServletLimits {
        if (maxFormContentSize < 0 || maxFormKeys < 0 || bufferSize < 0) {
            throw new IllegalArgumentException("servlet limits must not be negative: " + maxFormContentSize
                    + ", " + maxFormKeys + ", " + bufferSize);
        }
    }
}
