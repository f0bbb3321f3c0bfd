/**
 * What a web application sees of a request and writes back, independent of the protocol it came
 * in by: {@link io.fastpool.api.Request} and {@link io.fastpool.api.Response}. Header names are
 * compared case-insensitively by ASCII ordinal, never with a locale.
 */
@Export
@Version("1.3.0")
package io.fastpool.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
