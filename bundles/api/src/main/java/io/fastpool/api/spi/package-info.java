/**
 * Server plumbing, not for applications: how a protocol front (the FastCGI listener) hands
 * requests to whatever serves them (the pool manager). A
 * {@link io.fastpool.api.spi.RequestTarget} is an OSGi service whose properties say which requests
 * it takes; the listener routes to it.
 */
@Export
@Version("1.1.0")
package io.fastpool.api.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
