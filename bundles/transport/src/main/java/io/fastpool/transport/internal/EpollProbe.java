package io.fastpool.transport.internal;

import io.netty.channel.epoll.Epoll;

/**
 * Asks netty whether epoll works here. A class of its own, holding nothing but this call, so that
 * when {@code io.netty.channel.epoll} is not wired the {@link NoClassDefFoundError} comes from
 * calling it, where {@link SocketIo#choose} catches it, and nothing else fails to load.
 */
final class EpollProbe {

    private EpollProbe() {
    }

    /**
     * Null if epoll is available, else why not (e.g. the native library is missing or does not load).
     *
     * @throws LinkageError if netty's epoll classes are not present
     */
    static Throwable unavailabilityCause() {
        // isAvailable() loads the native library on first use; once, for the whole JVM (or class loader).
        return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
    }
}
