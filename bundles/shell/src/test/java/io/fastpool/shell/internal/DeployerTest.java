package io.fastpool.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploying and undeploying through the deploy folder, with a stand-in for FileInstall. */
class DeployerTest {

    @TempDir
    Path home;
    private Path deploy;
    private Deployer deployer;
    /** What FileInstall would have installed: one bundle per jar in deploy/, plus a platform bundle. */
    private final Map<Path, Long> ids = new HashMap<>();
    private long nextId = 10;
    private String stateOfNew = "ACTIVE";

    @BeforeEach
    void folders() throws IOException {
        deploy = Files.createDirectories(home.resolve("deploy"));
        Files.createDirectories(home.resolve("run"));
        deployer = new Deployer(home, deploy, this::fileInstall, Duration.ofSeconds(5));
    }

    private List<Deployer.Installed> fileInstall() {
        List<Deployer.Installed> bundles = new ArrayList<>();
        bundles.add(new Deployer.Installed(1, "io.fastpool.transport", "1.0.0", "file:/opt/fastpool/bundle/transport.jar",
                "ACTIVE", 0));
        try (Stream<Path> jars = Files.list(deploy)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                long id = ids.computeIfAbsent(jar, j -> nextId++);
                Manifest manifest = new java.util.jar.JarFile(jar.toFile()).getManifest();
                bundles.add(new Deployer.Installed(id, manifest.getMainAttributes().getValue("Bundle-SymbolicName"),
                        manifest.getMainAttributes().getValue("Bundle-Version"), jar.toUri().toString(), stateOfNew,
                        Files.getLastModifiedTime(jar).toMillis()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bundles;
    }

    private Path bundle(String fileName, String symbolicName, String version) throws IOException {
        Path jar = home.resolve(fileName);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (symbolicName != null) {
            manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
            manifest.getMainAttributes().putValue("Bundle-Version", version);
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            jarOut.flush();
        }
        return jar;
    }

    private List<String> deployFolder() throws IOException {
        try (Stream<Path> files = Files.list(deploy)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void deployCopiesTheJarIntoTheFolderAndReportsTheInstalledBundle() throws Exception {
        Path jar = bundle("shop.jar", "com.example.shop", "1.0.0");
        assertThat(deployer.deploy(jar.toString())).isEqualTo("deployed com.example.shop 1.0.0 (bundle 10, ACTIVE) from deploy/shop.jar\n");
        assertThat(deployFolder()).containsExactly("shop.jar");
        assertThat(Files.mismatch(jar, deploy.resolve("shop.jar"))).isEqualTo(-1);
        try (Stream<Path> run = Files.list(home.resolve("run"))) {
            assertThat(run).as("no staging file is left behind").isEmpty();
        }
    }

    @Test
    void aRelativePathResolvesAgainstTheHomeAndAFileUrlWorksToo() throws Exception {
        bundle("a.jar", "com.example.a", "1.0.0");
        Path b = bundle("b.jar", "com.example.b", "2.0.0");
        assertThat(deployer.deploy("a.jar")).startsWith("deployed com.example.a 1.0.0");
        assertThat(deployer.deploy(b.toUri().toString())).startsWith("deployed com.example.b 2.0.0");
        assertThat(deployFolder()).containsExactly("a.jar", "b.jar");
    }

    @Test
    void aNewVersionUnderAnotherFileNameReplacesTheDeployedJarOfTheSameBundle() throws Exception {
        deployer.deploy(bundle("shop-1.0.0.jar", "com.example.shop", "1.0.0").toString());
        Thread.sleep(20);
        String answer = deployer.deploy(bundle("shop-1.1.0.jar", "com.example.shop", "1.1.0").toString());
        assertThat(answer).isEqualTo("replaced com.example.shop 1.0.0 with 1.1.0 (bundle 10, ACTIVE) from deploy/shop-1.0.0.jar\n");
        assertThat(deployFolder()).containsExactly("shop-1.0.0.jar");
    }

    @Test
    void aBundleThatDoesNotResolveIsAnErrorSayingItWaitsInTheFolder() throws Exception {
        stateOfNew = "INSTALLED";
        Path broken = bundle("broken.jar", "com.example.broken", "1.0.0");
        assertThatThrownBy(() -> deployer.deploy(broken.toString())).isInstanceOf(IllegalStateException.class)
                .hasMessage("deployed com.example.broken 1.0.0 (bundle 10) from deploy/broken.jar, but it is INSTALLED, not started:"
                        + " it does not resolve; it stays in deploy/ and starts once what it needs is deployed (see log/fastpool.0.log)");
        assertThat(deployFolder()).containsExactly("broken.jar");
    }

    @Test
    void whatIsNotABundleIsRefusedWithTheReasonAndNothingLandsInTheFolder() throws Exception {
        Path text = Files.writeString(home.resolve("notes.jar"), "not a zip");
        assertThatThrownBy(() -> deployer.deploy(text.toString())).hasMessageContaining("notes.jar is not a jar");
        Path plain = bundle("plain.jar", null, null);
        assertThatThrownBy(() -> deployer.deploy(plain.toString()))
                .hasMessage(plain + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
        assertThatThrownBy(() -> deployer.deploy("missing.jar")).hasMessageContaining("no such file: " + home.resolve("missing.jar"));
        assertThat(deployFolder()).isEmpty();
        try (Stream<Path> run = Files.list(home.resolve("run"))) {
            assertThat(run).isEmpty();
        }
    }

    @Test
    void undeployRemovesTheJarByNameIdOrFileName() throws Exception {
        deployer.deploy(bundle("a.jar", "com.example.a", "1.0.0").toString());
        deployer.deploy(bundle("b.jar", "com.example.b", "1.0.0").toString());
        deployer.deploy(bundle("c.jar", "com.example.c", "1.0.0").toString());
        assertThat(deployer.undeploy("com.example.a")).isEqualTo("undeployed com.example.a 1.0.0 (bundle 10): removed deploy/a.jar\n");
        assertThat(deployer.undeploy("11")).startsWith("undeployed com.example.b 1.0.0 (bundle 11)");
        assertThat(deployer.undeploy("c.jar")).startsWith("undeployed com.example.c 1.0.0 (bundle 12)");
        assertThat(deployFolder()).isEmpty();
    }

    @Test
    void onlyBundlesFromTheDeployFolderCanBeUndeployedAndAnUnknownNameListsWhatIsDeployed() throws Exception {
        deployer.deploy(bundle("a.jar", "com.example.a", "1.0.0").toString());
        assertThatThrownBy(() -> deployer.undeploy("io.fastpool.transport"))
                .hasMessageContaining("io.fastpool.transport (bundle 1) was not deployed from " + deploy)
                .hasMessageContaining("only apps in deploy/ can be undeployed");
        assertThatThrownBy(() -> deployer.undeploy("nope")).hasMessage("no bundle named nope; deployed from deploy/: [com.example.a]");
        assertThat(deployFolder()).containsExactly("a.jar");
    }

    @Test
    void withoutAHomeThereIsNoDeployFolderAndTheErrorSaysSo() {
        Deployer outside = new Deployer(null, null, List::of, Duration.ofSeconds(1));
        assertThatThrownBy(() -> outside.deploy("x.jar")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("there is no deploy folder here");
    }

    @Test
    void whenNothingInstallsTheJarTheAnswerSaysWhereToLook() throws Exception {
        Deployer noFileInstall = new Deployer(home, deploy, List::of, Duration.ofMillis(300));
        assertThat(noFileInstall.deploy(bundle("a.jar", "com.example.a", "1.0.0").toString()))
                .startsWith("copied ").contains("to deploy/a.jar, but no bundle was installed from it within 0 s")
                .contains("is FileInstall watching");
    }
}
