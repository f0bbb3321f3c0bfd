/*
 * floor-responder: the cheapest FastCGI responder this machine can run, the floor that bench/floor
 * measures Fastpool against (issue 18). One thread, one epoll loop, level-triggered, on a unix
 * socket. Every request (BEGIN_REQUEST, PARAMS, STDIN) gets the same answer once its empty STDIN
 * arrives: STDOUT with "Hello, world!" and the CGI headers Fastpool's hello sample sends, the empty
 * STDOUT, END_REQUEST, in one write. PARAMS are skipped unread, request bodies too; keep-conn is
 * honoured (without it the connection closes after the answer). Nothing else is done, so any
 * server's CPU per request above this one's is the cost of its own work.
 *
 * With --workers N it is the hand-off floor instead: the epoll thread still reads and splits the
 * records, but hands each request to one of N worker threads (a mutex-guarded queue and a condition
 * variable, an idle worker woken only when none is already on its way, and the woken one waking the
 * next if more are queued), and the worker writes the answer to the socket itself. That is the
 * least a server pays that never runs a request on the thread that reads it, as Fastpool's pools
 * never do: the same answer, plus one hand-off between threads.
 *
 * Build and run (bench/floor does both):
 *   cc -O2 -pthread -o floor-responder bench/floor-responder.c
 *   ./floor-responder /tmp/floor.sock
 *   ./floor-responder --workers 4 /tmp/handoff.sock
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
#include <poll.h>
#include <pthread.h>
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
    /* Hand-off mode: the epoll thread's reference and one per request handed to a worker. */
    int refs;
    pthread_mutex_t write_lock;
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

enum { ANSWER_LENGTH = HEADER + (sizeof BODY - 1) + HEADER + HEADER + 8 };

/* Writes the whole answer to request id at `at`: STDOUT with the body, the empty STDOUT, END_REQUEST. */
static void put_answer(unsigned char *at, int id) {
    size_t body = sizeof BODY - 1;
    put_header(at, STDOUT, id, (int) body);
    memcpy(at + HEADER, BODY, body);
    at += HEADER + body;
    put_header(at, STDOUT, id, 0);
    at += HEADER;
    put_header(at, END_REQUEST, id, 8);
    memset(at + HEADER, 0, 8); /* appStatus 0, FCGI_REQUEST_COMPLETE */
}

/* Appends the whole answer to request id to the connection's pending output. */
static void answer(struct connection *c, int id) {
    size_t need = ANSWER_LENGTH;
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
    put_answer(c->out + c->out_length, id);
    c->out_length += need;
}

/* The next whole record read on c at *at, or NULL when the rest is not a whole record yet; *at moves past it. */
static unsigned char *next_record(struct connection *c, size_t *at) {
    if (c->in_length - *at < HEADER) {
        return NULL;
    }
    unsigned char *r = c->in + *at;
    size_t length = ((size_t) r[4] << 8 | r[5]) + r[6];
    if (c->in_length - *at < HEADER + length) {
        return NULL;
    }
    *at += HEADER + length;
    return r;
}

static int record_id(const unsigned char *r) {
    return r[2] << 8 | r[3];
}

static int record_content(const unsigned char *r) {
    return r[4] << 8 | r[5];
}

/* Drops the first `handled` bytes read on c: the records handled. */
static void drop_handled(struct connection *c, size_t handled) {
    memmove(c->in, c->in + handled, c->in_length - handled);
    c->in_length -= handled;
}

/* ---- hand-off mode: the epoll thread queues requests, workers answer them ---------------------- */

struct job {
    struct connection *c;
    int id;
    int close_after;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t work_arrived;
    struct job *jobs; /* a ring of `capacity` jobs, `length` of them from `head` */
    size_t head, length, capacity;
    int idle;   /* workers waiting for work */
    int waking; /* workers signalled and not yet out of their wait: while one is, no other is woken */
} handoff = {.lock = PTHREAD_MUTEX_INITIALIZER, .work_arrived = PTHREAD_COND_INITIALIZER};

static int workers; /* 0: the one-thread floor */

static void release(struct connection *c) {
    if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        close(c->fd);
        pthread_mutex_destroy(&c->write_lock);
        free(c->out);
        free(c);
    }
}

/* Wakes an idle worker unless one is already on its way. Lock held. */
static void wake_one(void) {
    if (handoff.idle > 0 && handoff.waking == 0) {
        handoff.waking++;
        pthread_cond_signal(&handoff.work_arrived);
    }
}

