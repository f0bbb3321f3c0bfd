package io.fastpool.guard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Defines classes from given bytes (rewritten ones), as a bundle's class loader does after a weaving
 * hook; everything else, {@code ExitRefusal} included, comes from the test's class path.
 */
final class WovenLoader extends ClassLoader {

    private final Map<String, byte[]> classes;

    WovenLoader(Map<String, byte[]> classes) {
        super(WovenLoader.class.getClassLoader());
        this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            byte[] bytes = classes.get(name);
            if (bytes == null) {
                return super.loadClass(name, resolve);
            }
            Class<?> loaded = findLoadedClass(name);
            return loaded != null ? loaded : defineClass(name, bytes, 0, bytes.length);
        }
    }

    /** The class file of {@code type} as compiled. */
    static byte[] bytesOf(Class<?> type) {
        try (InputStream in = type.getResourceAsStream("/" + type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
