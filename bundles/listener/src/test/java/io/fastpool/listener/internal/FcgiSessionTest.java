package io.fastpool.listener.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import io.fastpool.api.Headers;
import io.fastpool.api.Request;
import io.fastpool.api.RequestAbortedException;
import io.fastpool.api.RequestBodyException;
import io.fastpool.api.spi.Exchange;
import io.fastpool.api.spi.RequestTarget;
import io.fastpool.fcgi.Fcgi;
import io.fastpool.fcgi.FcgiEncoder;
import io.fastpool.fcgi.FcgiLimits;
import io.fastpool.fcgi.FcgiProtocolStatus;
import io.fastpool.fcgi.FcgiRecordType;
import io.fastpool.fcgi.FcgiRole;
import io.fastpool.transport.TransportLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The FastCGI responder's state machine on an {@link io.netty.channel.embedded.EmbeddedChannel}. */
class FcgiSessionTest {

    private final RoutingTable routes = new RoutingTable();
    private final ListenerStats stats = new ListenerStats();
    private EmbeddedConnection connection = new EmbeddedConnection(TransportLimits.DEFAULTS);
    private ListenerSettings settings = ListenerSettings.DEFAULTS;
    private FcgiSession session = newSession();
    private WebServer web = new WebServer(session);
    private final ClientView client = new ClientView();

    @AfterEach
    void closeChannel() {
        session.onClose();
        connection.channel.finishAndReleaseAll();
    }

    private FcgiSession newSession() {
        return new FcgiSession(connection, settings, routes, stats);
    }

    private void restartWith(ListenerSettings newSettings, TransportLimits limits) {
        connection.channel.finishAndReleaseAll();
        settings = newSettings;
        connection = new EmbeddedConnection(limits);
        session = newSession();
        web = new WebServer(session);
    }

    private void mount(String path, RequestTarget target) {
        routes.add(new RoutingTable.Route("*", 0, path, target, "test" + path));
    }

    /** A target at "/" that keeps its exchanges for the test to answer. */
    private Targets.Deferred mountDeferred() {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        return deferred;
    }

    private static RequestTarget hello(String text) {
        return Targets.inline((request, response) -> {
            response.setContentType("text/plain");
            response.body().write(text.getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void aRequestIsAnsweredWithStdoutThenItsEndThenEndRequest() {
        mount("/", hello("Hello, world!"));
        web.request(1, true, WebServer.params("GET", "/"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.status()).isEqualTo("200 OK");
        assertThat(answer.headers()).contains("Content-Type: text/plain\r\n");
        assertThat(answer.body()).isEqualTo("Hello, world!");
        assertThat(answer.records).containsExactly(FcgiRecordType.STDOUT, FcgiRecordType.STDOUT, FcgiRecordType.END_REQUEST);
        assertThat(answer.endStatus).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void aSmallResponseLeavesInOneWriteWithItsEndRequest() {
        mount("/", hello("small"));
        web.request(1, true, WebServer.params("GET", "/"), "");
        connection.channel.runPendingTasks();
        assertThat(connection.channel.outboundMessages()).hasSize(1);
        client.read(connection);
        assertThat(client.finished(1).body()).isEqualTo("small");
    }

    @Test
    void withoutKeepConnTheConnectionClosesAfterEndRequest() {
        mount("/", hello("bye"));
        web.request(1, false, WebServer.params("GET", "/"), "");
        assertThat(client.read(connection).finished(1).body()).isEqualTo("bye");
        assertThat(connection.channel.isOpen()).isFalse();
    }

    @Test
    void withKeepConnTheConnectionServesTheNextRequestWithTheSameId() {
        mount("/", hello("again"));
        for (int i = 0; i < 3; i++) {
            web.request(1, true, WebServer.params("GET", "/"), "");
            client.read(connection); // a web server reuses an id only once it has read END_REQUEST
        }
        assertThat(client.endedById.get(1)).hasSize(3).allSatisfy(a -> assertThat(a.body()).isEqualTo("again"));
        assertThat(connection.channel.isOpen()).isTrue();
        assertThat(session.isIdle()).isTrue();
    }

    @Test
    void multiplexedRequestsInterleaveAndAnswerInAnyOrder() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.begin(1, true);
        web.begin(2, true);
        web.params(2, WebServer.params("GET", "/two"));
        web.params(1, WebServer.params("GET", "/one"));
        web.stdinEnd(1);
        web.stdinEnd(2);
        assertThat(deferred.exchanges).extracting(e -> e.request().path()).containsExactly("/two", "/one");
        assertThat(session.inFlight()).isEqualTo(2);

        Exchange two = deferred.exchanges.get(0);
        Exchange one = deferred.exchanges.get(1);
        one.response().body().write("first".getBytes(StandardCharsets.UTF_8));
        one.response().body().flush();
        two.response().body().write("second".getBytes(StandardCharsets.UTF_8));
        two.complete();
        one.response().body().write(" done".getBytes(StandardCharsets.UTF_8));
        one.complete();
        client.read(connection);
        assertThat(client.finished(1).body()).isEqualTo("first done");
        assertThat(client.finished(2).body()).isEqualTo("second");
        assertThat(client.ended).extracting(a -> a.body()).containsExactly("second", "first done");

        // Both ids are free again.
        web.request(2, true, WebServer.params("GET", "/again"), "");
        assertThat(deferred.last().request().path()).isEqualTo("/again");
    }

    @Test
    void getValuesIsAnsweredFromTheRealLimits() {
        restartWith(new ListenerSettings(FcgiLimits.DEFAULTS, 16, 4096), new TransportLimits(500, 30_000, 60_000));
        web.feed(out -> FcgiEncoder.writeGetValues(out, List.of(Fcgi.MAX_CONNS, Fcgi.MAX_REQS, Fcgi.MPXS_CONNS, "OTHER")));
        client.read(connection);
        // FCGI_MAX_REQS is per connection: what HAProxy's option get-values sends on one connection.
        assertThat(client.getValuesResults).containsExactly(Map.of(
                Fcgi.MAX_CONNS, "500", Fcgi.MAX_REQS, "16", Fcgi.MPXS_CONNS, "1"));
    }

    @Test
    void asManyRequestsAsFcgiMaxReqsSaysAreAcceptedOnOneConnection() {
        restartWith(new ListenerSettings(FcgiLimits.DEFAULTS, 3, 4096), new TransportLimits(500, 30_000, 60_000));
        web.feed(out -> FcgiEncoder.writeGetValues(out, List.of(Fcgi.MAX_REQS)));
        client.read(connection);
        int advertised = Integer.parseInt(client.getValuesResults.get(0).get(Fcgi.MAX_REQS));
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        for (int id = 1; id <= advertised + 1; id++) {
            web.request(id, true, WebServer.params("GET", "/"), "");
        }
        client.read(connection);
        assertThat(deferred.exchanges).as("every advertised request is accepted and dispatched").hasSize(advertised);
        assertThat(client.finished(advertised + 1).endStatus).isEqualTo(FcgiProtocolStatus.OVERLOADED);
    }

    @Test
    void aHalfCloseWithIncompleteParamsOrBodyClosesAtOnce() {
        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true));
        web.feed(out -> FcgiEncoder.writeParams(out, 1, WebServer.params("GET", "/").entrySet()));
        assertThat(session.onInputShutdown()).as("PARAMS never ended").isTrue();

        restartWith(ListenerSettings.DEFAULTS, TransportLimits.DEFAULTS);
        mount("/", new Targets.Deferred());
        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true));
        web.feed(out -> FcgiEncoder.writeParams(out, 1, WebServer.params("POST", "/", "CONTENT_LENGTH", "10").entrySet()));
        web.feed(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1));
        assertThat(session.onInputShutdown()).as("the body never ended").isTrue();
    }

