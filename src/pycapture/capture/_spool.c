/*
 * pycapture.capture._spool: a live capture's packets written to a pcap file without Python per packet.
 *
 * -w at a sender's top speed lost packets (470 of 600,000 in the wire-speed issue's measure) because each
 * packet took a pcap_next_ex call, a tuple and a record header made in Python: about 2 us, against
 * tcpdump's pcap_dump straight from libpcap's callback. spool() calls pcap_dispatch (through the address
 * ctypes gives of the very libpcap pcapy-ng loaded, so the extension links with no libpcap of its own)
 * with a callback that appends each record to a buffer, and writes the buffer to the file's descriptor.
 * The caller keeps everything else: waiting for packets, signals, -c, statistics, the file's header.
 *
 * gather() is the same call for a printer that reads pcap records in place (--json, tcpdump's lines): the
 * records come back in one bytes object instead of a tuple and a bytes object made for each packet.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define SPOOL_BYTES (4 << 20) /* written to the file each time the buffer holds this much */
#define RECORD_HEADER 16

/* libpcap's struct pcap_pkthdr and pcap_dispatch, as its ABI has them (pcap/pcap.h) */
struct pkthdr {
    struct timeval ts;
    uint32_t caplen;
    uint32_t len;
};
typedef void (*handler)(unsigned char *, const struct pkthdr *, const unsigned char *);
typedef int (*dispatch_fn)(void *, int, handler, unsigned char *);

/* The packet as a classic pcap record in this machine's byte order at w (RECORD_HEADER + caplen bytes),
 * its time folded to 32-bit fields as pcap_dump folds it. */
static void
put_record(unsigned char *w, const struct pkthdr *h, const unsigned char *data)
{
    uint32_t sec = (uint32_t)h->ts.tv_sec, frac = (uint32_t)h->ts.tv_usec;
    memcpy(w, &sec, 4);
    memcpy(w + 4, &frac, 4);
    memcpy(w + 8, &h->caplen, 4);
    memcpy(w + 12, &h->len, 4);
    memcpy(w + RECORD_HEADER, data, h->caplen);
}

typedef struct {
    int fd;
    off_t at;          /* where the file stood when the call began; -1 for a pipe */
    unsigned char *buf;
    size_t used;       /* bytes in buf, whole records */
    Py_ssize_t in_buf; /* records in buf */
    uint64_t written;  /* bytes this call wrote to the file */
    Py_ssize_t saved;  /* records this call wrote to the file */
    Py_ssize_t count;  /* records this call took */
    int error;         /* errno of a failed write, 0 */
} Spool;

/* Write what buf holds; on a failure, cut the file back to its last whole record and remember the error. */
static void
spool_flush(Spool *s)
{
    size_t done = 0;
    while (done < s->used && !s->error) {
        ssize_t n = write(s->fd, s->buf + done, s->used - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            s->error = n < 0 ? errno : ENOSPC;
            break;
        }
        done += (size_t)n;
    }
    if (s->error) {
        /* the records wholly written: walk the buffer's headers up to done */
        size_t pos = 0;
        Py_ssize_t whole = 0;
        while (pos + RECORD_HEADER <= done) {
            uint32_t caplen;
            memcpy(&caplen, s->buf + pos + 8, 4);
            if (pos + RECORD_HEADER + caplen > done)
                break;
            pos += RECORD_HEADER + caplen;
            whole++;
        }
        if (s->at >= 0)
            (void)!ftruncate(s->fd, s->at + (off_t)s->written + (off_t)pos);
        s->saved += whole;
        s->written += pos;
        s->used = 0;
        s->in_buf = 0;
        return;
    }
    s->written += s->used;
    s->saved += s->in_buf;
    s->used = 0;
    s->in_buf = 0;
}

static void
on_packet(unsigned char *user, const struct pkthdr *h, const unsigned char *data)
{
    Spool *s = (Spool *)user;
    if (s->error)
        return;
    size_t need = RECORD_HEADER + h->caplen;
    if (s->used + need > SPOOL_BYTES)
        spool_flush(s);
    if (s->error)
        return;
    if (need > SPOOL_BYTES) { /* cannot be: a snapshot length is at most 256 KiB */
        s->error = EMSGSIZE;
        return;
    }
    put_record(s->buf + s->used, h, data);
    s->used += need;
    s->in_buf++;
    s->count++;
}

