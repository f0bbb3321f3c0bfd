package io.fastpool.config.internal;

import io.fastpool.config.ConfigurationReports;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationPlugin;

/**
 * Registers the {@link FileInstallCheck} as soon as this bundle starts, so that it sees FileInstall's
 * first {@code deploy} watcher configuration (a DS component could come too late).
 */
public final class Activator implements BundleActivator {

    private ServiceRegistration<?> registration;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ConfigurationPlugin.CM_TARGET, new String[] {FileInstallCheck.FACTORY_PID});
        properties.put("component.name", FileInstallCheck.class.getName());
        registration = context.registerService(new String[] {ConfigurationPlugin.class.getName(), ConfigurationReports.class.getName()},
                new FileInstallCheck(System.getLogger(FileInstallCheck.class.getName())), properties);
    }

    @Override
    public void stop(BundleContext context) {
        registration.unregister();
    }
}
