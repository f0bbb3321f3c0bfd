package io.fastpool.servlet.internal;

import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.service.servlet.context.ServletContextHelper;

/**
 * The helper of the built-in default context, one per bundle as the specification has it: a
 * bundle's resources are its entries ({@code Bundle.getEntry}, not its class path), security lets
 * every request through, and MIME types are left to the whiteboard's own table.
 */
final class DefaultContextHelper extends ServletContextHelper {

    private final Bundle bundle;

    DefaultContextHelper(Bundle bundle) {
        super(bundle);
        this.bundle = bundle;
    }

    @Override
    public URL getResource(String path) {
        return path == null ? null : bundle.getEntry(path);
    }

    @Override
    public Set<String> getResourcePaths(String path) {
        Enumeration<String> entries = path == null ? null : bundle.getEntryPaths(path);
        if (entries == null) {
            return null;
        }
        Set<String> paths = new HashSet<>();
        for (String entry : Collections.list(entries)) {
            paths.add(entry.startsWith("/") ? entry : "/" + entry);
        }
        return paths;
    }
}
