package io.fastpool.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(20)
class UnixSocketFileTest extends TransportTestSupport {

    private static final String ADDRESS = "unix:run/fastpool.sock";

    private Path socket() {
        return baseDirectory.resolve("run/fastpool.sock");
    }

    @Test
    void socketFileGetsMode0660ByDefaultAndParentDirectoriesAreCreated() throws Exception {
        start(config(ADDRESS), new EchoHandler());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket()))).isEqualTo("rw-rw----");
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void socketFileGetsTheConfiguredMode(Io io) throws Exception {
        start(io, config(ADDRESS).unixSocketMode("0600"), new EchoHandler());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket()))).isEqualTo("rw-------");
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void socketFileGetsTheConfiguredGroup(Io io) throws Exception {
        String myGroup = Files.readAttributes(baseDirectory, PosixFileAttributes.class).group().getName();

        start(io, config(ADDRESS).unixSocketGroup(myGroup), new EchoHandler());

        assertThat(Files.readAttributes(socket(), PosixFileAttributes.class).group().getName()).isEqualTo(myGroup);
    }

    @Test
    void unknownGroupFailsTheStartAndLeavesNoSocket() {
        assertThatThrownBy(() -> start(config(ADDRESS).unixSocketGroup("no-such-group-fastpool"), new EchoHandler()))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot listen on " + ADDRESS + ": unixSocketGroup 'no-such-group-fastpool' is not a group"
                        + " on this system");
        assertThat(socket()).doesNotExist();
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void staleSocketFileIsReplaced(Io io) throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel abandoned = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            abandoned.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertThat(socket()).exists();

        start(io, config(ADDRESS), new EchoHandler());

        connectUnix(socket()).assertEchoes(Records.beginRequest(1));
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void socketFileOfALiveServerFailsTheStartWithAClearMessage(Io io) throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket()));

            assertThatThrownBy(() -> start(config("tcp:127.0.0.1:0", ADDRESS).useEpoll(io.useEpoll), new EchoHandler()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("another process listens on " + socket()
                            + "; stop it or configure another unix: listen address");
            assertThat(socket()).exists();
        }
        StopTest.awaitNoTransportThreads();
    }

    @Test
    void somethingElseAtThePathFailsTheStart() throws Exception {
        Files.createDirectories(socket().getParent());
        Files.writeString(socket(), "not a socket");

        assertThatThrownBy(() -> start(config(ADDRESS), new EchoHandler()))
                .isInstanceOf(IOException.class)
                .hasMessage(socket() + " exists and is not a socket; remove it or configure another unix: listen address");
        assertThat(Files.readString(socket())).isEqualTo("not a socket");
    }

    @ParameterizedTest
    @EnumSource(Io.class)
    void socketFileIsRemovedOnStop(Io io) throws Exception {
        Transport transport = start(io, config(ADDRESS), new EchoHandler());
        assertThat(socket()).exists();

        transport.stop();

        assertThat(socket()).doesNotExist();
    }
}
