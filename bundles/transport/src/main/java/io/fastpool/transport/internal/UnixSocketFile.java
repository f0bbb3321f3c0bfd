package io.fastpool.transport.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Objects;

/**
 * The file system side of a unix domain socket: clearing a stale file before binding, setting mode,
 * owner and group after, and removing the file on close. A unix socket's file outlives a process
 * that dies without closing it; the next start must replace it, but never the file of a server
 * that still answers. These are blocking calls: never on an event loop.
 */
final class UnixSocketFile {

    private static final System.Logger LOG = System.getLogger(UnixSocketFile.class.getName());

    private UnixSocketFile() {
    }

    /**
     * Makes {@code path} ready to bind: creates its parent directories, and deletes a socket file
     * there if nothing answers on it.
     *
     * @throws IOException if another process listens there, or the path holds something else
     */
    static void prepare(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException(path + " exists and is not a socket; remove it or configure another unix: listen address");
        }
        if (answers(path)) {
            throw new IOException("another process listens on " + path
                    + "; stop it or configure another unix: listen address");
        }
        Files.deleteIfExists(path);
        LOG.log(Level.INFO, () -> "removed stale unix socket file " + path + " (nothing answered on it)");
    }

    /** Whether a server accepts connections on the socket at {@code path}. */
    private static boolean answers(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Non-blocking: a live server with a full backlog must not hang the start.
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new IOException("cannot tell whether another process listens on " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets the socket file's permissions, and its owner and group when configured.
     *
     * @return the file's identity, so that {@link #remove} deletes this file and no later one
     */
    static Object applyAccess(Path path, TransportConfig config) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view == null) {
            throw new IOException("cannot set unixSocketMode on " + path + ": the file system has no POSIX permissions");
        }
        view.setPermissions(config.unixSocketPermissions());
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        if (!config.unixSocketOwner().isEmpty()) {
            try {
                view.setOwner(users.lookupPrincipalByName(config.unixSocketOwner()));
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("unixSocketOwner '" + config.unixSocketOwner() + "' is not a user on this system", e);
            } catch (FileSystemException e) {
                throw new IOException("cannot give " + path + " to user '" + config.unixSocketOwner() + "' ("
                        + e.getReason() + "); only root may change a file's owner: leave unixSocketOwner empty"
                        + " and use unixSocketGroup", e);
            }
        }
        if (!config.unixSocketGroup().isEmpty()) {
            try {
                view.setGroup(users.lookupPrincipalByGroupName(config.unixSocketGroup()));
            } catch (UserPrincipalNotFoundException e) {
                throw new IOException("unixSocketGroup '" + config.unixSocketGroup() + "' is not a group on this system", e);
            } catch (FileSystemException e) {
                throw new IOException("cannot give " + path + " to group '" + config.unixSocketGroup() + "' ("
                        + e.getReason() + "); the server's user must be a member of that group", e);
            }
        }
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** Deletes the socket file if it is still the one {@link #applyAccess} saw (another server may have taken the path since). */
    static void remove(Path path, Object fileKey) {
        try {
            Object current = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey != null && Objects.equals(current, fileKey)) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // Already gone: netty deletes the file when it closes the server channel.
        } catch (IOException e) {
            LOG.log(Level.WARNING, () -> "could not remove unix socket file " + path + ": " + e.getMessage()
                    + "; the next start replaces it if nothing answers on it");
        }
    }
}
