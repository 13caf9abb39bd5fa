/*
 * pycapture.replay._burst: send a classic pcap file's records in batches, with sendmmsg on an AF_PACKET
 * socket, paced as replay/pacer.py's Pacer paces them.
 *
 * The per-record pcapy-ng read and pcap_sendpacket call in Python cap a replay at about two thirds of
 * tcpreplay's rate. Here the records are read in place from the file's mapped buffers
 * (savefile.reader.RecordBuffers, native byte order) and every record that is due is sent in one
 * system call. A batch is cut at the first record that is not due yet: the caller waits for it (with the
 * Pacer's sleep and spin) and calls again, so a paced replay sends each packet at its time and batches
 * only those whose times have come. Optional: without it (or without AF_PACKET) the replay goes through
 * libpcap, one packet at a time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifdef __linux__ /* Python.h has defined _GNU_SOURCE, which sendmmsg needs */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#define BATCH_MAX 1024
#define RECORD_HEADER 16

/* the rates of pacer.py's Pacer */
enum { PACE_TOPSPEED = 0, PACE_SPEED = 1, PACE_PPS = 2, PACE_MBPS = 3 };

static int64_t
monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The schedule of a Pacer (its _origin_clock, _origin_ts and _sent) and its accuracy counters, as the
 * caller's list [origin_clock, origin_ts, scheduled, late_total, late_max, waits]. */
typedef struct {
    int64_t origin_clock, origin_ts;
    double scheduled;
    int64_t late_total, late_max, waits;
} Schedule;

static int
schedule_from(PyObject *list, Schedule *s)
{
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != 6) {
        PyErr_SetString(PyExc_TypeError, "the schedule must be a list of 6 numbers");
        return -1;
    }
    s->origin_clock = PyLong_AsLongLong(PyList_GET_ITEM(list, 0));
    s->origin_ts = PyLong_AsLongLong(PyList_GET_ITEM(list, 1));
    s->scheduled = PyFloat_AsDouble(PyList_GET_ITEM(list, 2));
    s->late_total = PyLong_AsLongLong(PyList_GET_ITEM(list, 3));
    s->late_max = PyLong_AsLongLong(PyList_GET_ITEM(list, 4));
    s->waits = PyLong_AsLongLong(PyList_GET_ITEM(list, 5));
    return PyErr_Occurred() ? -1 : 0;
}

static int
schedule_to(PyObject *list, const Schedule *s)
{
    PyObject *items[6] = {PyLong_FromLongLong(s->origin_clock), PyLong_FromLongLong(s->origin_ts),
                          PyFloat_FromDouble(s->scheduled), PyLong_FromLongLong(s->late_total),
                          PyLong_FromLongLong(s->late_max), PyLong_FromLongLong(s->waits)};
    int ok = 0;
    for (int i = 0; i < 6; i++) {
        if (items[i] == NULL)
            ok = -1;
        else if (ok == 0)
            PyList_SetItem(list, i, items[i]); /* steals the reference */
        else
            Py_DECREF(items[i]);
    }
    return ok;
}

/* Pacer.due without advancing: when a packet of ts_ns and size bytes is due. */
static int64_t
due_at(const Schedule *s, int mode, double rate, int64_t ts_ns)
{
    double offset;
    if (mode == PACE_PPS)
        offset = s->scheduled * 1e9 / rate;
    else if (mode == PACE_MBPS)
        offset = s->scheduled * 1e3 / rate; /* bits already on the wire, at rate * 10^6 bits/s */
    else
        offset = ts_ns > s->origin_ts ? (double)(ts_ns - s->origin_ts) / rate : 0.0;
    return s->origin_clock + (int64_t)offset;
}

typedef struct {
    Py_ssize_t consumed, sent, bytes, too_big, truncated, failed, retries;
    int first_errno;
} Counts;

/* What the caller's log says of each record a call reads (LOG_* or, for a frame sent, its time). */
#define LOG_TOO_BIG (-1)
#define LOG_REFUSED (-2)

/* Send msgs[0..k): every message, retrying a full queue (ENOBUFS, EAGAIN), counting one that the kernel
 * refuses otherwise as failed (with its errno, the first kept). With a log, slot[i] is message i's entry:
 * a refused frame's becomes LOG_REFUSED, and at top speed (stamp) a sent frame's the time of its call. */
