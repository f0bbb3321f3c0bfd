/**
 * Configuration an operator can trust: every key of a configuration is checked against the
 * metatype its component declares ({@link io.fastpool.config.ConfigSchema}), each bad value and
 * unknown key is reported by file, key and value ({@link io.fastpool.config.Problem}), and a refused
 * file leaves the last good configuration running ({@link io.fastpool.config.CheckedConfiguration}).
 * Components publish what they run with as {@link io.fastpool.config.ConfigurationReports} services,
 * which {@code fastpool:config} and the status page read.
 */
@Export
@Version("1.1.0")
package io.fastpool.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
