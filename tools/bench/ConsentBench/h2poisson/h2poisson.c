/*
 * h2poisson: an open-loop load generator for gRPC unary calls over HTTP/2 without TLS (h2c, prior knowledge).
 *
 * One process, one thread, one epoll loop over N connections, with the HTTP/2 protocol done by libnghttp2 (the library
 * h2load is built on). Arrivals are one Poisson process at the total rate; each arrival goes to a connection chosen
 * at random, so each connection sees its own independent Poisson process at rate/N. Arrivals are timed with a
 * timerfd with the thread's timer slack set to 1 ns, so a gap of 200 us is kept, not rounded to epoll's milliseconds.
 *
 * Why not h2load: it replays one timing script per process, so independent arrivals on 32 connections take 32
 * processes. Their timer and socket wake-ups then queue behind each other on the generator's CPU, and that waiting
 * is inside the latency they report.
 *
 * For every call it keeps three instants: when it was due (the arrival), when its HEADERS frame went to the socket,
 * and when its stream closed. A call counts as answered only with :status 200, grpc-status 0 and a response message.
 *
 * Usage: h2poisson [--busy-poll] HOST PORT PATH TOKEN_FILE CONNECTIONS RATE SECONDS SEED LOG_FILE BODY_FILE [BODY_FILE...]
 *   Bodies are gRPC-framed request messages, used in turn by connection (connection i sends body i % count).
 *   LOG_FILE gets one line per call: due (us from start), sent - due (us), latency from sent (us),
 *   latency from due (us), connection, 1 if answered else 0; -1 for a time it never reached. "-" writes no log.
 * --busy-poll: the loop polls its sockets and the clock without sleeping, so it needs a CPU of its own. On a VM whose
 *   idle vCPUs halt, waking a halted vCPU takes a tenth of a millisecond typically and milliseconds at worst; a
 *   generator that sleeps between arrivals pays that for each arrival and each answer, and reports it as latency.
 * Prints a summary (see print_summary) and exits 0 if every call was answered, 1 otherwise, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int64_t due, sent, done; /* ns, CLOCK_MONOTONIC */
    int conn;
    int status, grpc_status, data_bytes;
    int closed, answered;
    size_t body_offset;
} call_t;

typedef struct {
    int fd, index;
    nghttp2_session *session;
    const uint8_t *body;
    size_t body_len;
    int settings_seen, want_out, dead;
} conn_t;

static call_t *calls;
static size_t ncalls, maxcalls;
static conn_t *conns;
static int epfd;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "h2poisson: %s: %s\n", what, strerror(errno));
    exit(2);
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) die(path);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* xorshift64* : a small, seedable generator, so a run's arrivals can be repeated exactly. */
static uint64_t rng_state;
static double uniform01(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void update_events(conn_t *c) {
    struct epoll_event ev = {.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0), .data.u32 = (uint32_t)c->index};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void fail_connection(conn_t *c, const char *why) {
    if (c->dead) return;
    fprintf(stderr, "h2poisson: connection %d: %s\n", c->index, why);
    c->dead = 1;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    /* its calls still open will never be answered: count them as failed now rather than waiting out the drain */
    int64_t t = now_ns();
    for (size_t i = 0; i < ncalls; i++)
        if (calls[i].conn == c->index && !calls[i].closed) { calls[i].closed = 1; calls[i].done = t; }
}

static void flush(conn_t *c) {
    if (c->dead) return;
    int rv = nghttp2_session_send(c->session);
    if (rv != 0) fail_connection(c, nghttp2_strerror(rv));
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *user) {
    (void)s; (void)flags;
    conn_t *c = user;
    ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!c->want_out) { c->want_out = 1; update_events(c); }
            return NGHTTP2_ERR_WOULDBLOCK;
        }
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return n;
}

static int frame_send_cb(nghttp2_session *s, const nghttp2_frame *frame, void *user) {
    (void)user;
    if (frame->hd.type == NGHTTP2_HEADERS) {
        call_t *call = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
        if (call) call->sent = now_ns();
    }
    return 0;
}