static void
flush(int fd, struct mmsghdr *msgs, int k, Counts *c, int64_t *log, const Py_ssize_t *slot, int stamp)
{
    int at = 0, spins = 0;
    while (at < k) {
        int64_t t = log != NULL && stamp ? monotonic_ns() : 0;
        int n = sendmmsg(fd, msgs + at, (unsigned)(k - at), 0);
        if (n > 0 && t)
            for (int i = at; i < at + n; i++)
                log[slot[i]] = t;
        if (n > 0) {
            for (int i = at; i < at + n; i++)
                c->bytes += (Py_ssize_t)msgs[i].msg_hdr.msg_iov->iov_len;
            c->sent += n;
            at += n;
            spins = 0;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == ENOBUFS || errno == EAGAIN) && spins < 1000000) {
            c->retries++;
            spins++;
            sched_yield(); /* the queue drains as the interface sends: try again */
            continue;
        }
        if (c->first_errno == 0)
            c->first_errno = n < 0 ? errno : EIO;
        c->failed++;
        if (log != NULL)
            log[slot[at]] = LOG_REFUSED;
        at++; /* that frame is refused: go on with the next */
    }
}

PyDoc_STRVAR(burst_doc,
"burst(fd, buf, max_caplen, nano, count, limit, vlan_limit, stop_ns, mode, rate, schedule, log=None,\n"
"      slack_ns=0)\n\n"
"Send the whole records at the start of buf (classic pcap records in native byte order) with sendmmsg\n"
"on the bound AF_PACKET socket fd, in batches of the records that are due, and return\n"
"(used, consumed, sent, bytes, too_big, truncated, failed, errno, retries, next_due).\n\n"
"At most count records are taken (-1: all). A record longer than max_caplen ends the call before it.\n"
"A frame longer than limit (vlan_limit where it carries a VLAN tag) is counted as too big and not\n"
"sent. mode and rate are the Pacer's (0 topspeed, 1 speed, 2 pps, 3 mbps); schedule is the list\n"
"[origin_clock, origin_ts, scheduled, late_total, late_max, waits] of its state, updated in place\n"
"(origin_clock -1: the next record starts the schedule). next_due > 0: the call stopped before a\n"
"record due at that monotonic time; -1: stop_ns (a monotonic deadline, 0 none) has passed; 0: the\n"
"buffer or count ended. slack_ns: a record is sent up to that long before it is due. errno: the\n"
"first the kernel gave for a refused frame (0 none).\n\n"
"log, a writable buffer of 8-byte native integers (one for each record the call may read), gets\n"
"for each record read: when it was sent (its due time, at top speed the time of its system call,\n"
"monotonic ns), -1 too big, -2 refused by the kernel.");

