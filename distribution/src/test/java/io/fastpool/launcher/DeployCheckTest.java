package io.fastpool.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeployCheckTest {

    @TempDir
    Path folder;

    private Path jar(String name, String symbolicName) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        }
        Path jar = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest alone
        }
        return jar;
    }

    @Test
    void aBundleHasNoProblem() throws IOException {
        assertThat(DeployCheck.problemOf(jar("app.jar", "com.example.app"))).isNull();
    }

    @Test
    void aJarThatIsNotABundleIsNamedAsSuch() throws IOException {
        assertThat(DeployCheck.problemOf(jar("plain.jar", null))).contains("not an OSGi bundle").contains("Bundle-SymbolicName");
    }

    @Test
    void aFileThatIsNotAJarSaysSoAndHowToCopyAtomically() throws IOException {
        Path broken = folder.resolve("broken.jar");
        Files.writeString(broken, "not a zip");
        assertThat(DeployCheck.problemOf(broken)).contains("not a valid jar").contains("move it into deploy/");
    }
}