    @Test
    void aHalfCloseAfterAWholeRequestAnswersItThenClosesThoughKeepConnWasAsked() {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("GET", "/"), "");
        assertThat(session.onInputShutdown()).isFalse();
        assertThat(connection.channel.isOpen()).isTrue();
        deferred.last().complete();
        client.read(connection);
        assertThat(client.finished(1).endStatus).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
        connection.channel.runPendingTasks();
        assertThat(connection.channel.isOpen()).as("closed after its answer").isFalse();
    }

    @Test
    void aRequestAnsweredBeforeItsStdinEndedGetsEndRequestOnlyWhenTheStdinEnds() {
        mount("/", hello("early"));
        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true));
        web.feed(out -> FcgiEncoder.writeParams(out, 1, WebServer.params("POST", "/", "CONTENT_LENGTH", "200000").entrySet()));
        web.feed(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1));
        client.read(connection);
        assertThat(client.answer(1).stdout.toString()).endsWith("early");
        assertThat(client.answer(1).stdoutEnded).isTrue();
        assertThat(client.answer(1).endStatus).as("END_REQUEST waits for the STDIN").isNull();
        // The body still comes, is discarded, and ends: then END_REQUEST.
        for (int i = 0; i < 4; i++) {
            web.feed(out -> FcgiEncoder.writeStream(out, FcgiRecordType.STDIN, 1, Unpooled.wrappedBuffer(new byte[50_000])));
        }
        client.read(connection);
        assertThat(client.answer(1).endStatus).isNull();
        web.feed(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.STDIN, 1));
        assertThat(client.read(connection).finished(1).endStatus).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
        // The connection and the id serve the next request.
        web.request(1, true, WebServer.params("GET", "/"), "");
        assertThat(client.read(connection).finished(1).body()).isEqualTo("early");
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void aHeldEndRequestGoesOutAfterParamsTimeoutOrAnAbort() {
        restartWith(ListenerSettings.DEFAULTS.withRequestLimits(1_000, 1 << 20), new TransportLimits(100, 30_000, 60_000));
        mount("/", hello("early"));
        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.RESPONDER, true));
        web.feed(out -> FcgiEncoder.writeParams(out, 1, WebServer.params("POST", "/", "CONTENT_LENGTH", "10").entrySet()));
        web.feed(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1));
        client.read(connection);
        assertThat(client.answer(1).endStatus).isNull();
        connection.channel.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        connection.channel.runScheduledPendingTasks();
        assertThat(client.read(connection).finished(1).endStatus).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);

        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 2, FcgiRole.RESPONDER, true));
        web.feed(out -> FcgiEncoder.writeParams(out, 2, WebServer.params("POST", "/", "CONTENT_LENGTH", "10").entrySet()));
        web.feed(out -> FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 2));
        web.feed(out -> FcgiEncoder.writeAbortRequest(out, 2));
        assertThat(client.read(connection).finished(2).endStatus).isEqualTo(FcgiProtocolStatus.REQUEST_COMPLETE);
    }

    @Test
    void emptyContentTypeAndLengthVariablesAreAbsentHeaders() {
        List<Object> seen = new ArrayList<>();
        mount("/", Targets.inline((request, response) -> {
            Headers headers = request.headers();
            seen.add(headers.get("Content-Type"));
            seen.add(headers.get("Content-Length"));
            seen.add(headers.contains("Content-Type"));
            seen.add(headers.getAll("Content-Length"));
            seen.add(headers.names());
            seen.add(headers.get("X-Empty")); // other empty headers are real, empty headers
            seen.add(request.contentType());
        }));
        web.request(1, true, WebServer.params("GET", "/", "CONTENT_TYPE", "", "CONTENT_LENGTH", "", "HTTP_X_EMPTY", ""), "");
        client.read(connection).finished(1);
        assertThat(seen).containsExactly(null, null, false, List.of(), Set.of("Host", "X-Empty"), "", null);
    }

    @Test
    void aConnectionsNextRequestTakesTheCgiVariablesArrayTheLastOneLeft() {
        Targets.Deferred deferred = mountDeferred();
        web.request(1, true, WebServer.params("GET", "/a"), "");
        deferred.last().complete();
        client.read(connection).finished(1);
        web.request(1, true, WebServer.params("GET", "/b"), "");
        FcgiExchange first = (FcgiExchange) deferred.exchanges.get(0);
        FcgiExchange second = (FcgiExchange) deferred.exchanges.get(1);
        assertThat(second.params).isSameAs(first.params);
        assertThat(second.request().uri()).isEqualTo("/b");
    }

    @Test
    void headersReadAfterTheRequestCompletedThrowAndNeverShowTheNextRequestsWhileWhatRoutingReadStays() {
        Targets.Deferred deferred = mountDeferred();
        web.request(1, true, WebServer.params("POST", "/first?q=1", "HTTP_X_WHO", "first"), "");
        Exchange first = deferred.last();
        Request request = first.request();
        Headers headers = request.headers();
        assertThat(request.header("X-Who")).isEqualTo("first");
        first.complete();
        client.read(connection).finished(1);
        web.request(1, true, WebServer.params("GET", "/second", "HTTP_X_WHO", "second"), "");

        assertThat(deferred.last().request().header("X-Who")).isEqualTo("second");
        assertThatThrownBy(() -> request.header("X-Who")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the request has ended").hasMessageContaining("POST /first?q=1");
        assertThatThrownBy(() -> headers.getAll("X-Who")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> headers.names()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> request.variable("HTTP_X_WHO")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(request::variableNames).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(request::remoteAddress).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(request::isSecure).isInstanceOf(IllegalStateException.class);
        assertThat(List.of(request.method(), request.uri(), request.path(), request.queryString(), first.describe()))
                .containsExactly("POST", "/first?q=1", "/first", "q=1", "connection " + connection.id() + " request 1 POST /first?q=1");
    }

    @Test
    void anAbortedRequestsHandlerStillReadsItsHeadersAndTheNextRequestGetsItsOwnArray() {
        Targets.Deferred deferred = mountDeferred();
        web.request(1, true, WebServer.params("GET", "/slow", "HTTP_X_WHO", "first"), "");
        Exchange aborted = deferred.last();
        web.abort(1);
        client.read(connection).finished(1);
        web.request(1, true, WebServer.params("GET", "/next", "HTTP_X_WHO", "second"), "");

        assertThat(aborted.request().header("X-Who")).as("its handler may still be running").isEqualTo("first");
        assertThat(((FcgiExchange) deferred.last()).params).isNotSameAs(((FcgiExchange) aborted).params);
        aborted.complete();
    }

    @Test
    void aReaderRacingTheConnectionsNextRequestsSeesItsOwnValueOrAnErrorNeverTheirs() throws Exception {
        Targets.Deferred deferred = mountDeferred();
        web.request(1, true, WebServer.params("GET", "/first", "HTTP_X_WHO", "first"), "");
        Request request = deferred.last().request();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        Set<String> readValues = ConcurrentHashMap.newKeySet();
        AtomicLong refused = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                try {
                    readValues.add(String.valueOf(request.header("X-Who")));
                } catch (IllegalStateException ended) {
                    refused.incrementAndGet();
                }
                started.countDown(); // after a first read, made while the request was live
            }
        });
        reader.start();
        started.await();
        deferred.last().complete();
        for (int i = 0; i < 2000; i++) {
            client.read(connection);
            web.request(1, true, WebServer.params("GET", "/next", "HTTP_X_WHO", i % 2 == 0 ? "second" : "third-value"), "");
            deferred.last().complete();
        }
        client.read(connection);
        stop.set(true);
        reader.join();
        assertThat(readValues).containsOnly("first");
        assertThat(refused.get()).isPositive();
    }

    @Test
    void a200WithHeadersSaysNoStatusLineAndOtherStatusesDo() {
        mount("/ok", hello("fine"));
        mount("/missing", Targets.inline((request, response) -> response.setStatus(404)));
        mount("/bare", Targets.inline((request, response) -> { }));
        web.request(1, true, WebServer.params("GET", "/ok"), "");
        web.request(2, true, WebServer.params("GET", "/missing"), "");
        web.request(3, true, WebServer.params("HEAD", "/bare"), "");
        client.read(connection);
        assertThat(client.finished(1).stdout.toString()).startsWith("Content-Type: text/plain\r\n").doesNotContain("Status:");
        assertThat(client.finished(2).stdout.toString()).startsWith("Status: 404 Not Found\r\n");
        // A header block needs one header: a HEAD with nothing else set still names its status.
        assertThat(client.finished(3).stdout.toString()).isEqualTo("Status: 200 OK\r\n\r\n");
    }

    @Test
    void anUnknownManagementTypeIsAnsweredWithUnknownType() {
        web.feed(out -> FcgiEncoder.writeRecord(out, 42, 0, Unpooled.EMPTY_BUFFER, 0));
        assertThat(client.read(connection).unknownTypes).containsExactly(42);
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void authorizerAndFilterRolesAreAnsweredUnknownRole() {
        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 1, FcgiRole.AUTHORIZER, true));
        web.feed(out -> FcgiEncoder.writeBeginRequest(out, 2, FcgiRole.FILTER, true));
        client.read(connection);
        assertThat(client.finished(1).endStatus).isEqualTo(FcgiProtocolStatus.UNKNOWN_ROLE);
        assertThat(client.finished(2).endStatus).isEqualTo(FcgiProtocolStatus.UNKNOWN_ROLE);
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void anUndefinedRoleIsAnsweredUnknownRoleAndTheConnectionLives() {
        web.feedRaw(Unpooled.wrappedBuffer(new byte[] {1, 1, 0, 9, 0, 8, 0, 0, 0, 7, 1, 0, 0, 0, 0, 0}));
        client.read(connection);
        assertThat(client.finished(9).endStatus).isEqualTo(FcgiProtocolStatus.UNKNOWN_ROLE);
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void aResponseThatEndsBeforeAnythingWasSentSaysItsContentLengthOnceAndOnlyWhenItMay() {
        mount("/small", hello("Hello, world!"));
        mount("/streamed", Targets.inline((request, response) -> {
            response.body().write("part one".getBytes(StandardCharsets.UTF_8));
            response.body().flush();
            response.body().write("part two".getBytes(StandardCharsets.UTF_8));
        }));
        mount("/own", Targets.inline((request, response) -> {
            response.setHeader("content-length", "3");
            response.body().write("abc".getBytes(StandardCharsets.UTF_8));
        }));
        mount("/empty", Targets.inline((request, response) -> response.setStatus(204)));
        int id = 1;
        String[][] cases = {{"GET", "/small", "Content-Length: 13\r\n"}, {"GET", "/streamed", null}, {"GET", "/own", null},
                {"GET", "/empty", null}, {"HEAD", "/small", null}};
        for (String[] c : cases) {
            web.request(id, true, WebServer.params(c[0], c[1]), "");
            String headers = client.read(connection).finished(id).headers();
            if (c[2] != null) {
                assertThat(headers).as(c[0] + " " + c[1]).contains(c[2]);
            } else {
                assertThat(headers).as(c[0] + " " + c[1]).doesNotContain("Content-Length");
            }
            id++;
        }
        web.request(id, true, WebServer.params("GET", "/own"), "");
        assertThat(client.read(connection).finished(id).headers().toLowerCase(java.util.Locale.ROOT))
                .containsOnlyOnce("content-length");
    }

    @Test
    void aHeaderBlockLongerThanOneRecordIsSplitAcrossStdoutRecords() {
        String big = "x".repeat(70_000);
        mount("/big", Targets.inline((request, response) -> {
            response.setHeader("X-Big", big);
            response.body().write("body".getBytes(StandardCharsets.UTF_8));
        }));
        web.request(1, true, WebServer.params("GET", "/big"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.headers()).contains("X-Big: " + big + "\r\n").contains("Content-Length: 4\r\n");
        assertThat(answer.body()).isEqualTo("body");
        assertThat(answer.records.stream().filter(r -> r == FcgiRecordType.STDOUT).count()).as("two records and the end").isEqualTo(3);
    }

    @Test
    void responsesAreCountedByStatusClassIncludingTheListenersOwn404() {
        mount("/gone", Targets.inline((request, response) -> response.sendError(503, "later")));
        mount("/moved", Targets.inline((request, response) -> {
            response.setStatus(302);
            response.setHeader("Location", "/ok");
        }));
        mount("/ok", hello("ok"));
        int id = 1;
        for (String path : new String[] {"/ok", "/ok", "/gone", "/moved", "/nothing-here"}) {
            web.request(id, true, WebServer.params("GET", path), "");
            client.read(connection).finished(id);
            id++;
        }
        io.fastpool.listener.ListenerStatus.Counters counters = stats.snapshot();
        assertThat(counters.responses2xx()).isEqualTo(2);
        assertThat(counters.responses3xx()).isEqualTo(1);
        assertThat(counters.responses4xx()).isEqualTo(1);
        assertThat(counters.responses5xx()).isEqualTo(1);
        assertThat(counters.responses1xx()).isZero();
        assertThat(counters.completed()).isEqualTo(5);
        assertThat(counters.notFound()).isEqualTo(1);
        assertThat(counters.dispatched()).isEqualTo(4);
    }

    @Test
    void anUnmountedPathIsA404WithAShortTextBody() {
        mount("/app", hello("app"));
        web.request(1, true, WebServer.params("GET", "/apple"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.status()).isEqualTo("404 Not Found");
        assertThat(answer.headers()).contains("Content-Type: text/plain; charset=UTF-8");
        assertThat(answer.body()).isEqualTo("404 Not Found\nNo application is mounted at this path.\n");
        assertThat(stats.notFound.sum()).isEqualTo(1);
    }

    @Test
    void abortCancelsTheRequestItsBodyAndItsLaterWritesAndSendsEndRequest() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.begin(1, true);
        web.params(1, WebServer.params("POST", "/upload", "CONTENT_LENGTH", "100"));
        web.stdin(1, "partial");
        Exchange exchange = deferred.last();
        AtomicBoolean cancelled = new AtomicBoolean();
        exchange.onCancel(() -> cancelled.set(true));

        web.abort(1);
        assertThat(exchange.isCancelled()).isTrue();
        assertThat(cancelled).isTrue();
        InputStream body = exchange.request().body();
        assertThatThrownBy(() -> body.read(new byte[10])).isInstanceOf(RequestAbortedException.class);
        assertThatThrownBy(() -> exchange.response().body().write(1)).isInstanceOf(RequestAbortedException.class);
        exchange.complete();

        client.read(connection);
        ClientView.Answer answer = client.finished(1);
        assertThat(answer.records).containsExactly(FcgiRecordType.END_REQUEST);
        assertThat(client.ended).hasSize(1);
        assertThat(session.isIdle()).isTrue();
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void aClosedConnectionCancelsEveryRequestInFlight() {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("GET", "/a"), "");
        web.request(2, true, WebServer.params("GET", "/b"), "");
        session.onClose();
        assertThat(deferred.exchanges).allMatch(Exchange::isCancelled);
        deferred.exchanges.forEach(Exchange::complete);
        assertThat(client.read(connection).ended).isEmpty();
    }

    @Test
    void theMethodIsReadFromTheCgiVariablesOnceAndKept() {
        List<String> seen = new ArrayList<>();
        mount("/", Targets.inline((request, response) -> {
            seen.add(request.method());
            seen.add(request.method());
        }));
        web.request(1, true, WebServer.params("POST", "/a"), "");
        assertThat(seen).containsExactly("POST", "POST");
        assertThat(seen.get(1)).as("the same String, not a second copy").isSameAs(seen.get(0));
    }

    @Test
    void theRequestModelReadsTheCgiVariables() {
        List<Object> seen = new ArrayList<>();
        mount("/shop", Targets.inline((request, response) -> {
            seen.add(request.method());
            seen.add(request.uri());
            seen.add(request.path());
            seen.add(request.contextPath());
            seen.add(request.pathInfo());
            seen.add(request.queryString());
            seen.add(request.header("user-agent"));
            seen.add(request.header("USER-AGENT"));
            seen.add(request.headers().getAll("X-Forwarded-For"));
            seen.add(request.contentType());
            seen.add(request.contentLength());
            seen.add(request.remoteAddress() + ":" + request.remotePort());
            seen.add(request.serverAddress() + ":" + request.serverPort());
            seen.add(request.serverName());
            seen.add(request.isSecure());
            seen.add(request.protocol());
            seen.add(request.headers().names());
            seen.add(request.variable("SCRIPT_NAME"));
        }));
        web.request(1, true, WebServer.params("POST", "/shop/cart%20x?id=1&b=%2F",
                "CONTENT_TYPE", "application/json", "CONTENT_LENGTH", "2", "HTTP_USER_AGENT", "curl/8",
                "HTTP_X_FORWARDED_FOR", "10.0.0.1", "HTTPS", "on", "HTTP_HOST", "Shop.Example.COM:8443"), "{}");
        assertThat(seen).containsExactly("POST", "/shop/cart%20x?id=1&b=%2F", "/shop/cart x", "/shop", "/cart x",
                "id=1&b=%2F", "curl/8", "curl/8", List.of("10.0.0.1"), "application/json", 2L, "192.0.2.10:51234",
                "127.0.0.1:80", "shop.example.com", true, "HTTP/1.1",
                Set.of("Content-Type", "Content-Length", "Host", "User-Agent", "X-Forwarded-For"),
                "/shop/cart%20x");
    }

    @Test
    void withoutRequestUriThePathComesFromDocumentUriAsJettysClientSendsIt() {
        List<Object> seen = new ArrayList<>();
        mount("/shop", Targets.inline((request, response) -> {
            seen.add(request.path());
            seen.add(request.pathInfo());
            seen.add(request.queryString());
            seen.add(request.uri());
        }));
        web.begin(1, true);
        web.feed(out -> {
            FcgiEncoder.writeParams(out, 1, List.of(Map.entry("DOCUMENT_URI", "/shop/a b/./c"), Map.entry("QUERY_STRING", "x=%41"),
                    Map.entry("REQUEST_METHOD", "GET"), Map.entry("HTTP_HOST", "localhost")));
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        });
        web.stdinEnd(1);
        assertThat(seen).containsExactly("/shop/a b/c", "/a b/c", "x=%41", "/shop/a b/./c?x=%41");
    }

    @Test
    void withoutRequestUriOrDocumentUriThePathIsScriptNameAndPathInfo() {
        List<Object> seen = new ArrayList<>();
        mount("/", Targets.inline((request, response) -> seen.add(request.path())));
        web.begin(1, true);
        web.feed(out -> {
            FcgiEncoder.writeParams(out, 1, List.of(Map.entry("SCRIPT_NAME", "/app.cgi"), Map.entry("PATH_INFO", "/x/../y")));
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        });
        web.stdinEnd(1);
        assertThat(seen).containsExactly("/app.cgi/y");
    }

    @Test
    void aRepeatedParameterDoesNotBreakAnythingAndTheLastOneWins() {
        List<Object> seen = new ArrayList<>();
        mount("/", Targets.inline((request, response) -> {
            seen.add(request.header("X-Dup"));
            seen.add(request.headers().getAll("x-dup"));
        }));
        web.begin(1, true);
        web.feed(out -> {
            FcgiEncoder.writeParams(out, 1, List.of(Map.entry("REQUEST_URI", "/"), Map.entry("HTTP_X_DUP", "a"),
                    Map.entry("HTTP_X_DUP", "b"), Map.entry("REQUEST_URI", "/")));
            FcgiEncoder.writeStreamEnd(out, FcgiRecordType.PARAMS, 1);
        });
        web.stdinEnd(1);
        assertThat(seen).containsExactly("b", List.of("a", "b"));
    }

    @Test
    void theHandlerStartsBeforeTheBodyHasArrivedAndReadsItAsItComes() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.begin(1, true);
        web.params(1, WebServer.params("POST", "/", "CONTENT_LENGTH", "11"));
        assertThat(deferred.exchanges).hasSize(1);
        InputStream body = deferred.last().request().body();
        web.stdin(1, "hello");
        assertThat(new String(body.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("hello");
        web.stdin(1, " world");
        web.stdinEnd(1);
        assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(" world");
        assertThat(body.read()).isEqualTo(-1);
        deferred.last().complete();
    }

    @Test
    void aBodyShorterOrLongerThanItsContentLengthIsAnErrorTheHandlerSees() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("POST", "/", "CONTENT_LENGTH", "10"), "short");
        InputStream shortBody = deferred.last().request().body();
        assertThat(shortBody.readNBytes(5)).hasSize(5);
        assertThatThrownBy(shortBody::read).isInstanceOf(RequestBodyException.class)
                .hasMessage("request body ended after 5 of the 10 bytes its Content-Length declares");
        deferred.last().complete();

        web.request(2, true, WebServer.params("POST", "/", "CONTENT_LENGTH", "3"), "too long");
        InputStream longBody = deferred.last().request().body();
        assertThat(new String(longBody.readNBytes(3), StandardCharsets.UTF_8)).isEqualTo("too");
        assertThatThrownBy(longBody::read).isInstanceOf(RequestBodyException.class)
                .hasMessage("request body is longer than its Content-Length of 3 bytes");
        deferred.last().complete();
        assertThat(stats.badRequests.sum()).isEqualTo(2);
    }

    @Test
    void aHandlerReadingSlowerThanTheClientSendsPausesReadingUntilItCatchesUp() throws IOException {
        restartWith(ListenerSettings.DEFAULTS.withRequestLimits(30_000, 64 * 1024), new TransportLimits(100, 30_000, 60_000));
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.begin(1, true);
        web.params(1, WebServer.params("POST", "/"));
        String chunk = "x".repeat(16 * 1024);
        for (int i = 0; i < 5; i++) {
            web.stdin(1, chunk);
        }
        assertThat(connection.paused).as("paused after 80 KiB buffered over a 64 KiB budget").isTrue();
        InputStream body = deferred.last().request().body();
        assertThat(body.readNBytes(60 * 1024)).hasSize(60 * 1024);
        connection.channel.runPendingTasks();
        assertThat(connection.paused).as("reading again once below half the budget").isFalse();
        assertThat(connection.pauses).isEqualTo(1);
        assertThat(connection.resumes).isEqualTo(1);
        deferred.last().complete();
    }

    @Test
    void aLargeResponseStreamsInRecordsOfAtMost65535Bytes() throws IOException {
        byte[] megabyte = new byte[1024 * 1024];
        java.util.Arrays.fill(megabyte, (byte) 'z');
        mount("/", Targets.inline((request, response) -> {
            for (int i = 0; i < 16; i++) {
                response.body().write(megabyte, i * 65536, 65536);
            }
        }));
        web.request(1, true, WebServer.params("GET", "/big"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.body()).hasSize(megabyte.length).matches("z+");
        assertThat(answer.stdoutRecordSizes).allSatisfy(size -> assertThat(size).isBetween(1, Fcgi.MAX_CONTENT_LENGTH));
        assertThat(answer.stdoutRecordSizes.size()).isGreaterThan(16);
    }

    @Test
    void aStreamingResponseFlushesEveryFullBufferSoTheConnectionCanDrain() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("GET", "/stream"), "");
        Exchange exchange = deferred.last();
        exchange.response().body().write(new byte[ListenerSettings.DEFAULT_RESPONSE_BUFFER_SIZE * 3]);
        connection.channel.runPendingTasks();
        // Written but never flushed, the records would sit in the outbound buffer and keep it unwritable.
        assertThat(connection.channel.unsafe().outboundBuffer().totalPendingWriteBytes()).isZero();
        assertThat(connection.channel.outboundMessages()).hasSize(3);
        exchange.complete();
        assertThat(client.read(connection).finished(1).body()).hasSize(ListenerSettings.DEFAULT_RESPONSE_BUFFER_SIZE * 3);
    }

    /**
     * A handler thread completing a response on a connection whose outbound buffer is over its high
     * water mark: returned once it waits for the connection to drain.
     */
    private Thread writerWaitingForTheConnection() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("GET", "/"), "");
        Exchange exchange = deferred.last();
        exchange.response().body().write("unsent".getBytes(StandardCharsets.UTF_8));
        connection.channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        connection.channel.write(Unpooled.buffer().writeZero(64));
        assertThat(connection.channel.isWritable()).isFalse();
        connection.callerIsEventLoop = false;
        Thread worker = new Thread(exchange::complete, "handler");
        worker.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (worker.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        // WAITING, not TIMED_WAITING: it is woken when something changes, never polls.
        assertThat(worker.getState()).as("waiting for the connection to drain").isEqualTo(Thread.State.WAITING);
        return worker;
    }

    @Test
    void answersFinishedBeforeTheEventLoopDrainsLeaveInOnePassWithOneFlush() throws IOException {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("GET", "/"), "");
        web.request(2, true, WebServer.params("GET", "/"), "");
        int executesBefore = connection.executes;
        int flushesBefore = connection.flushes;
        connection.callerIsEventLoop = false; // the handler threads' side of the outbound queue
        deferred.exchanges.get(0).response().body().write("one".getBytes(StandardCharsets.UTF_8));
        deferred.exchanges.get(0).complete();
        deferred.exchanges.get(1).response().body().write("two".getBytes(StandardCharsets.UTF_8));
        deferred.exchanges.get(1).complete();
        connection.callerIsEventLoop = true;

        assertThat(connection.executes - executesBefore).as("drain tasks handed to the event loop").isEqualTo(1);
        connection.channel.runPendingTasks();
        assertThat(connection.flushes - flushesBefore).as("flushes").isEqualTo(1);
        ClientView answers = client.read(connection);
        assertThat(answers.finished(1).body()).isEqualTo("one");
        assertThat(answers.finished(2).body()).isEqualTo("two");
    }

    @Test
    void aHandlerWritesItsLastBufferItselfWithoutATaskAndTheEventLoopEndsTheRequestWhenItNextLooks() throws IOException {
        connection.takesCallerWrites = true;
        Targets.Deferred deferred = mountDeferred();
        web.request(1, true, WebServer.params("GET", "/a"), "");
        int executesBefore = connection.executes;
        connection.callerIsEventLoop = false;
        deferred.last().response().body().write("one".getBytes(StandardCharsets.UTF_8));
        deferred.last().complete();
        connection.callerIsEventLoop = true;

        assertThat(connection.callerWrites).isEqualTo(1);
        assertThat(connection.executes - executesBefore).as("tasks handed to the event loop").isZero();
        assertThat(stats.completed.sum()).as("counted as it was written").isEqualTo(1);
        assertThat(stats.writtenByHandlers.sum()).as("counted as written by its handler").isEqualTo(1);
        assertThat(client.read(connection).finished(1).body()).isEqualTo("one");
        assertThat(session.inFlight()).as("not yet looked at by the event loop").isEqualTo(1);

        web.request(1, true, WebServer.params("GET", "/b"), ""); // the same id: the first request ended before it
        assertThat(((FcgiExchange) deferred.last()).params).isSameAs(((FcgiExchange) deferred.exchanges.get(0)).params);
        assertThat(session.inFlight()).isEqualTo(1);
        deferred.last().complete();
        connection.channel.runPendingTasks(); // completed on the event loop: through the outbound queue's drain
        assertThat(session.isIdle()).isTrue();
        assertThat(connection.channel.isOpen()).isTrue();
    }

    @Test
    void aHandlerFallingBackToTheQueueOnAConnectionClosedMeanwhileReleasesWhatOthersQueuedBehindIt() {
        Targets.Deferred deferred = mountDeferred();
        web.request(1, true, WebServer.params("GET", "/a"), "");
        web.request(2, true, WebServer.params("GET", "/b"), "");
        FcgiExchange second = (FcgiExchange) deferred.exchanges.get(1);
        connection.callerIsEventLoop = false;
        connection.onCallerWriteRefused = () -> {
            second.complete(); // another handler queues its answer behind the drain the first one holds
            session.onClose(); // and the connection goes meanwhile
        };
        deferred.exchanges.get(0).complete(); // takes the drain; the connection refuses its own write
        connection.callerIsEventLoop = true;

        ByteBuf left = second.takeQueuedEnd();
        if (left != null) {
            left.release();
        }
        assertThat(left).as("released by the handler that held the drain").isNull();
    }

    @Test
    void aRequestWhoseStdinHasNotEndedOrWhoseConnectionClosesAfterItEndsThroughTheEventLoop() throws IOException {
        connection.takesCallerWrites = true;
        Targets.Deferred deferred = mountDeferred();
        web.begin(1, true);
        web.params(1, WebServer.params("POST", "/upload", "CONTENT_LENGTH", "4"));
        connection.callerIsEventLoop = false;
        deferred.last().complete(); // its STDIN still comes: END_REQUEST waits for it on the event loop
        connection.callerIsEventLoop = true;
        connection.channel.runPendingTasks();
        web.stdin(1, "body");
        web.stdinEnd(1);
        assertThat(client.read(connection).ended).hasSize(1);

        web.request(2, false, WebServer.params("GET", "/last"), "");
        connection.callerIsEventLoop = false;
        deferred.last().complete(); // no keep-conn: the event loop closes the connection after it
        connection.callerIsEventLoop = true;
        connection.channel.runPendingTasks();
        assertThat(connection.callerWrites).isZero();
        assertThat(stats.writtenByHandlers.sum()).isZero();
        assertThat(client.read(connection).ended).hasSize(2);
        assertThat(connection.channel.isOpen()).isFalse();
    }

    @Test
    void aHandlerInterruptedWhileWaitingForTheConnectionToDrainReleasesWhatItWasSending() throws Exception {
        io.fastpool.testkit.NettyLeaks.assertNoLeaks(); // nothing leaked before: what follows is this test's
        Thread worker = writerWaitingForTheConnection();
        worker.interrupt();
        worker.join(5000);
        assertThat(worker.isAlive()).isFalse();
        connection.callerIsEventLoop = true;
        // The response buffer it was about to send is released, not dropped.
        io.fastpool.testkit.NettyLeaks.assertNoLeaks();
    }

    @Test
    void aWriterWaitingForAConnectionThatIsGoneIsReleasedAtOnce() throws Exception {
        Thread worker = writerWaitingForTheConnection();
        // The connection goes without the session being told (as a lost close would).
        connection.channel.close();
        worker.join(2_000);
        assertThat(worker.isAlive()).as("the writer stopped waiting for a connection that is gone").isFalse();
        connection.callerIsEventLoop = true;
    }

    @Test
    void anAbortWakesAWriterWaitingForTheConnectionAtOnceAndFailsItsWrite() throws Exception {
        Thread worker = writerWaitingForTheConnection();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        worker.setUncaughtExceptionHandler((thread, e) -> failure.set(e));
        web.abort(1);
        worker.join(5_000);
        assertThat(worker.isAlive()).as("the abort woke the writer").isFalse();
        assertThat(failure.get()).as("complete() swallows the aborted write").isNull();
        connection.callerIsEventLoop = true;
        connection.channel.runPendingTasks();
        ((io.netty.buffer.ByteBuf) connection.channel.readOutbound()).release(); // the bytes that filled the connection
        assertThat(client.read(connection).finished(1).records).containsExactly(FcgiRecordType.END_REQUEST);
    }

    /**
     * Invariant 8 with a writer waiting for the connection to drain when an abort comes: the event
     * loop cancels the request and writes its END_REQUEST without ever taking the response's monitor,
     * which the writer holds while it waits. The handler here keeps holding it after its write failed,
     * until the event loop is done, so an event loop waiting for it would show (it waited up to 100 ms
     * for the writer's next poll).
     */
    @Test
    void anEventLoopIsNotBlockedByAWriterWaitingForTheConnectionWhenTheRequestIsAborted() throws Exception {
        Targets.Deferred deferred = new Targets.Deferred();
        mount("/", deferred);
        web.request(1, true, WebServer.params("GET", "/"), "");
        Exchange exchange = deferred.last();
        exchange.response().body().write("unsent".getBytes(StandardCharsets.UTF_8));
        connection.channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        connection.channel.write(Unpooled.buffer().writeZero(64));
        connection.callerIsEventLoop = false;
        CountDownLatch eventLoopDone = new CountDownLatch(1);
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        AtomicBoolean heldUntilTheEventLoopWasDone = new AtomicBoolean();
        Thread handler = new Thread(() -> {
            synchronized (exchange.response()) {
                try {
                    exchange.response().body().flush(); // waits for the connection to drain
                } catch (IOException e) {
                    writeFailure.set(e);
                }
                try {
                    heldUntilTheEventLoopWasDone.set(eventLoopDone.await(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.complete();
        }, "handler");
        handler.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> handler.getState() == Thread.State.WAITING || handler.getState() == Thread.State.TIMED_WAITING);

        web.abort(1); // this thread plays the event loop
        connection.channel.runPendingTasks();
        eventLoopDone.countDown();
        handler.join(10_000);

        assertThat(heldUntilTheEventLoopWasDone).as("the event loop finished while the handler held its response").isTrue();
        assertThat(writeFailure.get()).isInstanceOf(RequestAbortedException.class);
        connection.callerIsEventLoop = true;
        ((io.netty.buffer.ByteBuf) connection.channel.readOutbound()).release(); // the bytes that filled the connection
        assertThat(client.read(connection).finished(1).records).containsExactly(FcgiRecordType.END_REQUEST);
    }

    @Test
    void oversizedParamsAreAnswered431AndTheConnectionLives() {
        restartWith(new ListenerSettings(FcgiLimits.DEFAULTS.withMaxValueLength(100), 8, 4096), TransportLimits.DEFAULTS);
        mount("/", hello("never"));
        web.request(1, true, WebServer.params("GET", "/", "HTTP_COOKIE", "c".repeat(101)), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.status()).isEqualTo("431 Request Header Fields Too Large");
        assertThat(connection.channel.isOpen()).isTrue();
        web.request(1, true, WebServer.params("GET", "/"), "");
        assertThat(client.read(connection).finished(1).body()).isEqualTo("never");
    }

    @Test
    void aPathEscapingTheRootIsAnswered400() {
        mount("/", hello("never"));
        web.request(1, true, WebServer.params("GET", "/a/../../etc/passwd"), "");
        web.request(2, true, WebServer.params("GET", "/a%2F..%2Fb"), "");
        client.read(connection);
        assertThat(client.finished(1).status()).isEqualTo("400 Bad Request");
        assertThat(client.finished(2).status()).isEqualTo("400 Bad Request");
    }

    @Test
    void aBrokenRecordClosesTheConnection() {
        web.feedRaw(Unpooled.wrappedBuffer(new byte[] {2, 5, 0, 1, 0, 0, 0, 0}));
        connection.channel.runPendingTasks();
        assertThat(connection.channel.isOpen()).isFalse();
        assertThat(stats.protocolErrors.sum()).isEqualTo(1);
    }

    @Test
    void aWebServerSendingStdoutIsAProtocolErrorThatClosesTheConnection() {
        web.feed(out -> FcgiEncoder.writeStream(out, FcgiRecordType.STDOUT, 1, Unpooled.wrappedBuffer(new byte[] {1})));
        assertThat(connection.channel.isOpen()).isFalse();
    }

    /** The connection stays open 999 ms from now, is closed 2 ms later, and one PARAMS time-out is counted. */
    private void assertOpenFor999MsThenCutOffForItsParams() {
        connection.channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        connection.channel.runScheduledPendingTasks();
        assertThat(connection.channel.isOpen()).as("open 999 ms on").isTrue();
        connection.channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        connection.channel.runScheduledPendingTasks();
        assertThat(connection.channel.isOpen()).as("open 1,001 ms on").isFalse();
        assertThat(stats.paramsTimeouts.sum()).isEqualTo(1);
    }

    @Test
    void aSenderTooSlowToFinishItsParamsIsCutOff() {
        restartWith(ListenerSettings.DEFAULTS.withRequestLimits(1_000, 1 << 20), new TransportLimits(100, 30_000, 60_000));
        web.begin(1, true);
        assertOpenFor999MsThenCutOffForItsParams();
    }

    @Test
    void requestsOneAfterAnotherShareOneTimerForTheirParamsTimeout() {
        restartWith(ListenerSettings.DEFAULTS.withRequestLimits(1_000, 1 << 20), new TransportLimits(100, 30_000, 60_000));
        mount("/", hello("fine"));
        int schedulesBefore = connection.schedules;
        for (int i = 0; i < 10; i++) {
            web.request(1, true, WebServer.params("GET", "/"), "");
            assertThat(client.read(connection).finished(1).body()).isEqualTo("fine");
        }
        assertThat(connection.schedules - schedulesBefore).as("timers scheduled").isEqualTo(1);

        // The timer fires with no request waiting for its PARAMS; the next request gets its own time-out all the same.
        connection.channel.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        connection.channel.runScheduledPendingTasks();
        assertThat(connection.channel.isOpen()).isTrue();
        web.begin(1, true);
        assertOpenFor999MsThenCutOffForItsParams();
    }

    @Test
    void aRequestStalledAfterAnEarlierOneIsCutOffAtItsOwnDeadlineNotTheTimersFirst() {
        restartWith(ListenerSettings.DEFAULTS.withRequestLimits(1_000, 1 << 20), new TransportLimits(100, 30_000, 60_000));
        mount("/", hello("fine"));
        web.request(1, true, WebServer.params("GET", "/"), ""); // at 0: the timer is set for 1,000 ms
        client.read(connection).finished(1);
        connection.channel.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        web.begin(2, true); // at 600: its PARAMS must end by 1,600

        assertOpenFor999MsThenCutOffForItsParams();
    }

    @Test
    void moreRequestsThanAllowedOnOneConnectionAreRefusedOverloaded() {
        restartWith(new ListenerSettings(FcgiLimits.DEFAULTS, 2, 4096), TransportLimits.DEFAULTS);
        mount("/", new Targets.Deferred());
        for (int id = 1; id <= 3; id++) {
            web.begin(id, true);
        }
        assertThat(client.read(connection).finished(3).endStatus).isEqualTo(FcgiProtocolStatus.OVERLOADED);
    }

    @Test
    void withMultiplexingOffASecondRequestIsRefusedCantMpxConn() {
        restartWith(new ListenerSettings(FcgiLimits.DEFAULTS, 1, 4096), TransportLimits.DEFAULTS);
        web.begin(1, true);
        web.begin(2, true);
        assertThat(client.read(connection).finished(2).endStatus).isEqualTo(FcgiProtocolStatus.CANT_MPX_CONN);
    }

    @Test
    void aBeginRequestForAnIdInFlightIsAProtocolError() {
        web.begin(1, true);
        web.begin(1, true);
        assertThat(connection.channel.isOpen()).isFalse();
    }

    @Test
    void headersWithLineBreaksAreRefusedSoTheyCannotSplitTheResponse() {
        List<Throwable> errors = new ArrayList<>();
        mount("/", Targets.inline((request, response) -> {
            try {
                response.setHeader("X-Evil", "a\r\nSet-Cookie: x=1");
            } catch (IllegalArgumentException e) {
                errors.add(e);
            }
        }));
        web.request(1, true, WebServer.params("GET", "/"), "");
        assertThat(errors).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("CR, LF"));
        assertThat(client.read(connection).finished(1).headers()).doesNotContain("Set-Cookie");
    }

    @Test
    void sendErrorWritesStatusAndReasonAndNeverAStackTrace() {
        mount("/", Targets.inline((request, response) -> {
            response.body().write("partial output".getBytes(StandardCharsets.UTF_8));
            response.sendError(503, "Try again later.");
        }));
        web.request(1, true, WebServer.params("GET", "/"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.status()).isEqualTo("503 Service Unavailable");
        assertThat(answer.body()).isEqualTo("503 Service Unavailable\nTry again later.\n");
    }

    @Test
    void resetBufferDropsTheUnsentBodyAndKeepsTheResponseOpenUntilItCommits() {
        AtomicReference<Integer> bufferSize = new AtomicReference<>();
        AtomicReference<Throwable> afterCommit = new AtomicReference<>();
        mount("/", Targets.inline((request, response) -> {
            bufferSize.set(response.bufferSize());
            response.body().write("dropped".getBytes(StandardCharsets.UTF_8));
            response.resetBuffer();
            response.setStatus(202);
            response.body().write("kept".getBytes(StandardCharsets.UTF_8));
            response.body().flush();
            try {
                response.resetBuffer();
            } catch (IllegalStateException e) {
                afterCommit.set(e);
            }
        }));
        web.request(1, true, WebServer.params("GET", "/"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(bufferSize.get()).isEqualTo(settings.responseBufferSize());
        assertThat(answer.status()).isEqualTo("202 Accepted");
        assertThat(answer.body()).isEqualTo("kept");
        assertThat(afterCommit.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("committed");
    }

    @Test
    void aTargetThatThrowsWhenGivenARequestIsAnswered500() {
        mount("/", exchange -> {
            throw new IllegalStateException("boom");
        });
        web.request(1, true, WebServer.params("GET", "/"), "");
        ClientView.Answer answer = client.read(connection).finished(1);
        assertThat(answer.status()).isEqualTo("500 Internal Server Error");
        assertThat(answer.body()).doesNotContain("boom").doesNotContain("Exception");
    }

    @Test
    void bodyBuffersOfAnUnreadBodyAreReleasedWhenTheRequestEnds() {
        mount("/", hello("ignored the body"));
        web.begin(1, true);
        web.params(1, WebServer.params("POST", "/", "CONTENT_LENGTH", "100000"));
        for (int i = 0; i < 10; i++) {
            web.stdin(1, "y".repeat(10_000));
        }
        web.stdinEnd(1);
        client.read(connection);
        assertThat(client.finished(1).body()).isEqualTo("ignored the body");
        // Leaked buffers would fail this class (testkit's leak check runs after it).
        assertThat(session.isIdle()).isTrue();
    }
}
