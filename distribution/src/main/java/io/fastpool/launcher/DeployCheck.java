package io.fastpool.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Says why a file in {@code deploy/} is not deployed. FileInstall skips a file it cannot open as a
 * jar without a word, and an operator would wait for an app that never comes; this check looks at
 * each jar once it has stopped changing and logs, once per version of the file, what is wrong with
 * it and what to do.
 */
final class DeployCheck implements Runnable {

    private static final Logger LOG = Logger.getLogger(DeployCheck.class.getName());

    private final Path deploy;
    private final Map<Path, FileTime> seen = new HashMap<>();
    private final Map<Path, Long> lastSize = new HashMap<>();

    DeployCheck(Path deploy) {
        this.deploy = deploy;
    }

    @Override
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                scan();
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "deploy/ check failed", e);
            }
        }
    }

    void scan() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(deploy, "*.jar")) {
            for (Path jar : jars) {
                FileTime modified = Files.getLastModifiedTime(jar);
                long size = Files.size(jar);
                Long before = lastSize.put(jar, size);
                if (modified.equals(seen.get(jar)) || before == null || before != size) {
                    continue; // already judged, or first seen, or still growing: look again next time
                }
                seen.put(jar, modified);
                String problem = problemOf(jar);
                if (problem != null) {
                    LOG.warning("deploy/" + jar.getFileName() + " is not deployed: " + problem);
                }
            }
        }
        seen.keySet().removeIf(path -> !Files.exists(path));
        lastSize.keySet().removeIf(path -> !Files.exists(path));
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
