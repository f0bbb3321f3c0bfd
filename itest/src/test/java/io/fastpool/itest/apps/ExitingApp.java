package io.fastpool.itest.apps;

import io.fastpool.api.Request;
import io.fastpool.api.Response;
import io.fastpool.api.WebApp;
import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;

/**
 * A {@link WebApp} that tries to end the process when asked ({@code ?mode=exit}, {@code runtime-exit},
 * {@code halt}), as a careless app might on an error; otherwise answers "alive". Run only where the
 * exit guard has woven it: unguarded it would end the JVM it runs in. {@code ExitGuardIT} packs it with
 * TinyBundles, {@code CrashProtectionIT} by hand into a deploy/ jar.
 */
@Component(name = "exiting", service = WebApp.class, property = "fastpool.mount.path=/exiting")
public final class ExitingApp implements WebApp {

    @Override
    public void handle(Request request, Response response) throws Exception {
        String mode = request.queryParameter("mode");
        if ("exit".equals(mode)) {
            System.exit(1);
        } else if ("runtime-exit".equals(mode)) {
            Runtime.getRuntime().exit(1);
        } else if ("halt".equals(mode)) {
            Runtime.getRuntime().halt(1);
        }
        response.setContentType("text/plain");
        response.body().write("alive".getBytes(StandardCharsets.UTF_8));
    }
}
