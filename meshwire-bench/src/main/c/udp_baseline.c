/*
 * udp_baseline.c - the C peer of meshwire's end-to-end UDP benchmark (io.meshwire.bench.transport).
 *
 * TransportBench compiles this file at run time (gcc -O2 -Wall -Wextra) and runs one process per role:
 *
 *   udp_baseline MODE ROLE HOST PORT SIZE SECONDS [GRACE_MS]
 *
 *   MODE  mmsg  sender: sendmmsg() batches of 64 datagrams to one (connected) destination
 *               receiver: recvmmsg(64, MSG_WAITFORONE)
 *         gso   sender: one send() of up to 54 x 1200 B segments with UDP_SEGMENT (generic segmentation offload)
 *               receiver: recvmmsg(64, MSG_WAITFORONE) with UDP_GRO, counting segments, not buffers
 *   ROLE  recv | send
 *   PORT  the receiver binds it (0 = an ephemeral port); the sender sends to it
 *
 * Line protocol on stdout (one line each, key=value fields, flushed at once):
 *   receiver  READY port=P                          after bind, before the first receive
 *             PROGRESS t=S received=N                every second after the first datagram (cumulative)
 *             RESULT received=N bytes=B syscalls=C elapsed_ns=E hist=h1,h2-3,h4-7,h8-15,h16-31,h32-63,h64 rcvbuf=R
 *                    cpu_ns=T
 *   sender    SENT sent=N bytes=B calls=C errors=X elapsed_ns=E cpu_ns=T
 * cpu_ns is the process's CPU time (user + system, getrusage) from the first datagram (receiver) or the first
 * send (sender) to the end.
 * The receiver stops SECONDS + GRACE_MS after its first datagram, or once stdin reaches end-of-file and no
 * datagram arrived for 100 ms (the harness closes the pipe when the sender is done), whichever comes first.
 * The sender stops SECONDS after its first send. Diagnostics go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Older libc headers lack the UDP offload options (linux/udp.h: UDP_SEGMENT since 4.18, UDP_GRO since 5.0). */
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define BATCH 64                 /* mmsghdr vector length; also the top bucket of the batch histogram */
#define HIST_BUCKETS 7           /* [1] [2-3] [4-7] [8-15] [16-31] [32-63] [64] */
#define BUF_BYTES 65536          /* per message: a GRO buffer carries up to 64 KiB of coalesced segments */
#define SOCKBUF_BYTES (64 << 20) /* requested SO_RCVBUF / SO_SNDBUF */
#define GSO_PAYLOAD_MAX 64800    /* 54 x 1200 B: under the 65507 B UDP payload limit of one send */
#define GSO_SEGMENTS_MAX 64      /* UDP_MAX_SEGMENTS (include/linux/udp.h); 64 is accepted by every GSO kernel */
#define IDLE_STOP_NS 100000000LL /* after stdin EOF, stop once nothing arrived for this long */
#define NO_SENDER_NS 30000000000LL /* stop a receiver that never saw a datagram after this long on top */
#define NS_PER_S 1000000000LL

enum mode { MODE_MMSG, MODE_GSO };

struct options {
    enum mode mode;
    int receiver;
    const char *host;
    const char *port;
    int size;
    int seconds;
    long long grace_ns;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* CPU time of this process, user + system, in ns. */
static long long cpu_ns(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return ((long long)u.ru_utime.tv_sec + u.ru_stime.tv_sec) * NS_PER_S
           + ((long long)u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1000LL;
}

static int bucket_of(int n)
{
    int b = 0;
    while (n > 1 && b < HIST_BUCKETS - 1) {
        n >>= 1;
        b++;
    }
    return b;
}

static void die(const char *what)
{
    fprintf(stderr, "udp_baseline: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void usage(void)
{
    fprintf(stderr, "usage: udp_baseline mmsg|gso recv|send HOST PORT SIZE SECONDS [GRACE_MS]\n");
    exit(2);
}

/* Resolves a numeric HOST/PORT (IPv4 or IPv6) and opens a UDP socket of that family. */
static int open_socket(const struct options *o, struct sockaddr_storage *addr, socklen_t *addr_len)
{
    struct addrinfo hints = { 0 }, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    int rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "udp_baseline: bad address %s port %s: %s\n", o->host, o->port, gai_strerror(rc));
        exit(2);
    }
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *addr_len = res->ai_addrlen;
    int fd = socket(res->ai_family, SOCK_DGRAM, IPPROTO_UDP);
    freeaddrinfo(res);
    if (fd < 0)
        die("socket");
    return fd;
}

/*
 * Asks for a 64 MiB socket buffer. SO_RCVBUF/SO_SNDBUF are capped at net.core.rmem_max/wmem_max; the FORCE
 * variants ignore the cap but need CAP_NET_ADMIN, so they are tried first and the capped option is the
 * fallback. Returns the size the kernel reports (twice the request: it counts its own bookkeeping, socket(7)).
 */
static int set_buffer(int fd, int force_opt, int opt, const char *name)
{
    int want = SOCKBUF_BYTES, got = 0;
    socklen_t len = sizeof(got);
    if (setsockopt(fd, SOL_SOCKET, force_opt, &want, sizeof(want)) != 0
        && setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want)) != 0)
        die(name);
    if (getsockopt(fd, SOL_SOCKET, opt, &got, &len) != 0)
        die(name);
    return got;
}