PyDoc_STRVAR(spool_doc,
"spool(dispatch, pcap, fd, count) -> (packets, bytes, status, errno)\n\n"
"Call libpcap's pcap_dispatch (its address: dispatch) once on the activated, non-blocking pcap_t* pcap\n"
"for at most count packets (-1: what the buffer holds), appending each as a pcap record (this machine's\n"
"byte order, pcap_dump's fields) to the file open at descriptor fd, and return how many packets and\n"
"bytes were written and pcap_dispatch's own status (negative: an error, or -2 after pcap_breakloop).\n"
"errno: a failed write's, else 0; the file is then cut back to its last whole record, and packets\n"
"counts the records it holds of this call's.");

static PyObject *
spool(PyObject *self, PyObject *args)
{
    unsigned long long dispatch_address, pcap_address;
    int fd, count;
    if (!PyArg_ParseTuple(args, "KKii", &dispatch_address, &pcap_address, &fd, &count))
        return NULL;
    if (!dispatch_address || !pcap_address) {
        PyErr_SetString(PyExc_ValueError, "spool needs pcap_dispatch's address and a pcap_t*");
        return NULL;
    }
    Spool s = {fd, -1, NULL, 0, 0, 0, 0, 0, 0};
    s.buf = PyMem_RawMalloc(SPOOL_BYTES);
    if (s.buf == NULL)
        return PyErr_NoMemory();
    dispatch_fn dispatch = (dispatch_fn)(uintptr_t)dispatch_address;
    int status;
    Py_BEGIN_ALLOW_THREADS
    s.at = lseek(fd, 0, SEEK_CUR); /* -1 for a pipe: nothing to cut back there */
    status = dispatch((void *)(uintptr_t)pcap_address, count, on_packet, (unsigned char *)&s);
    if (!s.error && s.used)
        spool_flush(&s);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(s.buf);
    return Py_BuildValue("nKii", s.saved, (unsigned long long)s.written, status, s.error);
}


/* gather()'s buffer: records appended as they come, grown as needed */
typedef struct {
    unsigned char *buf;
    size_t used, room;
    Py_ssize_t count;
    int error; /* ENOMEM once a growth failed: the packets after it are lost, and said */
} Gather;

static void
on_gathered(unsigned char *user, const struct pkthdr *h, const unsigned char *data)
{
    Gather *g = (Gather *)user;
    size_t need = RECORD_HEADER + h->caplen;
    if (g->error)
        return;
    if (g->used + need > g->room) {
        size_t room = g->room * 2 > g->used + need ? g->room * 2 : g->used + need;
        unsigned char *grown = PyMem_RawRealloc(g->buf, room);
        if (grown == NULL) {
            g->error = ENOMEM;
            return;
        }
        g->buf = grown;
        g->room = room;
    }
    put_record(g->buf + g->used, h, data);
    g->used += need;
    g->count++;
}

PyDoc_STRVAR(gather_doc,
"gather(dispatch, pcap, count) -> (records, packets, status, errno)\n\n"
"Call pcap_dispatch (its address: dispatch) once on the activated, non-blocking pcap_t* pcap for at\n"
"most count packets (-1: what the buffer holds) and return them as pcap records in one bytes object\n"
"(this machine's byte order, the seconds and fraction as unsigned 32-bit numbers), how many, and\n"
"pcap_dispatch's status (negative: an error, or -2 after pcap_breakloop). errno: ENOMEM when the\n"
"records outgrew memory (those after it are left out), else 0.");

static PyObject *
gather(PyObject *self, PyObject *args)
{
    unsigned long long dispatch_address, pcap_address;
    int count;
    if (!PyArg_ParseTuple(args, "KKi", &dispatch_address, &pcap_address, &count))
        return NULL;
    if (!dispatch_address || !pcap_address) {
        PyErr_SetString(PyExc_ValueError, "gather needs pcap_dispatch's address and a pcap_t*");
        return NULL;
    }
    Gather g = {NULL, 0, 1 << 18, 0, 0};
    g.buf = PyMem_RawMalloc(g.room);
    if (g.buf == NULL)
        return PyErr_NoMemory();
    dispatch_fn dispatch = (dispatch_fn)(uintptr_t)dispatch_address;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = dispatch((void *)(uintptr_t)pcap_address, count, on_gathered, (unsigned char *)&g);
    Py_END_ALLOW_THREADS
    PyObject *records = PyBytes_FromStringAndSize((const char *)g.buf, (Py_ssize_t)g.used);
    PyMem_RawFree(g.buf);
    if (records == NULL)
        return NULL;
    return Py_BuildValue("Nnii", records, g.count, status, g.error);
}

static PyMethodDef methods[] = {
    {"spool", spool, METH_VARARGS, spool_doc},
    {"gather", gather, METH_VARARGS, gather_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_spool", "A live capture written to a pcap file from libpcap's callback.", -1, methods,
};

PyMODINIT_FUNC
PyInit__spool(void)
{
    return PyModule_Create(&module);
}
