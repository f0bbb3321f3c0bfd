/*
 * floor-responder: the cheapest FastCGI responder this machine can run, the floor that bench/floor
 * measures Fastpool against (issue 18). One thread, one epoll loop, level-triggered, on a unix
 * socket. Every request (BEGIN_REQUEST, PARAMS, STDIN) gets the same answer once its empty STDIN
 * arrives: STDOUT with "Hello, world!" and the CGI headers Fastpool's hello sample sends, the empty
 * STDOUT, END_REQUEST, in one write. PARAMS are skipped unread, request bodies too; keep-conn is
 * honoured (without it the connection closes after the answer). Nothing else is done, so any
 * server's CPU per request above this one's is the cost of its own work.
 *
 * Build and run (bench/floor does both):
 *   cc -O2 -o floor-responder bench/floor-responder.c
 *   ./floor-responder /tmp/floor.sock
 *
 * A FastCGI record (FastCGI 1.0, section 3.3):
 *
 *   +---------+------+-------------+-----------------+---------+----------+---------+---------+
 *   | version | type | requestId   | contentLength   | padding | reserved | content | padding |
 *   |  1 byte | 1    | 2 (big end.)| 2 (big endian)  | 1       | 1        | ...     | ...     |
 *   +---------+------+-------------+-----------------+---------+----------+---------+---------+
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { BEGIN_REQUEST = 1, ABORT_REQUEST = 2, END_REQUEST = 3, STDIN = 5, STDOUT = 6 };
enum { HEADER = 8, KEEP_CONN = 1, MAX_EVENTS = 256 };
/* One whole record fits: header, 65535 content bytes, 255 padding bytes. */
enum { IN_CAPACITY = HEADER + 65535 + 255 };

static const char BODY[] = "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

struct connection {
    int fd;
    int keep_conn;
    size_t in_length;
    unsigned char in[IN_CAPACITY];
    size_t out_length, out_sent, out_capacity;
    unsigned char *out;
};

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void put_header(unsigned char *at, int type, int id, int length) {
    at[0] = 1;
    at[1] = (unsigned char) type;
    at[2] = (unsigned char) (id >> 8);
    at[3] = (unsigned char) id;
    at[4] = (unsigned char) (length >> 8);
    at[5] = (unsigned char) length;
    at[6] = 0;
    at[7] = 0;
}

/* Appends the whole answer to request id: STDOUT with the body, the empty STDOUT, END_REQUEST. */
static void answer(struct connection *c, int id) {
    size_t body = sizeof BODY - 1, need = HEADER + body + HEADER + HEADER + 8;
    if (c->out_length + need > c->out_capacity) {
        size_t capacity = c->out_capacity ? c->out_capacity * 2 : 4096;
        while (capacity < c->out_length + need) {
            capacity *= 2;
        }
        c->out = realloc(c->out, capacity);
        if (!c->out) {
            die("realloc");
        }
        c->out_capacity = capacity;
    }
    unsigned char *at = c->out + c->out_length;
    put_header(at, STDOUT, id, (int) body);
    memcpy(at + HEADER, BODY, body);
    at += HEADER + body;
    put_header(at, STDOUT, id, 0);
    at += HEADER;
    put_header(at, END_REQUEST, id, 8);
    memset(at + HEADER, 0, 8); /* appStatus 0, FCGI_REQUEST_COMPLETE */
    c->out_length += need;
}

static void close_connection(int epoll, struct connection *c) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->out);
    free(c);
}

/* Writes what is pending; returns 0 when all is written, 1 when the socket is full, -1 on error. */
static int flush(struct connection *c) {
    while (c->out_sent < c->out_length) {
        ssize_t n = write(c->fd, c->out + c->out_sent, c->out_length - c->out_sent);
        if (n < 0) {
            return errno == EAGAIN ? 1 : -1;
        }
        c->out_sent += (size_t) n;
    }
    c->out_sent = c->out_length = 0;
    return 0;
}

/* Handles the whole records read so far; returns 1 when the connection is to close after writing. */
static int handle_records(struct connection *c) {
    size_t at = 0;
    int close_after = 0;
    while (c->in_length - at >= HEADER) {
        unsigned char *r = c->in + at;
        size_t length = ((size_t) r[4] << 8 | r[5]) + r[6];
        if (c->in_length - at < HEADER + length) {
            break;
        }
        int id = r[2] << 8 | r[3];
        int content = r[4] << 8 | r[5];
        if (r[1] == BEGIN_REQUEST && content >= 3) {
            c->keep_conn = r[HEADER + 2] & KEEP_CONN;
        } else if (r[1] == STDIN && content == 0) {
            answer(c, id);
            close_after |= !c->keep_conn;
        } else if (r[1] == ABORT_REQUEST) {
            answer(c, id);
        }
        at += HEADER + length;
    }
    memmove(c->in, c->in + at, c->in_length - at);
    c->in_length -= at;
    return close_after;
}

static void on_readable(int epoll, struct connection *c) {
    ssize_t n = read(c->fd, c->in + c->in_length, IN_CAPACITY - c->in_length);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        close_connection(epoll, c);
        return;
    }
    c->in_length += (size_t) n;
    int close_after = handle_records(c);
    int flushed = flush(c);
    if (flushed < 0 || (close_after && flushed == 0)) {
        close_connection(epoll, c);
    } else if (flushed == 1) {
        struct epoll_event event = {.events = EPOLLOUT, .data.ptr = c};
        epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
        c->keep_conn &= !close_after;
    }
}

static void on_writable(int epoll, struct connection *c) {
    int flushed = flush(c);
    if (flushed < 0 || (flushed == 0 && !c->keep_conn)) {
        close_connection(epoll, c);
    } else if (flushed == 0) {
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
        return 2;
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof address.sun_path) {
        fprintf(stderr, "floor-responder: socket path longer than %zu bytes: %s\n", sizeof address.sun_path - 1, argv[1]);
        return 2;
    }
    strcpy(address.sun_path, argv[1]);
    signal(SIGPIPE, SIG_IGN);
    unlink(argv[1]);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0) {
        die("socket");
    }
    if (bind(listener, (struct sockaddr *) &address, sizeof address) < 0) {
        die("bind");
    }
    chmod(argv[1], 0666); /* nginx's workers may run as another user */
    if (listen(listener, 511) < 0) {
        die("listen");
    }
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) < 0) {
        die("epoll");
    }
    fprintf(stderr, "floor-responder: listening on %s\n", argv[1]);
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int ready = epoll_wait(epoll, events, MAX_EVENTS, -1);
        if (ready < 0 && errno != EINTR) {
            die("epoll_wait");
        }
        for (int i = 0; i < ready; i++) {
            struct connection *c = events[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    c = calloc(1, sizeof *c);
                    if (!c) {
                        die("calloc");
                    }
                    c->fd = fd;
                    struct epoll_event added = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &added);
                }
            } else if (events[i].events & EPOLLOUT) {
                on_writable(epoll, c);
            } else {
                on_readable(epoll, c);
            }
        }
    }
}