/* True once stdin is at end-of-file: the harness closes our stdin to say the sender has finished. */
static int stdin_closed(void)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return 0;
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
        return 1;
    char sink[256];
    ssize_t n = read(STDIN_FILENO, sink, sizeof(sink));
    return n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN);
}

/* Datagrams held in one received buffer: with UDP_GRO the kernel may hand back several coalesced segments. */
static unsigned long long datagrams_in(const struct msghdr *m, unsigned int len)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR((struct msghdr *)m, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
            int gso_size;
            memcpy(&gso_size, CMSG_DATA(c), sizeof(gso_size));
            if (gso_size > 0)
                return (len + (unsigned int)gso_size - 1) / (unsigned int)gso_size;
        }
    }
    return 1;
}

static int run_receiver(const struct options *o)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int fd = open_socket(o, &addr, &addr_len);
    if (bind(fd, (struct sockaddr *)&addr, addr_len) != 0)
        die("bind");
    int rcvbuf = set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, "SO_RCVBUF");

    /*
     * UDP_GRO lets the kernel keep a GSO train (or coalesce same-flow datagrams) as one buffer; it then reports
     * the segment size in a SOL_UDP/UDP_GRO control message, the only way to tell how many datagrams a buffer
     * holds (the last segment may be short). Without the option the kernel splits GSO trains before queueing.
     */
    int gro = o->mode == MODE_GSO;
    if (gro && setsockopt(fd, SOL_UDP, UDP_GRO, &(int){ 1 }, sizeof(int)) != 0)
        die("setsockopt(UDP_GRO) (needs Linux 5.0+)");

    /* The blocking receive wakes every 100 ms even when idle, so the deadline and stdin are checked in time. */
    struct timeval tick = { .tv_sec = 0, .tv_usec = 100000 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick)) != 0)
        die("setsockopt(SO_RCVTIMEO)");

    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof(bound);
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0)
        die("getsockname");
    int port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                 : ((struct sockaddr_in *)&bound)->sin_port);
    fprintf(stderr, "udp_baseline: recv %s %s:%d size=%d rcvbuf=%d\n", gro ? "gso/gro" : "mmsg", o->host, port,
            o->size, rcvbuf);

    char *data = malloc((size_t)BATCH * BUF_BYTES);
    struct mmsghdr *msgs = calloc(BATCH, sizeof(*msgs));
    struct iovec *iov = calloc(BATCH, sizeof(*iov));
    /* One control buffer per message, aligned for cmsghdr, sized for the one int the UDP_GRO cmsg carries. */
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } *ctrl = calloc(BATCH, sizeof(*ctrl));
    if (data == NULL || msgs == NULL || iov == NULL || ctrl == NULL)
        die("malloc");
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = data + (size_t)i * BUF_BYTES;
        iov[i].iov_len = BUF_BYTES;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    printf("READY port=%d\n", port);
    fflush(stdout);

    unsigned long long received = 0, bytes = 0, syscalls = 0, hist[HIST_BUCKETS] = { 0 };
    long long start = now_ns(), first = 0, last = 0, next_check = 0, cpu_first = 0;
    long long run_ns = (long long)o->seconds * NS_PER_S + o->grace_ns;
    int progress_s = 1, eof = 0;
    for (;;) {
        if (gro) {
            /* recvmmsg overwrites msg_controllen with the bytes it used: restore the capacity before each call. */
            for (int i = 0; i < BATCH; i++) {
                msgs[i].msg_hdr.msg_control = ctrl[i].buf;
                msgs[i].msg_hdr.msg_controllen = sizeof(ctrl[i].buf);
            }
        }
        /*
         * MSG_WAITFORONE: block (up to SO_RCVTIMEO) for the first datagram only, then take whatever else is
         * already queued, up to BATCH, without waiting. Without it recvmmsg blocks until all BATCH slots are
         * filled, and its timeout argument is only checked between datagrams (recvmmsg(2) BUGS).
         */
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        long long now = now_ns();
        if (n > 0) {
            if (first == 0) {
                first = now;
                cpu_first = cpu_ns();
            }
            last = now;
            syscalls++;
            hist[bucket_of(n)]++;
            for (int i = 0; i < n; i++) {
                unsigned int len = msgs[i].msg_len;
                bytes += len;
                received += gro ? datagrams_in(&msgs[i].msg_hdr, len) : 1;
            }
        } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            die("recvmmsg");
        }
        if (first != 0 && now - first >= (long long)progress_s * NS_PER_S) {
            printf("PROGRESS t=%d received=%llu\n", progress_s, received);
            fflush(stdout);
            progress_s++;
        }
        if (now < next_check)
            continue;
        next_check = now + NS_PER_S / 20;
        if (!eof)
            eof = stdin_closed();
        if (first != 0 && now - first >= run_ns)
            break;
        if (eof && (first == 0 || now - last >= IDLE_STOP_NS))
            break;
        if (first == 0 && now - start >= run_ns + NO_SENDER_NS)
            break;
    }

    printf("RESULT received=%llu bytes=%llu syscalls=%llu elapsed_ns=%lld hist=", received, bytes, syscalls,
           last - first);
    for (int b = 0; b < HIST_BUCKETS; b++)
        printf(b == 0 ? "%llu" : ",%llu", hist[b]);
    printf(" rcvbuf=%d cpu_ns=%lld\n", rcvbuf, first == 0 ? 0 : cpu_ns() - cpu_first);
    fflush(stdout);
    close(fd);
    free(ctrl);
    free(iov);
    free(msgs);
    free(data);
    return 0;
}

