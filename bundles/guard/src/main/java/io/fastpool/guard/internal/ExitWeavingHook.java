package io.fastpool.guard.internal;

import io.fastpool.guard.ExitRefusal;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;
import org.objectweb.asm.ClassReader;
import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.weaving.WeavingHook;
import org.osgi.framework.hooks.weaving.WovenClass;

/**
 * The OSGi weaving hook that keeps apps from ending the server: each class an app bundle loads (every
 * bundle but the platform's, see {@link PlatformBundles}) goes through {@link ExitCallRewriter}, and a
 * class it rewrote gets a dynamic import of {@link ExitRefusal}'s package, which the app's manifest knows
 * nothing of. A class without such calls is left exactly as it was (its bytes are not replaced).
 *
 * <p>The framework calls this on the thread that loads the class, for every class of every bundle, so
 * it is cheap for the common case: a platform bundle is passed over by its location, and an app's class
 * whose constant pool names no exit is passed over after the constant pool alone. A class ASM cannot read
 * (a class file version newer than it knows) is loaded unchanged, with a warning naming it: failing its
 * load would break the app on a JDK upgrade, for a guard against an accident.
 */
final class ExitWeavingHook implements WeavingHook {

    /** The import the rewritten classes need; the range is that of the package's major version. */
    static final String REFUSAL_IMPORT = ExitRefusal.class.getPackageName() + ";version=\"[1.0,2)\"";

    private final PlatformBundles platform;
    private final Bundle guard;
    private final System.Logger log;
    private final LongAdder checked = new LongAdder();
    private final LongAdder rewritten = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    ExitWeavingHook(PlatformBundles platform, Bundle guard, System.Logger log) {
        this.platform = platform;
        this.guard = guard;
        this.log = log;
    }

    @Override
    public void weave(WovenClass woven) {
        Bundle bundle = woven.getBundleWiring().getBundle();
        if (bundle.getBundleId() == 0 || bundle.equals(guard) || platform.contains(bundle)) {
            return;
        }
        long started = System.nanoTime();
        try {
            ClassReader reader = new ClassReader(woven.getBytes());
            if (ExitCallRewriter.mayCallExit(reader)) {
                byte[] guarded = ExitCallRewriter.rewrite(reader);
                if (guarded != null) {
                    woven.getDynamicImports().add(REFUSAL_IMPORT);
                    woven.setBytes(guarded);
                    rewritten.increment();
                }
            }
        } catch (RuntimeException unreadable) {
            log.log(Level.WARNING, "cannot check class " + woven.getClassName() + " of bundle " + bundle.getSymbolicName() + " (id "
                    + bundle.getBundleId() + ") for System.exit calls (" + unreadable + "): it is loaded unchanged, its calls unguarded");
        } finally {
            checked.increment();
            nanos.add(System.nanoTime() - started);
        }
    }

    /** What it did so far, for the log: classes of apps checked, rewritten, and the time it took. */
    String describe() {
        return "checked " + checked.sum() + " classes of apps in " + nanos.sum() / 1_000_000 + " ms, rewrote " + rewritten.sum();
    }
}
