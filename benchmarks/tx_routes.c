/*
 * benchmarks/tx_routes.c: the two batched ways to send on Linux that issue 20 asks to weigh, side by side
 * on one interface, with the same frame: sendmmsg on an AF_PACKET socket (what replay's compiled sender
 * uses) and a memory-mapped PACKET_TX_RING (TPACKET_V2) flushed with send(fd, NULL, 0).
 *
 *     tx_routes IFACE ROUTE COUNT SIZE BYPASS
 *
 * ROUTE: sendmmsg or ring; BYPASS 1 sets PACKET_QDISC_BYPASS. Prints "pps N" on standard output.
 * Built and run by tx_routes.py; not part of the package.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 1024 /* replay's _burst.c BATCH_MAX */

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
send_mmsg(int fd, const unsigned char *frame, int size, long count)
{
    static struct mmsghdr msgs[BATCH];
    static struct iovec iovs[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iovs[i].iov_base = (void *)frame;
        iovs[i].iov_len = (size_t)size;
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    for (long sent = 0; sent < count;) {
        int k = count - sent > BATCH ? BATCH : (int)(count - sent), at = 0;
        while (at < k) {
            int n = sendmmsg(fd, msgs + at, (unsigned)(k - at), 0);
            if (n < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
                sched_yield();
                continue;
            }
            if (n < 0)
                return perror("sendmmsg"), -1;
            at += n;
        }
        sent += k;
    }
    return 0;
}

typedef struct {
    unsigned char *base;
    size_t length;
    struct tpacket_req req;
} Ring;

/* A TPACKET_V2 transmit ring of 2,048 frames of 2 KiB; set before the socket is bound. */
static int
ring_setup(int fd, Ring *ring)
{
    int version = TPACKET_V2;
    ring->req = (struct tpacket_req){.tp_block_size = 1 << 16, .tp_frame_size = 2048, .tp_block_nr = 64};
    ring->req.tp_frame_nr = ring->req.tp_block_size / ring->req.tp_frame_size * ring->req.tp_block_nr;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) < 0
        || setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &ring->req, sizeof ring->req) < 0)
        return perror("PACKET_TX_RING"), -1;
    ring->length = (size_t)ring->req.tp_block_size * ring->req.tp_block_nr;
    ring->base = mmap(NULL, ring->length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return ring->base == MAP_FAILED ? (perror("mmap"), -1) : 0;
}

static int
flush_ring(int fd, int flags)
{
    if (send(fd, NULL, 0, flags) < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
        return perror("send"), -1;
    return 0;
}

static int
send_ring(int fd, const Ring *ring, const unsigned char *frame, int size, long count)
{
    unsigned at = 0, queued = 0;
    for (long sent = 0; sent < count; sent++) {
        struct tpacket2_hdr *slot = (void *)(ring->base + (size_t)at * ring->req.tp_frame_size);
        while (slot->tp_status != TP_STATUS_AVAILABLE) { /* the kernel still holds it: flush and wait */
            if (flush_ring(fd, 0) < 0)
                return -1;
            queued = 0;
        }
        memcpy((unsigned char *)slot + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll), frame, (size_t)size);
        slot->tp_len = (unsigned)size;
        __sync_synchronize();
        slot->tp_status = TP_STATUS_SEND_REQUEST;
        at = (at + 1) % ring->req.tp_frame_nr;
        if (++queued == BATCH) {
            if (flush_ring(fd, MSG_DONTWAIT) < 0)
                return -1;
            queued = 0;
        }
    }
    return flush_ring(fd, 0);
}

int
main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: tx_routes IFACE sendmmsg|ring COUNT SIZE BYPASS\n");
        return 2;
    }
    long count = atol(argv[3]);
    int size = atoi(argv[4]), bypass = atoi(argv[5]), use_ring = strcmp(argv[2], "ring") == 0;
    if (size < 34 || size > 1514)
        return fprintf(stderr, "SIZE: 34 to 1514\n"), 2;
    unsigned char frame[1514] = {0};
    memset(frame, 0xff, 6); /* broadcast from 02:00:00:00:00:00, an IPv4 header with UDP's number */
    frame[6] = 0x02, frame[12] = 0x08, frame[14] = 0x45, frame[22] = 64, frame[23] = 17;
    int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;
    struct sockaddr_ll where = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1])};
    Ring ring;
    if (fd < 0 || (bypass && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0))
        return perror("socket"), 1;
    if ((use_ring && ring_setup(fd, &ring) < 0) || bind(fd, (struct sockaddr *)&where, sizeof where) < 0)
        return perror("bind"), 1;
    double start = now();
    if ((use_ring ? send_ring(fd, &ring, frame, size, count) : send_mmsg(fd, frame, size, count)) < 0)
        return 1;
    printf("pps %.0f\n", (double)count / (now() - start));
    return 0;
}
