/**
 * What the FastCGI listener reports about itself: the {@link io.fastpool.listener.ListenerStatus}
 * service, read by the shell and the status page. The listener's workings stay private.
 */
@Export
@Version("1.1.0")
package io.fastpool.listener;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
