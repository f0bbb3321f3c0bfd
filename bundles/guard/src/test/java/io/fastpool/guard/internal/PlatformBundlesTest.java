package io.fastpool.guard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastpool.testkit.Fakes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

class PlatformBundlesTest {

    @Test
    void theBundleFolderOfTheHomeIsThePlatformAsTheLauncherFormsItsLocations(@TempDir Path home) throws Exception {
        Path bundles = java.nio.file.Files.createDirectories(home.resolve("bundle"));
        PlatformBundles platform = PlatformBundles.from(Map.of("fastpool.home", home.toString())::get);

        assertThat(platform.contains(at(bundles.resolve("io.fastpool.pool-1.0.jar").toUri().toString()))).isTrue();
        assertThat(platform.contains(at(home.resolve("deploy/io.fastpool.samples.hello.jar").toUri().toString()))).isFalse();
        assertThat(platform.contains(at(home.resolve("bundle-extra/x.jar").toUri().toString()))).as("a sibling folder").isFalse();
        assertThat(platform.contains(at("inputstream:app.jar"))).isFalse();
    }

    @Test
    void listedLocationsReplaceTheHomeFolder() {
        PlatformBundles platform = PlatformBundles.from(Map.of("fastpool.home", "/srv/fastpool",
                "fastpool.guard.platformLocations", "file:/m2/a.jar, file:/m2/b.jar")::get);

        assertThat(platform.contains(at("file:/m2/b.jar"))).isTrue();
        assertThat(platform.contains(at("file:///srv/fastpool/bundle/a.jar"))).isFalse();
        assertThat(platform.describe()).isEqualTo("2 bundle locations");
    }

    @Test
    void withNeitherPropertyNoBundleIsThePlatforms() {
        PlatformBundles platform = PlatformBundles.from(name -> null);

        assertThat(platform.contains(at("file:///srv/fastpool/bundle/a.jar"))).isFalse();
        assertThat(platform.describe()).isEqualTo("no bundle location (every bundle is woven)");
    }

    private static Bundle at(String location) {
        return Fakes.fake(Bundle.class, (method, args) -> {
            if (method.equals("getLocation")) {
                return location;
            }
            throw new UnsupportedOperationException(method);
        });
    }
}