static int frame_recv_cb(nghttp2_session *s, const nghttp2_frame *frame, void *user) {
    (void)s;
    conn_t *c = user;
    if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) c->settings_seen = 1;
    return 0;
}

static int header_cb(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user) {
    (void)flags; (void)user;
    call_t *call = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (!call) return 0;
    if (namelen == 7 && memcmp(name, ":status", 7) == 0) call->status = atoi((const char *)value);
    else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
        char digits[16];
        size_t n = valuelen < sizeof digits - 1 ? valuelen : sizeof digits - 1;
        memcpy(digits, value, n);
        digits[n] = 0;
        call->grpc_status = atoi(digits);
    }
    return 0;
}

static int data_cb(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len, void *user) {
    (void)flags; (void)data; (void)user;
    call_t *call = nghttp2_session_get_stream_user_data(s, stream_id);
    if (call) call->data_bytes += (int)len;
    return 0;
}

static int stream_close_cb(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user) {
    (void)user;
    call_t *call = nghttp2_session_get_stream_user_data(s, stream_id);
    if (!call || call->closed) return 0;
    call->closed = 1;
    call->done = now_ns();
    /* a gRPC response message is a 5-byte prefix and the message; CheckUse's reply is never empty */
    call->answered = error_code == 0 && call->status == 200 && call->grpc_status == 0 && call->data_bytes > 5;
    return 0;
}

static ssize_t body_cb(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length, uint32_t *data_flags,
                       nghttp2_data_source *source, void *user) {
    (void)s; (void)stream_id; (void)user;
    call_t *call = source->ptr;
    conn_t *c = &conns[call->conn];
    size_t left = c->body_len - call->body_offset;
    size_t n = left < length ? left : length;
    memcpy(buf, c->body + call->body_offset, n);
    call->body_offset += n;
    if (call->body_offset == c->body_len) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return (ssize_t)n;
}

static void on_readable(conn_t *c) {
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            ssize_t used = nghttp2_session_mem_recv(c->session, buf, (size_t)n);
            if (used < 0) { fail_connection(c, nghttp2_strerror((int)used)); return; }
            if ((size_t)n < sizeof buf) break;
        } else if (n == 0) { fail_connection(c, "closed by the server"); return; }
        else if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        else if (errno != EINTR) { fail_connection(c, strerror(errno)); return; }
    }
    flush(c);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void print_percentiles(const char *label, int64_t *v, size_t n) {
    if (n == 0) { printf("%s none\n", label); return; }
    qsort(v, n, sizeof *v, cmp_i64);
    double q[] = {0.5, 0.9, 0.95, 0.99, 0.999};
    printf("%s", label);
    const char *names[] = {"p50", "p90", "p95", "p99", "p99.9"};
    for (int i = 0; i < 5; i++) {
        size_t k = (size_t)ceil(q[i] * (double)n);
        if (k > 0) k--;
        printf(" %s %.1f", names[i], v[k] / 1000.0);
    }
    printf(" max %.1f us\n", v[n - 1] / 1000.0);
}

