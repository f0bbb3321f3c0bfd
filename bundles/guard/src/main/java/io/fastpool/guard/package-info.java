/**
 * What an app's calls to {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} become once
 * the exit guard has rewritten its classes: {@link io.fastpool.guard.ExitRefusal}, which throws a
 * {@code SecurityException}. Exported only so that the rewritten classes can reach it (they import it
 * dynamically); apps do not call it.
 */
@Export
@Version("1.0.0")
package io.fastpool.guard;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
