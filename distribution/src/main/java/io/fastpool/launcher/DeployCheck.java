package io.fastpool.launcher;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Says why a file in {@code deploy/} is not deployed. FileInstall skips a file it cannot open as a
 * jar without a word, and an operator would wait for an app that never comes; this check looks at
 * each jar once it has stopped changing and logs, once per version of the file, what is wrong with
 * it and what to do.
 *
 * <p>It learns of changes from the file system ({@link WatchService}: inotify on Linux) and looks
 * only at the jars that changed, so a server with thousands of idle apps spends nothing here; it
 * listed and examined every jar each second before (1.7% of a core with 2,000 apps).
 */
final class DeployCheck implements Runnable {

    private static final Logger LOG = Logger.getLogger(DeployCheck.class.getName());
    /** A changed jar is judged once its size and time have held this long: a copy in progress is not. */
    static final long SETTLE_MILLIS = 1000;

    private final Path deploy;
    /** The version of each jar already judged, so it is logged once. */
    private final Map<Path, Version> judged = new HashMap<>();
    /** Jars changed since they were last judged, with what they looked like at the last look (null: not looked at). */
    private final Map<Path, Version> changed = new HashMap<>();

    private record Version(long size, long modifiedMillis) {
    }

    DeployCheck(Path deploy) {
        this.deploy = deploy;
    }

    @Override
    public void run() {
        try (WatchService watcher = deploy.getFileSystem().newWatchService()) {
            deploy.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            changedAll();
            long nextLook = System.currentTimeMillis() + SETTLE_MILLIS;
            while (true) {
                WatchKey key = changed.isEmpty() ? watcher.take()
                        : watcher.poll(Math.max(0, nextLook - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (key != null && !events(key)) {
                    LOG.warning("deploy/ is gone; files dropped into it are no longer checked");
                    return;
                }
                long now = System.currentTimeMillis();
                if (changed.isEmpty()) {
                    nextLook = now + SETTLE_MILLIS;
                } else if (now >= nextLook) {
                    look();
                    nextLook = now + SETTLE_MILLIS;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "deploy/ cannot be watched; a file FileInstall cannot deploy will not be explained", e);
        }
    }

    /** Takes in the key's events; false once the folder can no longer be watched. */
    private boolean events(WatchKey key) throws IOException {
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                changedAll();
            } else if (event.context() instanceof Path name && name.toString().endsWith(".jar")) {
                changed(deploy.resolve(name));
            }
        }
        return key.reset();
    }

    /** Every jar in the folder is to be looked at (at start, and when the system dropped events). */
    void changedAll() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(deploy, "*.jar")) {
            jars.forEach(this::changed);
        }
    }

    /** {@code jar} was created, written, replaced or deleted. */
    void changed(Path jar) {
        changed.put(jar, null);
    }

    /** Judges each changed jar whose size and time are what they were at the previous look. */
    void look() {
        for (Iterator<Map.Entry<Path, Version>> it = changed.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Path, Version> entry = it.next();
            Path jar = entry.getKey();
            Version now = versionOf(jar);
            if (now == null) {
                judged.remove(jar);
                it.remove();
            } else if (!now.equals(entry.getValue())) {
                entry.setValue(now); // first look, or still being written: look again later
            } else {
                it.remove();
                if (!now.equals(judged.put(jar, now))) {
                    String problem = problemOf(jar);
                    if (problem != null) {
                        LOG.warning("deploy/" + jar.getFileName() + " is not deployed: " + problem);
                    }
                }
            }
        }
    }

    /** How many changed jars wait for their next look (tests). */
    int waiting() {
        return changed.size();
    }

    private static Version versionOf(Path jar) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
            return new Version(attributes.size(), attributes.lastModifiedTime().toMillis());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(Level.FINE, "deploy/" + jar.getFileName() + " cannot be read", e);
            return null;
        }
    }

    /** What keeps {@code jar} from being an app bundle, or null. */
    static String problemOf(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
                return "it is a jar but not an OSGi bundle (its manifest has no Bundle-SymbolicName); build it with bnd"
                        + " (see docs/apps.md)";
            }
            return null;
        } catch (IOException e) {
            return "it is not a valid jar (" + e.getMessage() + "); if it was still being copied, write it elsewhere"
                    + " and move it into deploy/ once complete";
        }
    }
}
