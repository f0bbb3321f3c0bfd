/**
 * The pool manager's view for operators: {@link io.fastpool.pool.PoolManager} lists, starts, stops
 * and recycles pools; {@link io.fastpool.pool.PoolSettings} holds a pool's settings with their
 * defaults. The shell commands and the status page build on it.
 */
@Export
@Version("2.2.0")
package io.fastpool.pool;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