static PyObject *
burst(PyObject *self, PyObject *args)
{
    int fd, nano, mode;
    Py_buffer view;
    Py_ssize_t max_caplen, count, limit, vlan_limit;
    long long stop_ns, slack = 0;
    double rate;
    PyObject *schedule_list, *log_object = Py_None;
    if (!PyArg_ParseTuple(args, "iy*npnnnLidO|OL", &fd, &view, &max_caplen, &nano, &count, &limit, &vlan_limit,
                          &stop_ns, &mode, &rate, &schedule_list, &log_object, &slack))
        return NULL;
    Py_buffer log_view = {0};
    int64_t *log = NULL;
    Py_ssize_t log_room = 0;
    if (log_object != Py_None) {
        if (PyObject_GetBuffer(log_object, &log_view, PyBUF_WRITABLE) < 0) {
            PyBuffer_Release(&view);
            return NULL;
        }
        log = log_view.buf;
        log_room = log_view.len / (Py_ssize_t)sizeof(int64_t);
        if (count < 0 || count > log_room)
            count = log_room; /* no more records than the log has room for */
    }
    Schedule s;
    if (schedule_from(schedule_list, &s) < 0 || (mode != PACE_TOPSPEED && !(rate > 0))) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "a paced burst needs a rate above 0");
        PyBuffer_Release(&view);
        return NULL;
    }
    struct mmsghdr *msgs = PyMem_RawMalloc(BATCH_MAX * sizeof(*msgs));
    struct iovec *iovs = PyMem_RawMalloc(BATCH_MAX * sizeof(*iovs));
    Py_ssize_t *slot = PyMem_RawMalloc(BATCH_MAX * sizeof(*slot));
    if (msgs == NULL || iovs == NULL || slot == NULL) {
        PyMem_RawFree(msgs);
        PyMem_RawFree(iovs);
        PyMem_RawFree(slot);
        PyBuffer_Release(&view);
        if (log != NULL)
            PyBuffer_Release(&log_view);
        return PyErr_NoMemory();
    }
    int stamp = mode == PACE_TOPSPEED;
    const uint8_t *buf = view.buf;
    Py_ssize_t n = view.len, pos = 0;
    int64_t scale = nano ? 1 : 1000, next_due = 0;
    Counts c = {0};
    int k = 0;
    Py_BEGIN_ALLOW_THREADS
    int64_t now = monotonic_ns();
    while (count != 0 && n - pos >= RECORD_HEADER) {
        uint32_t sec, frac, caplen, length;
        memcpy(&sec, buf + pos, 4);
        memcpy(&frac, buf + pos + 4, 4);
        memcpy(&caplen, buf + pos + 8, 4);
        memcpy(&length, buf + pos + 12, 4);
        if ((Py_ssize_t)caplen > max_caplen || n - pos - RECORD_HEADER < (Py_ssize_t)caplen)
            break; /* libpcap's to judge, or the next buffer's */
        if (stop_ns && now >= stop_ns) {
            next_due = -1;
            break;
        }
        if (mode != PACE_TOPSPEED) {
            int64_t ts = (int64_t)sec * 1000000000LL + (int64_t)frac * scale;
            if (s.origin_clock < 0) {
                s.origin_clock = now;
                s.origin_ts = ts;
            }
            int64_t due = due_at(&s, mode, rate, ts);
            if (due > now + slack && k) { /* send what is due before looking at the clock again */
                flush(fd, msgs, k, &c, log, slot, stamp);
                k = 0;
                now = monotonic_ns();
            }
            if (due > now + slack) {
                next_due = due;
                break;
            }
            s.scheduled += mode == PACE_PPS ? 1.0 : mode == PACE_MBPS ? 8.0 * caplen : 0.0;
            int64_t late = now - due;
            s.late_total += late;
            if (late > s.late_max)
                s.late_max = late;
            s.waits++;
            if (log != NULL)
                log[c.consumed] = due;
        }
        const uint8_t *frame = buf + pos + RECORD_HEADER;
        pos += RECORD_HEADER + (Py_ssize_t)caplen;
        Py_ssize_t entry = c.consumed++;
        if (count > 0)
            count--;
        int tagged = caplen >= 14 && ((frame[12] == 0x81 && frame[13] == 0x00) || (frame[12] == 0x88 && frame[13] == 0xa8)
                                      || (frame[12] == 0x91 && frame[13] == 0x00));
        if ((Py_ssize_t)caplen > (tagged ? vlan_limit : limit)) {
            c.too_big++;
            if (log != NULL)
                log[entry] = LOG_TOO_BIG;
            continue;
        }
        if (length > caplen)
            c.truncated++; /* sent as captured, as tcpreplay does */
        iovs[k].iov_base = (void *)frame;
        iovs[k].iov_len = caplen;
        memset(&msgs[k].msg_hdr, 0, sizeof(msgs[k].msg_hdr));
        msgs[k].msg_hdr.msg_iov = &iovs[k];
        msgs[k].msg_hdr.msg_iovlen = 1;
        slot[k] = entry;
        if (++k == BATCH_MAX) {
            flush(fd, msgs, k, &c, log, slot, stamp);
            k = 0;
            now = monotonic_ns();
        }
    }
    if (k)
        flush(fd, msgs, k, &c, log, slot, stamp);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(msgs);
    PyMem_RawFree(iovs);
    PyMem_RawFree(slot);
    PyBuffer_Release(&view);
    if (log != NULL)
        PyBuffer_Release(&log_view);
    if (schedule_to(schedule_list, &s) < 0)
        return NULL;
    return Py_BuildValue("nnnnnnninL", pos, c.consumed, c.sent, c.bytes, c.too_big, c.truncated, c.failed,
                         c.first_errno, c.retries, (long long)next_due);
}

static PyMethodDef methods[] = {
    {"burst", burst, METH_VARARGS, burst_doc},
    {NULL, NULL, 0, NULL},
};
#else
static PyMethodDef methods[] = {{NULL, NULL, 0, NULL}};
#endif

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_burst", "Batched sending of classic pcap records (Linux's sendmmsg).", -1, methods,
};

PyMODINIT_FUNC
PyInit__burst(void)
{
    return PyModule_Create(&module);
}
