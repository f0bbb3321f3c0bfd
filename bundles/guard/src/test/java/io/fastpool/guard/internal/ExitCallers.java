package io.fastpool.guard.internal;

import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Classes that would end the test JVM if they ran as compiled: the tests run them only after
 * {@link ExitCallRewriter} rewrote them (and checked that it did), in a {@link WovenLoader}.
 */
final class ExitCallers {

    private ExitCallers() {
    }

    static final class CallsSystemExit implements Runnable {
        @Override
        public void run() {
            System.exit(3);
        }
    }

    static final class CallsRuntimeExit implements Runnable {
        @Override
        public void run() {
            Runtime.getRuntime().exit(4);
        }
    }

    static final class CallsRuntimeHalt implements Runnable {
        @Override
        public void run() {
            Runtime.getRuntime().halt(5);
        }
    }

    /** {@code System::exit} as a method reference: a handle in the lambda's bootstrap arguments, no call instruction. */
    static final class ReferencesSystemExit implements Runnable {
        @Override
        public void run() {
            IntConsumer exit = System::exit;
            exit.accept(6);
        }
    }

    /** {@code runtime::halt} bound to the runtime: a virtual handle that becomes a static one. */
    static final class ReferencesRuntimeHalt implements Runnable {
        @Override
        public void run() {
            IntConsumer halt = Runtime.getRuntime()::halt;
            halt.accept(7);
        }
    }

    /** Catches what a security manager would throw, as some apps and libraries do. */
    static final class CatchesTheRefusal implements Supplier<String> {
        @Override
        public String get() {
            try {
                System.exit(8);
                return "exited";
            } catch (SecurityException refused) {
                return "caught: " + refused.getMessage();
            }
        }
    }

    /** Has a method named exit and calls Runtime and System, but calls none of the three. */
    static final class MentionsExitOnly implements Supplier<String> {
        @Override
        public String get() {
            return exit(Runtime.getRuntime().availableProcessors()) + System.lineSeparator().length();
        }

        private static String exit(int code) {
            return "code " + code;
        }
    }

    /** Names neither. */
    static final class Plain implements Supplier<String> {
        @Override
        public String get() {
            return "plain";
        }
    }
}