static int run_sender(const struct options *o)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int fd = open_socket(o, &addr, &addr_len);
    /* Connected: the route is looked up once, and every mmsghdr can leave msg_name NULL. */
    if (connect(fd, (struct sockaddr *)&addr, addr_len) != 0)
        die("connect");
    int sndbuf = set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, "SO_SNDBUF");

    int per_call = BATCH;
    size_t chunk = (size_t)o->size;
    if (o->mode == MODE_GSO) {
        /*
         * UDP_SEGMENT set on the socket applies to every send: the kernel cuts each payload into SIZE-byte
         * datagrams (the last may be shorter; ours never is) and, on loopback, passes the train whole to a
         * UDP_GRO receiver. A per-message cmsg would do the same; one segment size suits the whole run.
         */
        if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &o->size, sizeof(o->size)) != 0)
            die("setsockopt(UDP_SEGMENT) (needs Linux 4.18+)");
        per_call = GSO_PAYLOAD_MAX / o->size;
        if (per_call > GSO_SEGMENTS_MAX)
            per_call = GSO_SEGMENTS_MAX;
        chunk = (size_t)per_call * o->size;
    }
    char *data = malloc(chunk);
    if (data == NULL)
        die("malloc");
    for (size_t i = 0; i < chunk; i++)
        data[i] = (char)i;
    fprintf(stderr, "udp_baseline: send %s to %s:%s size=%d per_call=%d sndbuf=%d\n",
            o->mode == MODE_GSO ? "gso" : "mmsg", o->host, o->port, o->size, per_call, sndbuf);

    /* Every mmsghdr points at the same payload: the kernel copies it, so the buffer can be shared. */
    struct iovec iov = { .iov_base = data, .iov_len = chunk };
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof(msgs));
    for (int i = 0; i < BATCH; i++) {
        msgs[i].msg_hdr.msg_iov = &iov;
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    unsigned long long sent = 0, calls = 0, errors = 0;
    long long cpu_start = cpu_ns();
    long long start = now_ns(), end = start + (long long)o->seconds * NS_PER_S, now = start;
    while (now < end) {
        long long n = o->mode == MODE_GSO ? (send(fd, data, chunk, 0) < 0 ? -1 : per_call)
                                          : sendmmsg(fd, msgs, BATCH, 0);
        calls++;
        if (n > 0) {
            sent += (unsigned long long)n;
        } else if (errno == ECONNREFUSED || errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
            /* ECONNREFUSED: an ICMP port-unreachable from an earlier datagram (receiver not bound or gone). */
            errors++;
        } else {
            die(o->mode == MODE_GSO ? "send(UDP_SEGMENT)" : "sendmmsg");
        }
        now = now_ns();
    }

    printf("SENT sent=%llu bytes=%llu calls=%llu errors=%llu elapsed_ns=%lld cpu_ns=%lld\n", sent,
           sent * (unsigned)o->size, calls, errors, now - start, cpu_ns() - cpu_start);
    fflush(stdout);
    close(fd);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 7 || argc > 8)
        usage();
    struct options o = { 0 };
    if (strcmp(argv[1], "mmsg") == 0)
        o.mode = MODE_MMSG;
    else if (strcmp(argv[1], "gso") == 0)
        o.mode = MODE_GSO;
    else
        usage();
    if (strcmp(argv[2], "recv") == 0)
        o.receiver = 1;
    else if (strcmp(argv[2], "send") != 0)
        usage();
    o.host = argv[3];
    o.port = argv[4];
    o.size = atoi(argv[5]);
    o.seconds = atoi(argv[6]);
    o.grace_ns = (argc == 8 ? atoll(argv[7]) : 1000) * 1000000LL;
    int max_size = o.mode == MODE_GSO ? GSO_PAYLOAD_MAX : 65507;
    if (o.size < 1 || o.size > max_size || o.seconds < 1 || o.grace_ns < 0) {
        fprintf(stderr, "udp_baseline: SIZE must be 1..%d and SECONDS >= 1\n", max_size);
        exit(2);
    }
    return o.receiver ? run_receiver(&o) : run_sender(&o);
}