/* Queues a request for the workers. Lock held. */
static void push(struct connection *c, int id, int close_after) {
    if (handoff.length == handoff.capacity) {
        size_t capacity = handoff.capacity ? handoff.capacity * 2 : 256;
        struct job *jobs = malloc(capacity * sizeof *jobs);
        if (!jobs) {
            die("malloc");
        }
        for (size_t i = 0; i < handoff.length; i++) {
            jobs[i] = handoff.jobs[(handoff.head + i) % handoff.capacity];
        }
        free(handoff.jobs);
        handoff.jobs = jobs;
        handoff.head = 0;
        handoff.capacity = capacity;
    }
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
    handoff.jobs[(handoff.head + handoff.length++) % handoff.capacity] = (struct job) {c, id, close_after};
}

/* Writes all of `length` bytes from a worker, waiting while the socket is full; 0, or -1 on error. */
static int write_fully(int fd, const unsigned char *at, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, at, length);
        if (n < 0) {
            if (errno != EAGAIN) {
                return -1;
            }
            struct pollfd writable = {.fd = fd, .events = POLLOUT};
            poll(&writable, 1, -1);
            continue;
        }
        at += n;
        length -= (size_t) n;
    }
    return 0;
}

static void *work(void *unused) {
    (void) unused;
    unsigned char out[ANSWER_LENGTH];
    pthread_mutex_lock(&handoff.lock);
    for (;;) {
        while (handoff.length == 0) {
            handoff.idle++;
            pthread_cond_wait(&handoff.work_arrived, &handoff.lock);
            handoff.idle--;
            if (handoff.waking > 0) {
                handoff.waking--;
            }
        }
        struct job job = handoff.jobs[handoff.head];
        handoff.head = (handoff.head + 1) % handoff.capacity;
        handoff.length--;
        if (handoff.length > 0) {
            wake_one(); /* more is waiting: the next idle worker */
        }
        pthread_mutex_unlock(&handoff.lock);

        put_answer(out, job.id);
        pthread_mutex_lock(&job.c->write_lock);
        int failed = write_fully(job.c->fd, out, sizeof out);
        pthread_mutex_unlock(&job.c->write_lock);
        if (failed || job.close_after) {
            shutdown(job.c->fd, SHUT_RDWR); /* the epoll thread sees the end and lets go */
        }
        release(job.c);

        pthread_mutex_lock(&handoff.lock);
    }
    return NULL;
}

/* Hand-off mode: queues the whole requests read so far for the workers. */
static void hand_off_records(struct connection *c) {
    size_t at = 0;
    int queued = 0;
    unsigned char *r;
    pthread_mutex_lock(&handoff.lock);
    while ((r = next_record(c, &at)) != NULL) {
        int content = record_content(r);
        if (r[1] == BEGIN_REQUEST && content >= 3) {
            c->keep_conn = r[HEADER + 2] & KEEP_CONN;
        } else if ((r[1] == STDIN && content == 0) || r[1] == ABORT_REQUEST) {
            push(c, record_id(r), !c->keep_conn);
            queued = 1;
        }
    }
    if (queued) {
        wake_one();
    }
    pthread_mutex_unlock(&handoff.lock);
    drop_handled(c, at);
}

static void close_connection(int epoll, struct connection *c) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, c->fd, NULL);
    release(c); /* closed once no worker still answers on it */
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
    unsigned char *r;
    while ((r = next_record(c, &at)) != NULL) {
        int content = record_content(r);
        if (r[1] == BEGIN_REQUEST && content >= 3) {
            c->keep_conn = r[HEADER + 2] & KEEP_CONN;
        } else if (r[1] == STDIN && content == 0) {
            answer(c, record_id(r));
            close_after |= !c->keep_conn;
        } else if (r[1] == ABORT_REQUEST) {
            answer(c, record_id(r));
        }
    }
    drop_handled(c, at);
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
    if (workers > 0) {
        hand_off_records(c);
        return;
    }
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
    if (argc == 4 && strcmp(argv[1], "--workers") == 0) {
        char *end;
        long n = strtol(argv[2], &end, 10);
        if (*end != 0 || n < 1 || n > 1024) {
            fprintf(stderr, "floor-responder: --workers takes 1 to 1024, not %s\n", argv[2]);
            return 2;
        }
        workers = (int) n;
        argv += 2;
        argc -= 2;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: %s [--workers N] SOCKET_PATH\n", argv[0]);
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
    for (int i = 0; i < workers; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, work, NULL) != 0) {
            die("pthread_create");
        }
    }
    if (workers > 0) {
        fprintf(stderr, "floor-responder: listening on %s, %d workers\n", argv[1], workers);
    } else {
        fprintf(stderr, "floor-responder: listening on %s\n", argv[1]);
    }
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
                    c->refs = 1;
                    pthread_mutex_init(&c->write_lock, NULL);
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
