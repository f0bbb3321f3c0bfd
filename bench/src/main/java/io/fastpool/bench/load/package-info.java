/**
 * {@code fcgi-load}, a FastCGI load generator: plays a web server such as nginx towards a FastCGI
 * application (PHP-FPM, Fastpool, anything speaking FastCGI 1.0 over TCP or a unix socket) and
 * measures requests per second, latency percentiles and errors.
 *
 * <p>{@link io.fastpool.bench.load.FcgiLoad} is the command line; {@link io.fastpool.bench.load.LoadGenerator#run}
 * runs a test in-process from {@link io.fastpool.bench.load.LoadOptions} and returns a
 * {@link io.fastpool.bench.load.LoadResult}. Requests are encoded once per request id with the
 * codec of {@code bundles/fcgi} and written as buffer duplicates, so the generator spends its time
 * on I/O, not on encoding.
 */
package io.fastpool.bench.load;