int main(int argc, char **argv) {
    int busy_poll = argc > 1 && strcmp(argv[1], "--busy-poll") == 0;
    if (busy_poll) { argv++; argc--; }
    if (argc < 11) {
        fprintf(stderr, "usage: h2poisson [--busy-poll] HOST PORT PATH TOKEN_FILE CONNECTIONS RATE SECONDS SEED LOG_FILE BODY_FILE...\n");
        return 2;
    }
    const char *host = argv[1], *path = argv[3], *log_path = argv[9];
    int port = atoi(argv[2]), nconn = atoi(argv[5]);
    double rate = atof(argv[6]), seconds = atof(argv[7]);
    rng_state = strtoull(argv[8], NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
    if (port <= 0 || nconn <= 0 || rate <= 0 || seconds <= 0) { fprintf(stderr, "h2poisson: bad numbers\n"); return 2; }
    prctl(PR_SET_TIMERSLACK, 1UL); /* arrivals fire when due, not up to 50 us later (the default slack) */
    size_t token_len;
    uint8_t *token = read_file(argv[4], &token_len);
    while (token_len > 0 && (token[token_len - 1] == '\n' || token[token_len - 1] == '\r')) token_len--;
    char *bearer = malloc(token_len + 8);
    memcpy(bearer, "Bearer ", 7);
    memcpy(bearer + 7, token, token_len);
    size_t bearer_len = token_len + 7;
    int nbodies = argc - 10;
    uint8_t **bodies = calloc((size_t)nbodies, sizeof *bodies);
    size_t *body_lens = calloc((size_t)nbodies, sizeof *body_lens);
    for (int i = 0; i < nbodies; i++) bodies[i] = read_file(argv[10 + i], &body_lens[i]);
    char authority[300];
    snprintf(authority, sizeof authority, "%s:%d", host, port);

    maxcalls = (size_t)(rate * seconds * 1.5) + 1000;
    calls = calloc(maxcalls, sizeof *calls);
    conns = calloc((size_t)nconn, sizeof *conns);
    epfd = epoll_create1(0);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (epfd < 0 || tfd < 0 || !calls || !conns) die("set-up");
    struct epoll_event tev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev);

    nghttp2_session_callbacks *cbs;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_send_callback(cbs, send_cb);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, frame_send_cb);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, frame_recv_cb);
    nghttp2_session_callbacks_set_on_header_callback(cbs, header_cb);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, data_cb);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, stream_close_cb);

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { fprintf(stderr, "h2poisson: HOST must be an IPv4 address\n"); return 2; }
    for (int i = 0; i < nconn; i++) {
        conn_t *c = &conns[i];
        c->index = i;
        c->body = bodies[i % nbodies];
        c->body_len = body_lens[i % nbodies];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
        nghttp2_session_client_new(&c->session, cbs, c);
        nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}, {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
        nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, 2);
        flush(c);
    }

    struct epoll_event events[64];
    /* the connections' SETTINGS exchange is not part of the measurement */
    int64_t give_up = now_ns() + 10000000000LL;
    for (;;) {
        int ready = 1;
        for (int i = 0; i < nconn; i++) {
            if (conns[i].dead) { fprintf(stderr, "h2poisson: a connection failed during set-up\n"); return 1; }
            ready &= conns[i].settings_seen;
        }
        if (ready) break;
        if (now_ns() > give_up) { fprintf(stderr, "h2poisson: no SETTINGS from the server within 10 s\n"); return 1; }
        int n = epoll_wait(epfd, events, 64, 100);
        for (int k = 0; k < n; k++) {
            uint32_t id = events[k].data.u32;
            if (id == UINT32_MAX) continue;
            if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(&conns[id]);
        }
    }

    nghttp2_nv nva[] = {
        {(uint8_t *)":method", (uint8_t *)"POST", 7, 4, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":path", (uint8_t *)path, 5, strlen(path), NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":authority", (uint8_t *)authority, 10, strlen(authority), NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)"te", (uint8_t *)"trailers", 2, 8, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)"authorization", (uint8_t *)bearer, 13, bearer_len, NGHTTP2_NV_FLAG_NONE},
    };
    const size_t nnv = sizeof nva / sizeof nva[0];

    const int64_t start = now_ns();
    const int64_t end = start + (int64_t)(seconds * 1e9);
    double next = (double)start;
    next += -log(1.0 - uniform01()) / rate * 1e9;
    int scheduling = 1;
    int64_t drain_deadline = 0;
    uint8_t *touched = calloc((size_t)nconn, 1);
    for (;;) {
        int64_t t = now_ns();
        if (scheduling) {
            memset(touched, 0, (size_t)nconn);
            while ((int64_t)next <= t && (int64_t)next < end && ncalls < maxcalls) {
                call_t *call = &calls[ncalls];
                call->due = (int64_t)next;
                call->conn = (int)(uniform01() * nconn);
                if (call->conn >= nconn) call->conn = nconn - 1;
                call->status = call->grpc_status = -1;
                conn_t *c = &conns[call->conn];
                if (c->dead) { call->closed = 1; call->done = t; }
                else {
                    nghttp2_data_provider prd = {.source.ptr = call, .read_callback = body_cb};
                    int32_t id = nghttp2_submit_request(c->session, NULL, nva, nnv, &prd, call);
                    if (id < 0) { call->closed = 1; call->done = t; }
                    else touched[call->conn] = 1;
                }
                ncalls++;
                next += -log(1.0 - uniform01()) / rate * 1e9;
            }
            for (int i = 0; i < nconn; i++) if (touched[i]) flush(&conns[i]);
            if ((int64_t)next >= end || ncalls >= maxcalls) {
                scheduling = 0;
                drain_deadline = t + 10000000000LL;
            } else {
                struct itimerspec its = {0};
                its.it_value.tv_sec = (time_t)((int64_t)next / 1000000000LL);
                its.it_value.tv_nsec = (long)((int64_t)next % 1000000000LL);
                if (!busy_poll) timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
            }
        }
        if (!scheduling) {
            size_t still = 0;
            for (size_t i = 0; i < ncalls; i++) still += !calls[i].closed;
            if (still == 0 || t > drain_deadline) break;
        }
        /* --busy-poll: never sleep while scheduling, so the generator's CPU is never idle and never halted */
        int n = epoll_wait(epfd, events, 64, scheduling ? (busy_poll ? 0 : -1) : 100);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int k = 0; k < n; k++) {
            uint32_t id = events[k].data.u32;
            if (id == UINT32_MAX) { uint64_t x; ssize_t r = read(tfd, &x, sizeof x); (void)r; continue; }
            conn_t *c = &conns[id];
            if (c->dead) continue;
            if (events[k].events & EPOLLOUT) { c->want_out = 0; update_events(c); flush(c); }
            if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
    }

    /* ---- summary */
    size_t answered = 0, failed = 0, unfinished = 0, nsent = 0;
    int64_t *from_sent = malloc((ncalls + 1) * sizeof(int64_t));
    int64_t *from_due = malloc((ncalls + 1) * sizeof(int64_t));
    int64_t *late = malloc((ncalls + 1) * sizeof(int64_t));
    FILE *log = strcmp(log_path, "-") == 0 ? NULL : fopen(log_path, "w");
    for (size_t i = 0; i < ncalls; i++) {
        call_t *c = &calls[i];
        if (!c->closed) unfinished++;
        else if (!c->answered) failed++;
        else answered++;
        if (c->answered) { /* latencies of answered calls only, as the bench records them */
            late[nsent] = c->sent - c->due;
            from_sent[nsent] = c->done - c->sent;
            from_due[nsent] = c->done - c->due;
            nsent++;
        }
        if (log)
            fprintf(log, "%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\n", (c->due - start) / 1000.0, c->sent ? (c->sent - c->due) / 1000.0 : -1.0,
                    c->closed && c->sent ? (c->done - c->sent) / 1000.0 : -1.0, c->closed ? (c->done - c->due) / 1000.0 : -1.0, c->conn,
                    c->answered);
    }
    if (log) fclose(log);
    printf("calls %zu answered %zu failed %zu unfinished %zu seconds %.3f rate %.1f connections %d\n", ncalls, answered,
           failed, unfinished, seconds, ncalls / seconds, nconn);
    print_percentiles("from_sent", from_sent, nsent);
    print_percentiles("from_due", from_due, nsent);
    print_percentiles("late", late, nsent);
    for (int i = 0; i < nconn; i++) {
        if (!conns[i].dead) {
            nghttp2_session_terminate_session(conns[i].session, NGHTTP2_NO_ERROR);
            flush(&conns[i]);
            close(conns[i].fd);
        }
        nghttp2_session_del(conns[i].session);
    }
    nghttp2_session_callbacks_del(cbs);
    return (failed || unfinished) ? 1 : 0;
}
