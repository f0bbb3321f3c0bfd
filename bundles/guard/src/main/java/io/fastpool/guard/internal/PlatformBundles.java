package io.fastpool.guard.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;

/**
 * Which bundles are the server's own, and so never woven: those installed from the distribution's
 * {@code bundle/} folder. The rule is the bundle's location, not its symbolic name: the launcher installs
 * {@code bundle/}'s jars by their file URIs, FileInstall installs {@code deploy/}'s by theirs, so a
 * location says where a bundle came from, while a name is whatever its author chose (the shipped
 * samples in {@code deploy/} are named {@code io.fastpool.samples.*}; nothing keeps an app from
 * calling itself {@code io.fastpool.anything}). Whatever is installed from elsewhere (deploy/, the
 * shell, the Web Console, a test) is an app and is woven.
 *
 * <p>The locations are prefixes: the framework property {@value #LOCATIONS_PROPERTY} (comma-separated)
 * when set (the platform tests list the platform's files there), else the {@code bundle/} folder of
 * {@code fastpool.home} as the launcher forms its URIs ({@code Path.toUri()}). With neither, no bundle
 * is the platform's and every bundle is woven but the system bundle and the guard itself.
 */
final class PlatformBundles {

    static final String LOCATIONS_PROPERTY = "fastpool.guard.platformLocations";
    static final String HOME_PROPERTY = "fastpool.home";

    private final List<String> locationPrefixes;

    PlatformBundles(List<String> locationPrefixes) {
        this.locationPrefixes = List.copyOf(locationPrefixes);
    }

    /** The rule the framework's properties give ({@code property} answers as {@code BundleContext.getProperty}). */
    static PlatformBundles from(UnaryOperator<String> property) {
        String listed = property.apply(LOCATIONS_PROPERTY);
        if (listed != null && !listed.isBlank()) {
            return new PlatformBundles(Stream.of(listed.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        String home = property.apply(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            return new PlatformBundles(List.of());
        }
        String folder = Path.of(home).toAbsolutePath().normalize().resolve("bundle").toUri().toString();
        return new PlatformBundles(List.of(folder.endsWith("/") ? folder : folder + "/"));
    }

    boolean contains(Bundle bundle) {
        String location = bundle.getLocation();
        return location != null && locationPrefixes.stream().anyMatch(location::startsWith);
    }

    /** For the log: what counts as the platform. */
    String describe() {
        return locationPrefixes.isEmpty() ? "no bundle location (every bundle is woven)"
                : locationPrefixes.size() == 1 ? locationPrefixes.get(0) : locationPrefixes.size() + " bundle locations";
    }
}
