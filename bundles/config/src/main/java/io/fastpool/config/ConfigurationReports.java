package io.fastpool.config;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A whiteboard service: a component that takes configuration registers one, so that
 * {@code fastpool:config} and the status page can show every PID's effective settings and any file
 * that was refused.
 */
@ConsumerType
public interface ConfigurationReports {

    /** The component's configurations (one, or one per pool), in a stable order. */
    List<ConfigurationReport> configurationReports();
}
