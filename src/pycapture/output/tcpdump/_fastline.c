/*
 * pycapture.output.tcpdump._fastline: the header walk, compiled, and the summary line as its sink.
 *
 * On CPython, formatting a line costs about 1.6 us of interpreted code per packet, more than tcpdump
 * spends on a whole packet. This module walks the headers of the frames most traffic is made of once
 * (walk_ethernet: Ethernet with one optional 802.1Q tag, IPv4 without options or IPv6 without extension
 * headers, then TCP, UDP, ICMP or ICMPv6) into a Walk, the record of offsets and fields that
 * pycapture/decode/walk.py defines and walks the same way in Python; walk() hands that record to Python,
 * and the tests hold the two walks equal. Sinks read the Walk and never parse a header again: today
 * walk_line, which writes exactly the lines that fastsummary._walk_line writes (TCP with the options
 * handshakes carry: mss, wscale, sackOK, timestamps, nop, eol; UDP with DNS, NTP and syslog; ICMP and
 * ICMPv6 echo). For every other frame it stops and says so, and the Python code prints that one frame
 * (tests/output/tcpdump/test_fastline.py holds the two to the same text, frame by frame). Every name and
 * port table comes from Python (set_flag_texts, set_dns_tables, set_names, set_ports). It is optional:
 * without a C compiler pycapture runs the Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

/* Room reserved before each record: the time prefix (bounded below), the fraction, two IPv6 addresses and
 * ports, the TCP fields and options. HTTP lines and DNS names, which a packet may make long, grow the
 * buffer as they are written (ensure, out_put). */
#define PREFIX_MAX 64
#define LONGEST_LINE 1024

/* The walk and its sink inlined into record_line: called, they cost 3% of -n -r in stores and loads of a
 * Walk that the compiler can otherwise keep in registers. */
#if defined(_MSC_VER)
#define WALK_INLINE static __forceinline
#elif defined(__GNUC__)
#define WALK_INLINE static inline __attribute__((always_inline))
#else
#define WALK_INLINE static inline
#endif

static char flag_text[256][24];
static unsigned char flag_len[256];
static int flags_ready = 0;

typedef struct {
    char *buf;
    Py_ssize_t len;
    Py_ssize_t cap;
} Out;

static int
out_reserve(Out *o, Py_ssize_t more)
{
    if (o->len + more <= o->cap)
        return 0;
    Py_ssize_t cap = o->cap ? o->cap : (1 << 16);
    while (cap < o->len + more)
        cap *= 2;
    char *grown = PyMem_Realloc(o->buf, (size_t)cap);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->buf = grown;
    o->cap = cap;
    return 0;
}

static inline uint16_t
u16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline char *
put(char *w, const char *s, size_t n)
{
    memcpy(w, s, n);
    return w + n;
}

#define PUT(w, literal) put((w), (literal), sizeof(literal) - 1)

static inline char *
put_u32(char *w, uint32_t v)
{
    char tmp[10];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        *w++ = tmp[--i];
    return w;
}

/* The fraction as tcpdump prints it: printf("%06u", (unsigned)frac), so -1 is 4294967295. */
static char *
put_frac(char *w, long long frac)
{
    uint32_t v = (uint32_t)frac;
    if (v < 1000000) {
        for (int i = 5; i >= 0; i--) {
            w[i] = (char)('0' + v % 10);
            v /= 10;
        }
        return w + 6;
    }
    return w + sprintf(w, "%06u", (unsigned)v);
}

static char *
put_ipv4(char *w, const uint8_t *a)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            *w++ = '.';
        w = put_u32(w, a[i]);
    }
    return w;
}

/* inet_ntop(AF_INET6) as glibc (and BIND before it) writes it, which is what socket.inet_ntop gives on
 * Linux: the longest run of two or more zero groups (the first of equal runs) becomes "::", hex in lower
 * case, and an IPv4-compatible or IPv4-mapped address ends in dotted quad. */
static char *
put_ipv6(char *w, const uint8_t *a)
{
    static const char hex[] = "0123456789abcdef";
    unsigned words[8];
    int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
    for (int i = 0; i < 8; i++) {
        words[i] = (unsigned)(a[2 * i] << 8 | a[2 * i + 1]);
        if (words[i] == 0) {
            if (cur_base == -1) {
                cur_base = i;
                cur_len = 1;
            }
            else
                cur_len++;
        }
        else if (cur_base != -1) {
            if (best_base == -1 || cur_len > best_len) {
                best_base = cur_base;
                best_len = cur_len;
            }
            cur_base = -1;
        }
    }
    if (cur_base != -1 && (best_base == -1 || cur_len > best_len)) {
        best_base = cur_base;
        best_len = cur_len;
    }
    if (best_base != -1 && best_len < 2)
        best_base = -1;
    for (int i = 0; i < 8; i++) {
        if (best_base != -1 && i >= best_base && i < best_base + best_len) {
            if (i == best_base)
                *w++ = ':';
            continue;
        }
        if (i != 0)
            *w++ = ':';
        if (i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
            w = put_ipv4(w, a + 12);
            return w;
        }
        unsigned v = words[i];
        if (v >= 0x1000)
            *w++ = hex[v >> 12];
        if (v >= 0x100)
            *w++ = hex[(v >> 8) & 0xf];
        if (v >= 0x10)
            *w++ = hex[(v >> 4) & 0xf];
        *w++ = hex[v & 0xf];
    }
    if (best_base != -1 && best_base + best_len == 8)
        *w++ = ':';
    return w;
}

static char *
put_address(char *w, const uint8_t *a, int size)
{
    return size == 4 ? put_ipv4(w, a) : put_ipv6(w, a);
}

/* Names the Python passes in (set_names): HTTP's request methods and status-line start, tcpdump's NTP mode
 * names, syslog facility and severity names and TCP option words, indexed by the number. */
typedef struct {
    char text[32][24];
    unsigned char len[32];
    Py_ssize_t count;
} Names;

static Names http_starts, ntp_modes, syslog_facilities, syslog_severities, tcp_option_words;
static int names_ready = 0;

/* Room for more bytes at w, which points into out's buffer past out->len: the new w (the buffer may move),
 * or NULL with MemoryError set. */
static char *
ensure(Out *out, char *w, Py_ssize_t more)
{
    Py_ssize_t at = w - out->buf;
    if (at + more <= out->cap)
        return w;
    if (out_reserve(out, at + more - out->len) < 0)
        return NULL;
    return out->buf + at;
}

/* fastsummary._http_text and lean.http_first_line (tcpdump's print_txt_line): the HTTP part of a TCP line
 * whose payload of plen bytes starts at p, of which avail bytes were captured. NULL when memory runs out. */
static char *
put_http(Out *out, char *w, const uint8_t *p, Py_ssize_t avail, long plen)
{
    Py_ssize_t cap = avail < (Py_ssize_t)plen ? avail : (Py_ssize_t)plen;
    if (cap < 0)
        cap = 0;
    int starts = 0;
    for (Py_ssize_t k = 0; k < http_starts.count; k++) {
        size_t len = http_starts.len[k];
        if ((size_t)cap >= len && memcmp(p, http_starts.text[k], len) == 0) {
            starts = 1;
            break;
        }
    }
    if (!starts)
        return PUT(w, ": HTTP");
    Py_ssize_t j = 0;
    while (j < cap && (p[j] == '\t' || (p[j] >= 0x20 && p[j] <= 0x7e)))
        j++;
    int line = 0, cut = 0;
    if (j == (Py_ssize_t)plen)
        line = cut = 1;
    else if (j == cap)
        cut = 1;
    else if (p[j] == '\n')
        line = 1;
    else if (p[j] == '\r') {
        if (j + 1 >= (Py_ssize_t)plen)
            ;
        else if (j + 1 >= cap)
            cut = 1;
        else if (p[j + 1] == '\n')
            line = 1;
    }
    if (line) {
        w = ensure(out, w, j + 32);
        if (w == NULL)
            return NULL;
        w = PUT(w, ": HTTP: ");
        w = put(w, (const char *)p, (size_t)j);
    }
    else
        w = PUT(w, ": HTTP");
    if (cut)
        w = PUT(w, " [|http]");
    return w;
}

/* "{label}{src}.{sport} > {dst}.{dport}: " */
static char *
put_flow(char *w, const uint8_t *key, int size, unsigned sport, unsigned dport)
{
    w = size == 4 ? PUT(w, "IP ") : PUT(w, "IP6 ");
    w = put_address(w, key, size);
    *w++ = '.';
    w = put_u32(w, sport);
    w = PUT(w, " > ");
    w = put_address(w, key + size, size);
    *w++ = '.';
    w = put_u32(w, dport);
    return PUT(w, ": ");
}

/* text._tcp_options for the options this module prints, with the words of set_names; any other option
 * (sack, mptcp, tfo, unknown) leaves the frame to the Python. Returns NULL for that. */
#define OPTION_KINDS 9 /* the words passed in: kinds 0 (eol) to 8 (TS) */
#define PUT_OPTION(w, kind) put((w), tcp_option_words.text[kind], tcp_option_words.len[kind])

/* The options of almost every segment of a Linux conversation (nop, nop, timestamps) as one piece, up to
 * the first value; made by set_names from the words. */
static char timestamps_start[96]; /* 11 + 3 words of at most 23 + 2 + 5 */
static size_t timestamps_start_len;

/* The options of a segment's header (raw, n bytes), as text.py's _tcp_options writes them without
 * brackets; NULL for those it leaves to text.py. *bad is set where tcpdump's "[bad opt]" ends the line (the
 * list's "]" written then, as tcpdump does after another option). */
static char *
put_tcp_options(char *w, const uint8_t *raw, Py_ssize_t n, int *bad)
{
    Py_ssize_t i = 0;
    int first = 1;
    while (i < n) {
        unsigned kind = raw[i];
        int after = !first;
        if (!first)
            *w++ = ',';
        first = 0;
        if (kind == 0) {
            w = PUT_OPTION(w, 0);
            break;
        }
        if (kind == 1) {
            w = PUT_OPTION(w, 1);
            i++;
            continue;
        }
        if (i + 1 >= n) /* tcpdump reads the length past the header: the payload's, or the capture's end */
            return NULL;
        if (raw[i + 1] < 2 || i + raw[i + 1] > n) {
            w = PUT(w, "[bad opt]");
            if (after)
                *w++ = ']';
            *bad = 1;
            return w;
        }
        unsigned size = raw[i + 1];
        const uint8_t *body = raw + i + 2;
        if (kind == 2 && size == 4) {
            w = PUT_OPTION(w, 2);
            *w++ = ' ';
            w = put_u32(w, u16(body));
        }
        else if (kind == 3 && size == 3) {
            w = PUT_OPTION(w, 3);
            *w++ = ' ';
            w = put_u32(w, body[0]);
        }
        else if (kind == 4 && size == 2)
            w = PUT_OPTION(w, 4);
        else if (kind == 8 && size == 10) {
            w = PUT_OPTION(w, 8);
            w = PUT(w, " val ");
            w = put_u32(w, u32(body));
            w = PUT(w, " ecr ");
            w = put_u32(w, u32(body + 4));
        }
        else
            return NULL;
        i += size;
    }
    return w;
}

/* text.py's DNS tables (type, class, opcode and rcode names), passed in by fastsummary. */
typedef struct {
    unsigned key;
    char text[24];
} Name;

typedef struct {
    Name *names;
    Py_ssize_t count;
} Table;

static Table dns_types, dns_classes, dns_ops, dns_rcodes;
static int dns_ready = 0;

static const Name *
lookup(const Table *table, unsigned key)
{
    for (Py_ssize_t i = 0; i < table->count; i++)
        if (table->names[i].key == key)
            return &table->names[i];
    return NULL;
}

static int
out_put(Out *out, const char *s, size_t n)
{
    if (out_reserve(out, (Py_ssize_t)n) < 0)
        return -1;
    memcpy(out->buf + out->len, s, n);
    out->len += (Py_ssize_t)n;
    return 0;
}

#define OUT_LIT(out, literal) out_put((out), (literal), sizeof(literal) - 1)

static int
out_u32(Out *out, uint32_t v)
{
    char tmp[12];
    char *end = put_u32(tmp, v);
    return out_put(out, tmp, (size_t)(end - tmp));
}

/* A name from table, or the fallback "{before}{key}" (e.g. "Type" 99, " op" 3). */
static int
out_name(Out *out, const Table *table, unsigned key, const char *before)
{
    const Name *name = lookup(table, key);
    if (name != NULL)
        return out_put(out, name->text, strlen(name->text));
    if (out_put(out, before, strlen(before)) < 0)
        return -1;
    return out_u32(out, key);
}

/* text._dns_class: " CHAOS", " (Class 7)", nothing for IN (its table maps 1 to ""). */
static int
out_class(Out *out, unsigned value)
{
    const Name *name = lookup(&dns_classes, value);
    if (name != NULL)
        return out_put(out, name->text, strlen(name->text));
    if (OUT_LIT(out, " (Class ") < 0 || out_u32(out, value) < 0)
        return -1;
    return OUT_LIT(out, ")");
}

/* lean.printable_text (tcpdump's fn_print_char) of n bytes; room for 4 * n at w. */
static char *
put_printable(char *w, const uint8_t *p, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        unsigned c = p[k];
        if (c >= 0x80) {
            *w++ = 'M';
            *w++ = '-';
            c &= 0x7F;
        }
        if (c < 0x20 || c == 0x7F) {
            *w++ = '^';
            c ^= 0x40;
        }
        *w++ = (char)c;
    }
    return w;
}

#define DNS_BAD (-1)
#define DNS_NOMEM (-2)

/* lean._dns_name: a possibly compressed name at pos of the message m (end bytes); its dotted text is
 * appended to out when out is not NULL; *after is where the name ends in the message. */
static int
dns_name(const uint8_t *m, Py_ssize_t pos, Py_ssize_t end, Out *out, Py_ssize_t *after)
{
    Py_ssize_t resume = -1;
    int jumps = 0, labels = 0;
    for (;;) {
        if (pos >= end)
            return DNS_BAD;
        unsigned n = m[pos];
        if (n == 0) {
            pos++;
            break;
        }
        if ((n & 0xC0) == 0xC0) {
            if (pos + 1 >= end || jumps > 32)
                return DNS_BAD;
            if (resume < 0)
                resume = pos + 2;
            pos = (Py_ssize_t)((n & 0x3F) << 8 | m[pos + 1]);
            jumps++;
            continue;
        }
        if ((n & 0xC0) || pos + 1 + (Py_ssize_t)n > end)
            return DNS_BAD;
        if (out != NULL) {
            if (out_reserve(out, 4 * (Py_ssize_t)n + 1) < 0)
                return DNS_NOMEM;
            char *w = out->buf + out->len;
            if (labels)
                *w++ = '.';
            w = put_printable(w, m + pos + 1, (Py_ssize_t)n);
            out->len = w - out->buf;
        }
        labels++;
        pos += 1 + n;
    }
    if (out != NULL && OUT_LIT(out, ".") < 0)
        return DNS_NOMEM;
    *after = resume >= 0 ? resume : pos;
    return 0;
}

/* lean._dns_skip (tcpdump's ns_nskip): where a name ends, a compression pointer ending it unfollowed;
 * -1 where a length byte is past the end or a label type is unknown. */
static int
dns_skip(const uint8_t *m, Py_ssize_t pos, Py_ssize_t end, Py_ssize_t *after)
{
    if (pos >= end)
        return -1;
    unsigned n = m[pos++];
    while (n) {
        if ((n & 0xC0) == 0xC0) {
            *after = pos + 1;
            return 0;
        }
        if (n & 0xC0)
            return -1;
        pos += n;
        if (pos >= end)
            return -1;
        n = m[pos++];
    }
    *after = pos;
    return 0;
}

/* lean.dns_extended_rcode: the upper bits of a response's rcode its first OPT record carries (0 where
 * print-domain.c's first pass stops before one). */
static unsigned
dns_extended(const uint8_t *m, Py_ssize_t end, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    Py_ssize_t pos = 12, after;
    for (unsigned i = 0; i < qd; i++) {
        if (dns_skip(m, pos, end, &after) < 0 || after + 4 >= end)
            return 0;
        pos = after + 4;
    }
    for (unsigned i = 0; i < an + ns; i++) {
        if (dns_skip(m, pos, end, &after) < 0 || after + 10 > end)
            return 0;
        pos = after + 10 + u16(m + after + 8);
        if (pos >= end)
            return 0;
    }
    for (unsigned i = 0; i < ar; i++) {
        if (dns_skip(m, pos, end, &after) < 0 || after + 5 > end)
            return 0;
        if (u16(m + after) == 41)
            return m[after + 4];
        if (after + 10 > end)
            return 0;
        pos = after + 10 + u16(m + after + 8);
        if (pos >= end)
            return 0;
    }
    return 0;
}

typedef struct {
    unsigned rtype;
    unsigned rclass;
    int kind; /* 0: no data shown, 1: A, 28: AAAA, 2: a name, 15: MX, 16: TXT, -1: not read (a lone comma) */
    Py_ssize_t at, stop;
} Answer;

/* Whether the TXT strings of [pos, stop) lie within the message's end (lean._txt_text's second value). */
static int
txt_whole(const uint8_t *m, Py_ssize_t pos, Py_ssize_t stop, Py_ssize_t end)
{
    while (pos < stop) {
        if (pos >= end || pos + 1 + m[pos] > end)
            return 0;
        pos += 1 + m[pos];
    }
    return 1;
}

/* lean._txt_text: ' "string"' for each string, the last one cut short (no closing quote) where the
 * message ends in it. */
static int
out_txt(Out *out, const uint8_t *m, Py_ssize_t pos, Py_ssize_t stop, Py_ssize_t end)
{
    while (pos < stop && pos < end) {
        Py_ssize_t n = m[pos], avail = pos + 1 + n <= end ? n : end - pos - 1;
        if (out_reserve(out, 4 * avail + 4) < 0)
            return -1;
        char *w = out->buf + out->len;
        *w++ = ' ';
        *w++ = '"';
        w = put_printable(w, m + pos + 1, avail);
        if (avail == n)
            *w++ = '"';
        out->len = w - out->buf;
        if (avail < n)
            break;
        pos += 1 + n;
    }
    return 0;
}

/* The DNS part of a line (lean._dns, then text._dns_text and fastsummary._dns_line's " [|domain]") for the
 * message m of length bytes, appended to out: 1, or 0 where the lean decoder would not call it DNS
 * (shorter than a header), or -1 when memory runs out. */
static int
dns_text(Out *out, const uint8_t *m, Py_ssize_t length, Py_ssize_t wire, int mdns)
{
    if (length < 12)
        return 0;
    unsigned ident = u16(m), flags = u16(m + 2), qd = u16(m + 4), an = u16(m + 6), ns = u16(m + 8),
             ar = u16(m + 10);
    Py_ssize_t end = length, pos = 12, after;
    int cut = 0, questions = 0, answers = 0;
    Py_ssize_t qname = 0;
    unsigned qtype = 0, qclass = 0;
    Answer shown[16];
    int questions_cut = 0;
    unsigned skipped = 0; /* the questions stepped over before one that is cut: tcpdump prints a comma after each */
    unsigned remaining = 0;
    if ((flags & 0x8000) && ar && dns_extended(m, end, qd, an, ns, ar))
        return 0; /* an OPT record extends the rcode: the Python prints it */
    if (!(flags & 0x8000)) { /* a query: its first question, nothing further */
        if (qd) {
            Py_ssize_t named;
            if (dns_skip(m, pos, end, &after) < 0 || after + 4 > end || dns_name(m, pos, end, NULL, &named) < 0)
                cut = 1;
            else {
                qname = pos;
                qtype = u16(m + after);
                qclass = u16(m + after + 2);
                questions = 1;
            }
        }
    }
    else {
        for (unsigned i = 0; i < qd; i++) { /* a response: step over the questions */
            if (dns_skip(m, pos, end, &after) < 0) {
                questions_cut = cut = 1;
                skipped = i;
                break;
            }
            pos = after + 4;
        }
        if (an > 16)
            return 0; /* more answers than this module keeps: the Python prints them */
        remaining = questions_cut ? 0 : an;
    }

    while (remaining && !cut && (pos < end || answers == 0)) {
        remaining--;
        Answer *a = &shown[answers];
        if (dns_skip(m, pos, end, &after) < 0 || after + 10 > end) {
            a->kind = -1; /* tcpdump stops reading answers here, quietly */
            answers++;
            break;
        }
        pos = after;
        unsigned rtype = u16(m + pos), rclass = u16(m + pos + 2), rdlen = u16(m + pos + 8);
        pos += 10;
        a->rtype = rtype;
        a->rclass = rclass;
        a->kind = 0;
        a->at = pos;
        a->stop = pos + rdlen;
        if (pos + (Py_ssize_t)rdlen > end) { /* tcpdump prints the type before it reads the data */
            answers++;
            cut = 1;
            break;
        }
        if (rtype == 39 || rtype == 33 || rtype == 256)
            return 0; /* DNAME, SRV, URI: the Python prints their data */
        if (rtype == 1 && rdlen == 4)
            a->kind = 1;
        else if (rtype == 28 && rdlen == 16)
            a->kind = 28;
        else if (rtype == 2 || rtype == 5 || rtype == 12)
            a->kind = 2;
        else if (rtype == 15 && rdlen >= 3) {
            a->kind = 15;
            a->at = pos + 2;
        }
        else if (rtype == 16) {
            a->kind = 16;
            if (!txt_whole(m, pos, pos + rdlen, end)) {
                answers++;
                cut = 1;
                break;
            }
        }
        if ((a->kind == 2 || a->kind == 15) && dns_name(m, a->at, end, NULL, &after) < 0) {
            a->kind = 0;
            answers++;
            cut = 1;
            break;
        }
        answers++;
        pos += rdlen;
    }
    if (remaining)
        cut = 1;

    unsigned opcode = (flags >> 11) & 0xF;
    if (out_u32(out, ident) < 0 || out_name(out, &dns_ops, opcode, " op") < 0)
        return -1;
    if (flags & 0x8000) {
        if (out_name(out, &dns_rcodes, flags & 0xF, " Resp") < 0)
            return -1;
        if ((flags & 0x0400) && OUT_LIT(out, "*") < 0)
            return -1;
        if (!(flags & 0x0080) && OUT_LIT(out, "-") < 0)
            return -1;
        if ((flags & 0x0200) && OUT_LIT(out, "|") < 0)
            return -1;
        if ((flags & 0x0020) && OUT_LIT(out, "$") < 0)
            return -1;
        if (qd != 1 && (OUT_LIT(out, " [") < 0 || out_u32(out, qd) < 0 || OUT_LIT(out, "q]") < 0))
            return -1;
        for (unsigned i = 0; questions_cut && i < skipped; i++)
            if (OUT_LIT(out, ",") < 0)
                return -1;
        if (questions_cut)
            return OUT_LIT(out, " [|domain]\n") < 0 ? -1 : 1;
        if (OUT_LIT(out, " ") < 0 || out_u32(out, an) < 0 || OUT_LIT(out, "/") < 0 || out_u32(out, ns) < 0
            || OUT_LIT(out, "/") < 0 || out_u32(out, ar) < 0)
            return -1;
        for (int i = 0; i < answers; i++) {
            const Answer *a = &shown[i];
            if (i && OUT_LIT(out, ",") < 0)
                return -1;
            if (a->kind == -1)
                continue;
            unsigned rclass = mdns ? a->rclass & 0x7FFF : a->rclass;
            if (out_class(out, rclass) < 0 || (mdns && (a->rclass & 0x8000) && OUT_LIT(out, " (Cache flush)") < 0))
                return -1;
            if (OUT_LIT(out, " ") < 0 || out_name(out, &dns_types, a->rtype, "Type") < 0)
                return -1;
            if (a->kind == 0)
                continue;
            if (a->kind == 16) {
                if (out_txt(out, m, a->at, a->stop, end) < 0)
                    return -1;
                continue;
            }
            if (OUT_LIT(out, " ") < 0 || out_reserve(out, 64) < 0)
                return -1;
            if (a->kind == 1)
                out->len = put_ipv4(out->buf + out->len, m + a->at) - out->buf;
            else if (a->kind == 28)
                out->len = put_ipv6(out->buf + out->len, m + a->at) - out->buf;
            else {
                if (dns_name(m, a->at, end, out, &after) == DNS_NOMEM)
                    return -1;
                if (a->kind == 15 && (OUT_LIT(out, " ") < 0 || out_u32(out, u16(m + a->at - 2)) < 0))
                    return -1;
            }
        }
    }
    else {
        if ((flags & 0x0100) && OUT_LIT(out, "+") < 0)
            return -1;
        if ((flags & 0x0010) && OUT_LIT(out, "%") < 0)
            return -1;
        if (flags & 0x6CF) {
            char tmp[24];
            int k = snprintf(tmp, sizeof(tmp), " [b2&3=0x%x]", flags);
            if (out_put(out, tmp, (size_t)k) < 0)
                return -1;
        }
        if (an && (OUT_LIT(out, " [") < 0 || out_u32(out, an) < 0 || OUT_LIT(out, "a]") < 0))
            return -1;
        if (qd != 1 && (OUT_LIT(out, " [") < 0 || out_u32(out, qd) < 0 || OUT_LIT(out, "q]") < 0))
            return -1;
        if (ns && (OUT_LIT(out, " [") < 0 || out_u32(out, ns) < 0 || OUT_LIT(out, "n]") < 0))
            return -1;
        if (ar && (OUT_LIT(out, " [") < 0 || out_u32(out, ar) < 0 || OUT_LIT(out, "au]") < 0))
            return -1;
        if (questions) {
            if (OUT_LIT(out, " ") < 0 || out_name(out, &dns_types, qtype, "Type") < 0
                || out_class(out, mdns ? qclass & 0x7FFF : qclass) < 0)
                return -1;
            if (mdns && ((qclass & 0x8000) ? OUT_LIT(out, " (QU)") : OUT_LIT(out, " (QM)")) < 0)
                return -1;
            if (OUT_LIT(out, "? ") < 0 || dns_name(m, qname, end, out, &after) == DNS_NOMEM)
                return -1;
        }
    }
    if (cut)
        return OUT_LIT(out, " [|domain]\n") < 0 ? -1 : 1;
    if (OUT_LIT(out, " (") < 0 || out_u32(out, (uint32_t)wire) < 0 || OUT_LIT(out, ")\n") < 0)
        return -1;
    return 1;
}

/* Relative sequence numbers: text.TcpSequences.relative, on the same dict (bytes key of the conversation
 * to seq_base << 32 | ack_base), so that the Python and this module share one state. Changes *seq and
 * *ack in place; -1 with an exception set on failure. */
typedef struct {
    PyObject *table; /* a dict, or NULL for absolute numbers */
    Py_ssize_t limit;
} Sequences;

static int
relative(const Sequences *seqs, const uint8_t *src, const uint8_t *dst, int size, unsigned sport,
         unsigned dport, unsigned flags, uint32_t *seq, uint32_t *ack)
{
    uint8_t key[36];
    int rev = sport > dport || (sport == dport && memcmp(src, dst, (size_t)size) > 0);
    unsigned first = rev ? dport : sport, second = rev ? sport : dport;
    memcpy(key, rev ? dst : src, (size_t)size);
    memcpy(key + size, rev ? src : dst, (size_t)size);
    key[2 * size] = (uint8_t)(first >> 8);
    key[2 * size + 1] = (uint8_t)first;
    key[2 * size + 2] = (uint8_t)(second >> 8);
    key[2 * size + 3] = (uint8_t)second;
    PyObject *k = PyBytes_FromStringAndSize((const char *)key, 2 * size + 4);
    if (k == NULL)
        return -1;
    PyObject *base = PyDict_GetItemWithError(seqs->table, k); /* borrowed */
    if (base == NULL && PyErr_Occurred()) {
        Py_DECREF(k);
        return -1;
    }
    if (base == NULL || (flags & 0x02)) {
        uint32_t thseq = rev ? *ack - 1 : *seq, thack = rev ? *seq : *ack - 1;
        if (base != NULL || PyDict_GET_SIZE(seqs->table) < seqs->limit) {
            PyObject *value = PyLong_FromUnsignedLongLong((unsigned long long)thseq << 32 | thack);
            if (value == NULL || PyDict_SetItem(seqs->table, k, value) < 0) {
                Py_XDECREF(value);
                Py_DECREF(k);
                return -1;
            }
            Py_DECREF(value);
        }
        Py_DECREF(k);
        return 0; /* the segment that records the conversation prints absolute numbers */
    }
    unsigned long long both = PyLong_AsUnsignedLongLong(base);
    Py_DECREF(k);
    if (both == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    uint32_t thseq = (uint32_t)(both >> 32), thack = (uint32_t)both;
    *seq -= rev ? thack : thseq;
    *ack -= rev ? thseq : thack;
    return 0;
}

static char *
put_ntp(char *w, const uint8_t *f, Py_ssize_t start, Py_ssize_t stop, unsigned length)
{
    if (start >= stop) {
        w = PUT(w, " [|ntp]\n");
        return w;
    }
    w = PUT(w, "NTPv");
    w = put_u32(w, (f[start] >> 3) & 7);
    w = PUT(w, ", ");
    unsigned mode = f[start] & 7;
    w = put(w, ntp_modes.text[mode], ntp_modes.len[mode]);
    w = PUT(w, ", length ");
    w = put_u32(w, length);
    *w++ = '\n';
    return w;
}

static char *
put_syslog(char *w, const uint8_t *f, Py_ssize_t start, Py_ssize_t stop, unsigned length)
{
    if (start >= stop)
        return PUT(w, " [|syslog]\n");
    if (f[start] != '<')
        return PUT(w, " (invalid)\n");
    Py_ssize_t at = start + 1;
    unsigned priority = 0;
    while (at <= start + 3) {
        if (at >= stop)
            return PUT(w, " [|syslog]\n");
        if (f[at] < '0' || f[at] > '9')
            break;
        priority = priority * 10 + (unsigned)(f[at] - '0');
        at++;
    }
    if (at >= stop)
        return PUT(w, " [|syslog]\n");
    if (f[at] != '>')
        return PUT(w, " (invalid)\n");
    unsigned facility = (priority & 0x3F8) >> 3;
    w = PUT(w, "SYSLOG ");
    if ((Py_ssize_t)facility < syslog_facilities.count)
        w = put(w, syslog_facilities.text[facility], syslog_facilities.len[facility]);
    else {
        w = PUT(w, "unknown (");
        w = put_u32(w, facility);
        *w++ = ')';
    }
    *w++ = '.';
    w = put(w, syslog_severities.text[priority & 7], syslog_severities.len[priority & 7]);
    w = PUT(w, ", length: ");
    w = put_u32(w, length);
    *w++ = '\n';
    return w;
}

/* --- classic pcap records, read in place ------------------------------------------------------------
 * A record of a classic pcap file in this machine's byte order, as libpcap reads it (savefile/format.py's
 * record_header: signed 32-bit times, unsigned lengths). Every sink that reads a file in place reads its
 * records with pcap_record. */
typedef struct {
    int32_t sec, frac;
    uint32_t caplen, length;
    const uint8_t *data;
} PcapRecord;

/* The record at pos of buf[0..end) into *r: 1, or 0 where its header or bytes do not fit in buf or its
 * captured length exceeds max_caplen (the caller decides what that record is). */
static inline int
pcap_record(const uint8_t *buf, Py_ssize_t end, Py_ssize_t pos, Py_ssize_t max_caplen, PcapRecord *r)
{
    if (pos + 16 > end)
        return 0;
    memcpy(&r->sec, buf + pos, 4);
    memcpy(&r->frac, buf + pos + 4, 4);
    memcpy(&r->caplen, buf + pos + 8, 4);
    memcpy(&r->length, buf + pos + 12, 4);
    if ((Py_ssize_t)r->caplen > end - pos - 16 || (Py_ssize_t)r->caplen > max_caplen)
        return 0;
    r->data = buf + pos + 16;
    return 1;
}

/* --- the walk ---------------------------------------------------------------------------------------
 * One pass over the headers of an Ethernet frame into a Walk: the offsets and fields every fast sink reads
 * (the summary line below; a JSON object or a table's row next), so that no sink parses a header again.
 * pycapture/decode/walk.py is the same walk in Python, into the same fields in the same order (walk()
 * below returns them as a tuple, which the Python's Walk names); tests hold the two equal over the corpus.
 * Its scope is the frames most traffic is made of: Ethernet with at most one 802.1Q tag, IPv4 without
 * options and not a later fragment or IPv6 without extension headers, then TCP, UDP, ICMP or ICMPv6, each
 * header whole in the capture. walk_ethernet leaves any other frame (returns 0) to the lean decoder. */

/* What the payload is, by its ports: decode/walk.py's APP_* codes, and its TCP_APPS and UDP_APPS tables
 * (set_ports); where both ports name one, the smaller code wins. */
enum { APP_NONE = 0, APP_DNS = 1, APP_MDNS = 2, APP_HTTP = 3, APP_BOOTP = 4, APP_NTP = 5, APP_SYSLOG = 6, APP_LEAN = 7 };

static unsigned char tcp_apps[65536], udp_apps[65536];
#define SSH_PORT 22 /* numbers.TCPDUMP_TCP_PORT_ORDER's "ssh" */
static int ports_ready = 0;

/* decode/walk.py's Walk: offsets count from the frame's first byte; what does not apply is 0. */
typedef struct {
    unsigned ethertype;   /* after the tag, if any */
    long vlan;            /* the 802.1Q tag's TCI, -1 for none */
    Py_ssize_t network;   /* the IP header */
    unsigned ip_version;  /* 4 or 6 */
    Py_ssize_t addresses; /* the source address; the destination follows, 4 or 16 bytes on */
    unsigned ttl;         /* TTL or hop limit */
    unsigned proto;       /* IPv4's protocol, IPv6's next header */
    long ip_payload;      /* the IP payload's length */
    unsigned ip_ident;    /* IPv4's identification */
    unsigned fragment;    /* IPv4's flags and fragment offset field */
    Py_ssize_t transport; /* the TCP, UDP or ICMP header */
    unsigned sport, dport;
    uint32_t seq, ack;
    unsigned tcp_flags; /* the flags byte, NS (AE) as 0x100 */
    unsigned window;
    Py_ssize_t tcp_header; /* TCP header length: options are [transport + 20, transport + tcp_header) */
    unsigned icmp_type, icmp_code;
    uint32_t icmp_rest;
    Py_ssize_t payload;   /* after the TCP or UDP header, or ICMP's 8 bytes */
    long payload_length;  /* on the wire: TCP's, UDP's (its length field less 8), ICMP's (IP's less 8) */
    unsigned app;         /* APP_* */
} Walk;

static inline unsigned
app_of(const unsigned char *apps, unsigned sport, unsigned dport)
{
    unsigned a = apps[sport], b = apps[dport];
    return a && b ? (a < b ? a : b) : (a ? a : b);
}

/* The EtherType of the Ethernet frame f of n captured bytes past at most one 802.1Q tag, the network
 * layer's offset in *o and the tag's TCI in *vlan (-1: no tag); 0 where the header or the tag is cut. */
static inline unsigned
ether_type(const uint8_t *f, Py_ssize_t n, Py_ssize_t *o, long *vlan)
{
    *o = 14;
    *vlan = -1;
    if (n < 14)
        return 0;
    unsigned etype = u16(f + 12);
    if (etype != 0x8100)
        return etype;
    if (n < 18)
        return 0;
    *o = 18;
    *vlan = u16(f + 14);
    return u16(f + 16);
}

/* Walk the Ethernet frame f of n captured bytes into *k: 1, or 0 for a frame outside the walk's scope.
 * Only the fields on the frame's path are written; the caller zeroes *k first where it reads the others
 * (walk() does; the summary line reads only its path's, and a memset there costs 1% of -n -r). */
WALK_INLINE int
walk_ethernet(const uint8_t *f, Py_ssize_t n, Walk *k)
{
    if (n < 34)
        return 0;
    unsigned etype = u16(f + 12);
    Py_ssize_t o = 14, t;
    k->vlan = -1;
    if (etype == 0x8100) {
        k->vlan = u16(f + 14);
        etype = u16(f + 16);
        o = 18;
    }
    k->ethertype = etype;
    k->network = o;
    if (etype == 0x0800) {
        if (n < o + 28 || f[o] != 0x45) /* no IP options */
            return 0;
        unsigned total = u16(f + o + 2), frag = u16(f + o + 6);
        if ((frag & 0x1FFF) || total < 20)
            return 0;
        k->ip_version = 4;
        k->ip_payload = (long)total - 20;
        k->ip_ident = u16(f + o + 4);
        k->fragment = frag;
        k->ttl = f[o + 8];
        k->proto = f[o + 9];
        k->addresses = o + 12;
        t = o + 20;
    }
    else if (etype == 0x86DD) {
        if (n < o + 48 || f[o] >> 4 != 6 || u16(f + o + 4) == 0) /* 0: a jumbogram's mark (RFC 2675) */
            return 0;
        k->ip_version = 6;
        k->ip_payload = u16(f + o + 4);
        k->proto = f[o + 6];
        k->ttl = f[o + 7];
        k->addresses = o + 8;
        t = o + 40;
    }
    else
        return 0;
    k->transport = t;
    if (k->proto == 6) {
        if (n < t + 20)
            return 0;
        Py_ssize_t hl = (Py_ssize_t)(f[t + 12] >> 4) << 2;
        long plen = k->ip_payload - (long)hl;
        if (hl < 20 || n < t + hl || plen < 0)
            return 0;
        k->sport = u16(f + t);
        k->dport = u16(f + t + 2);
        k->seq = u32(f + t + 4);
        k->ack = u32(f + t + 8);
        k->tcp_flags = f[t + 13] | (unsigned)(f[t + 12] & 0x01) << 8;
        k->window = u16(f + t + 14);
        k->tcp_header = hl;
        k->payload = t + hl;
        k->payload_length = plen;
        k->app = app_of(tcp_apps, k->sport, k->dport);
        return 1;
    }
    if (k->proto == 17) {
        unsigned ulen = u16(f + t + 4);
        if (ulen < 8 || (long)ulen > k->ip_payload) /* print-udp.c's complaints are the general path's */
            return 0;
        k->sport = u16(f + t);
        k->dport = u16(f + t + 2);
        k->payload = t + 8;
        k->payload_length = (long)ulen - 8;
        k->app = app_of(udp_apps, k->sport, k->dport);
        return 1;
    }
    if ((k->proto == 1 && k->ip_version == 4) || (k->proto == 58 && k->ip_version == 6)) {
        /* tcpdump refuses ICMP over IPv6 and ICMPv6 over IPv4: the lean decoder says so */
        k->icmp_type = f[t];
        k->icmp_code = f[t + 1];
        k->icmp_rest = u32(f + t + 4);
        k->payload = t + 8;
        k->payload_length = k->ip_payload - 8;
        return 1;
    }
    return 0;
}

/* --- the summary line: a sink of the walk ------------------------------------------------------------ */

/* The line (with its newline) of the walked frame f of n captured bytes, as fastsummary._walk_line
 * writes it, or NULL where that function returns None or where the Python must print it (a TCP option
 * put_tcp_options leaves), with an exception set when memory ran out. w points into out's buffer, which
 * has room for LONGEST_LINE from w; DNS text grows it as needed, so the result may be in a new buffer. */
WALK_INLINE char *
walk_line(Out *out, char *w, const uint8_t *f, Py_ssize_t n, const Walk *k, const Sequences *seqs)
{
    int size = k->ip_version == 4 ? 4 : 16;
    const uint8_t *src = f + k->addresses, *dst = src + size;
    Py_ssize_t t = k->transport;
    if (k->proto == 6) {
        /* print-ssh.c prints a version banner only: a payload on SSH's port (and no other printer's) whose
         * first bytes differ from "SSH-" (before the capture or the segment ends) prints nothing more, here */
        int plain_ssh = 0;
        if (k->payload_length > 0 && ((k->sport == SSH_PORT && tcp_apps[k->dport] == APP_NONE)
                                      || (k->dport == SSH_PORT && tcp_apps[k->sport] == APP_NONE))) {
            Py_ssize_t seen = n - k->payload < k->payload_length ? n - k->payload : k->payload_length;
            for (Py_ssize_t i = 0; i < seen && i < 4 && !plain_ssh; i++)
                plain_ssh = f[k->payload + i] != (uint8_t)"SSH-"[i];
        }
        /* the lean decoder's; so is a payload between a lean port and DNS's or HTTP's, as tcpdump's
         * order of ports decides between them */
        if (k->app == APP_DNS || (k->payload_length > 0 && !plain_ssh && (k->app == APP_LEAN
                || tcp_apps[k->sport] == APP_LEAN || tcp_apps[k->dport] == APP_LEAN)))
            return NULL;
        if (k->tcp_flags & 0x20) /* URG: text.py prints the urgent pointer */
            return NULL;
        unsigned flags = k->tcp_flags & 0xFF;
        uint32_t seq = k->seq, ack = k->ack;
        Py_ssize_t hl = k->tcp_header;
        long plen = k->payload_length;
        int timestamps = hl == 32 && memcmp(f + t + 20, "\x01\x01\x08\x0a", 4) == 0;
        char options[400];
        char *options_end = options;
        int bad = 0;
        if (hl > 20 && !timestamps) {
            options_end = put_tcp_options(options, f + t + 20, hl - 20, &bad);
            if (options_end == NULL)
                return NULL;
        }
        if (seqs->table != NULL && (flags & 0x10)
            && relative(seqs, src, dst, size, k->sport, k->dport, flags, &seq, &ack) < 0)
            return NULL;
        w = put_flow(w, src, size, k->sport, k->dport);
        w = put(w, flag_text[flags], flag_len[flags]);
        if (plen) {
            w = PUT(w, ", seq ");
            w = put_u32(w, seq);
            *w++ = ':';
            w = put_u32(w, seq + (uint32_t)plen);
        }
        else if (flags & 0x07) {
            w = PUT(w, ", seq ");
            w = put_u32(w, seq);
        }
        if (flags & 0x10) {
            w = PUT(w, ", ack ");
            w = put_u32(w, ack);
        }
        w = PUT(w, ", win ");
        w = put_u32(w, k->window);
        if (timestamps) {
            w = put(w, timestamps_start, timestamps_start_len); /* ", options [nop,nop,TS val " */
            w = put_u32(w, u32(f + t + 24));
            w = PUT(w, " ecr ");
            w = put_u32(w, u32(f + t + 28));
            *w++ = ']';
        }
        else if (hl > 20) {
            w = PUT(w, ", options [");
            w = put(w, options, (size_t)(options_end - options));
            if (bad) { /* the line ends there */
                *w++ = '\n';
                return w;
            }
            *w++ = ']';
        }
        w = PUT(w, ", length ");
        w = put_u32(w, (uint32_t)plen);
        if (plen && k->app == APP_HTTP) {
            w = put_http(out, w, f + k->payload, n - k->payload, plen);
            if (w == NULL)
                return NULL;
        }
        *w++ = '\n';
        return w;
    }
    if (k->proto == 17) {
        w = put_flow(w, src, size, k->sport, k->dport);
        long message = k->payload_length;
        if (k->app == APP_DNS || k->app == APP_MDNS) {
            if (message > k->ip_payload - 8)
                message = k->ip_payload - 8; /* print-udp.c hands DNS the shorter of the UDP and IP lengths */
            Py_ssize_t captured = n - k->payload;
            Py_ssize_t mark = out->len;
            out->len = w - out->buf;
            int done = dns_text(out, f + k->payload, message < captured ? message : captured, message,
                                k->app == APP_MDNS);
            if (done <= 0) {
                out->len = mark;
                return NULL;
            }
            w = out->buf + out->len;
            out->len = mark;
            return w;
        }
        Py_ssize_t stop = n < t + k->ip_payload ? n : t + k->ip_payload; /* lean: min(captured, IP end) */
        if (k->app == APP_BOOTP || k->app == APP_LEAN) /* lean._bootp and text.py print it */
            return NULL;
        if (k->app == APP_NTP) /* lean._ntp, text: NTPv4, Client, length 48 */
            return put_ntp(w, f, k->payload, stop, (unsigned)message);
        if (k->app == APP_SYSLOG) /* lean._syslog */
            return put_syslog(w, f, k->payload, stop, (unsigned)message);
        w = PUT(w, "UDP, length ");
        w = put_u32(w, (uint32_t)message);
        *w++ = '\n';
        return w;
    }
    /* ICMP or ICMPv6: the echoes, whose id and sequence number the IP length holds, and ICMPv6's neighbor
     * solicitations and advertisements, whose target the capture and the IP length hold */
    if (k->ip_payload < 8)
        return NULL;
    unsigned echo = k->icmp_type;
    const char *name;
    int neighbor = k->proto == 58 && (echo == 135 || echo == 136);
    if (neighbor && (k->ip_payload < 24 || n < t + 24))
        return NULL;
    if (k->proto == 1) {
        if (echo != 0 && echo != 8)
            return NULL;
        name = echo ? "ICMP echo request" : "ICMP echo reply";
    }
    else if (neighbor)
        name = echo == 135 ? "ICMP6, neighbor solicitation, who has " : "ICMP6, neighbor advertisement, tgt is ";
    else {
        if (echo != 128 && echo != 129)
            return NULL;
        name = echo == 128 ? "ICMP6, echo request" : "ICMP6, echo reply";
    }
    w = size == 4 ? PUT(w, "IP ") : PUT(w, "IP6 ");
    w = put_address(w, src, size);
    w = PUT(w, " > ");
    w = put_address(w, dst, size);
    w = PUT(w, ": ");
    w = put(w, name, strlen(name));
    if (neighbor) { /* print-icmp6.c without -v: the target, then the length */
        w = put_address(w, f + t + 8, 16);
        w = PUT(w, ", length ");
        w = put_u32(w, (uint32_t)k->ip_payload);
        *w++ = '\n';
        return w;
    }
    w = PUT(w, ", id ");
    w = put_u32(w, k->icmp_rest >> 16);
    w = PUT(w, ", seq ");
    w = put_u32(w, k->icmp_rest & 0xFFFF);
    w = PUT(w, ", length ");
    w = put_u32(w, (uint32_t)k->ip_payload);
    *w++ = '\n';
    return w;
}

/* The time text before the fraction for second sec, from the Python second_prefix function: 1 when
 * known, 0 when that function gives None (the Python prints that record), -1 on an exception. strict:
 * anything but None or a short str is a ValueError (else it is as None). */
typedef struct {
    PyObject *function;
    long long sec;
    int valid; /* -1: nothing asked yet */
    char text[PREFIX_MAX];
    Py_ssize_t len;
} Prefix;

static int
prefix_for(Prefix *prefix, long long sec, int strict)
{
    if (prefix->valid != -1 && sec == prefix->sec)
        return prefix->valid;
    PyObject *result = PyObject_CallFunction(prefix->function, "L", sec);
    if (result == NULL)
        return -1;
    prefix->sec = sec;
    prefix->valid = 0;
    if (result != Py_None) {
        Py_ssize_t len;
        const char *text = PyUnicode_Check(result) ? PyUnicode_AsUTF8AndSize(result, &len) : NULL;
        if (text != NULL && len < PREFIX_MAX) {
            memcpy(prefix->text, text, (size_t)len);
            prefix->len = len;
            prefix->valid = 1;
        }
        else if (!strict) {
            PyErr_Clear();
        }
        else {
            Py_DECREF(result);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "the second's text must be a short str or None");
            prefix->valid = -1;
            return -1;
        }
    }
    Py_DECREF(result);
    return prefix->valid;
}

static PyObject *
finish(Out *out, PyObject *rest)
{
    PyObject *text = PyUnicode_DecodeUTF8(out->buf ? out->buf : "", out->len, "strict");
    PyMem_Free(out->buf);
    if (text == NULL) {
        Py_DECREF(rest);
        return NULL;
    }
    PyObject *result = PyTuple_New(1 + PyTuple_GET_SIZE(rest));
    if (result == NULL) {
        Py_DECREF(text);
        Py_DECREF(rest);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, text);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(rest); i++) {
        PyObject *item = PyTuple_GET_ITEM(rest, i);
        Py_INCREF(item);
        PyTuple_SET_ITEM(result, i + 1, item);
    }
    Py_DECREF(rest);
    return result;
}

/* GCC cannot see that walk_line reads only the fields that walk_ethernet wrote on the same path (TCP, UDP
 * or ICMP), and warns of the rest; zeroing the Walk to quiet it would cost 1% of -n -r. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/* Whether tcpdump prints a record of these captured and wire lengths (print.c's sanity checks): not
 * when either is 0 or above MAXIMUM_SNAPLEN, or the wire length is below the captured one. */
#define MAXIMUM_SNAPLEN 262144
static inline int
sound_lengths(uint64_t caplen, uint64_t length)
{
    return caplen && length && length >= caplen && caplen <= MAXIMUM_SNAPLEN && length <= MAXIMUM_SNAPLEN;
}

/* One record: "{prefix}{frac:06d} {line}" into out, or 0 where the Python must print it. wire: the frame's
 * length on the wire. */
static int
record_line(Out *out, Prefix *prefix, const Sequences *seqs, long long sec, long long frac, const uint8_t *f,
            Py_ssize_t n, Py_ssize_t wire)
{
    if (!sound_lengths((uint64_t)n, (uint64_t)wire)) /* text.invalid_header's */
        return 0;
    int known = prefix_for(prefix, sec, 0);
    if (known <= 0)
        return known;
    if (out_reserve(out, LONGEST_LINE) < 0)
        return -1;
    char *start = out->buf + out->len;
    char *w = put(start, prefix->text, (size_t)prefix->len);
    w = put_frac(w, frac);
    *w++ = ' ';
    Walk walked;
    if (!walk_ethernet(f, n, &walked))
        return 0;
    /* an IP length past the frame's end: tcpdump says "truncated-ip - N bytes missing!" (or -ip6) */
    if (wire - walked.network < walked.ip_payload + (walked.ip_version == 4 ? 20 : 40))
        return 0;
    w = walk_line(out, w, f, n, &walked, seqs);
    if (w == NULL)
        return PyErr_Occurred() ? -1 : 0;
    out->len = w - out->buf;
    return 1;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* Whether the Python has passed every table in; if not, RuntimeError set. */
static int
tables_ready(void)
{
    if (flags_ready && dns_ready && names_ready && ports_ready)
        return 1;
    PyErr_SetString(PyExc_RuntimeError,
                    "set_flag_texts(), set_dns_tables(), set_names() and set_ports() must be called first");
    return 0;
}

/* A sink of records read in place: the text of record r into out (1), or 0 where the Python must write
 * it, or -1 on an error. */
typedef int (*RecordText)(Out *out, void *state, const PcapRecord *r);

/* The text of the classic pcap records of view from byte pos on, up to the first that does not fit (or
 * exceeds max_caplen) or that sink leaves to the Python: (text, pos, count, stopped_at_frame), pos that
 * record's. Lets go of view. Inlined into each caller, so that the compiler calls its sink directly. */
WALK_INLINE PyObject *
records_text(Py_buffer *view, Py_ssize_t pos, Py_ssize_t max_caplen, RecordText sink, void *state)
{
    const uint8_t *buf = view->buf;
    Py_ssize_t end = view->len, count = 0;
    Out out = {NULL, 0, 0};
    int stopped = 0;
    if (pos < 0)
        pos = 0;
    PcapRecord r;
    while (pcap_record(buf, end, pos, max_caplen, &r)) {
        int done = sink(&out, state, &r);
        if (done < 0) {
            PyMem_Free(out.buf);
            PyBuffer_Release(view);
            return NULL;
        }
        if (done == 0) {
            stopped = 1;
            break;
        }
        pos += 16 + (Py_ssize_t)r.caplen;
        count++;
    }
    PyBuffer_Release(view);
    PyObject *rest = Py_BuildValue("(nnO)", pos, count, stopped ? Py_True : Py_False);
    if (rest == NULL) {
        PyMem_Free(out.buf);
        return NULL;
    }
    return finish(&out, rest);
}

typedef struct {
    Prefix *prefix;
    const Sequences *seqs;
} LineState;

/* records_text's sink of the summary lines */
static int
line_sink(Out *out, void *state, const PcapRecord *r)
{
    LineState *s = state;
    return record_line(out, s->prefix, s->seqs, r->sec, r->frac, r->data, (Py_ssize_t)r->caplen,
                       (Py_ssize_t)r->length);
}

PyDoc_STRVAR(records_doc,
"records(buf, pos, max_caplen, second_prefix, seqs, limit) -> (text, pos, count, stopped_at_frame)\n\n"
"The lines of the classic pcap records (native byte order) of buf from byte pos on, as\n"
"fastsummary.summary_records prints them, up to the first record that does not fit in buf or whose\n"
"captured length exceeds max_caplen (stopped_at_frame False), or to the first whole record the shortcut\n"
"does not print (stopped_at_frame True; pos is that record's). seqs is TcpSequences.table, or None for\n"
"absolute sequence numbers; limit is TcpSequences.LIMIT.");

static PyObject *
fastline_records(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, max_caplen;
    PyObject *function, *table;
    Sequences seqs;
    if (!tables_ready())
        return NULL;
    if (!PyArg_ParseTuple(args, "y*nnOOn", &view, &pos, &max_caplen, &function, &table, &seqs.limit))
        return NULL;
    if (table != Py_None && !PyDict_Check(table)) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_TypeError, "the sequence table must be a dict or None");
        return NULL;
    }
    seqs.table = table == Py_None ? NULL : table;
    Prefix prefix = {function, 0, -1, {0}, 0};
    LineState state = {&prefix, &seqs};
    return records_text(&view, pos, max_caplen, line_sink, &state);
}

PyDoc_STRVAR(batch_doc,
"batch(records, start, second_prefix, seqs, limit) -> (text, index)\n\n"
"The lines of records[start:] (a list of (sec, usec, length, data) tuples) as\n"
"fastsummary.summary_batch prints them, up to the first record the shortcut does not print; index is\n"
"that record's (len(records) when all are printed).");

static PyObject *
fastline_batch(PyObject *self, PyObject *args)
{
    PyObject *records, *function, *table;
    Py_ssize_t index;
    Sequences seqs;
    if (!tables_ready())
        return NULL;
    if (!PyArg_ParseTuple(args, "O!nOOn", &PyList_Type, &records, &index, &function, &table, &seqs.limit))
        return NULL;
    if (table != Py_None && !PyDict_Check(table)) {
        PyErr_SetString(PyExc_TypeError, "the sequence table must be a dict or None");
        return NULL;
    }
    seqs.table = table == Py_None ? NULL : table;
    Prefix prefix = {function, 0, -1, {0}, 0};
    Out out = {NULL, 0, 0};
    if (index < 0)
        index = 0;
    for (; index < PyList_GET_SIZE(records); index++) {
        PyObject *record = PyList_GET_ITEM(records, index);
        if (!PyTuple_Check(record) || PyTuple_GET_SIZE(record) != 4 || !PyBytes_Check(PyTuple_GET_ITEM(record, 3)))
            break;
        int overflow_sec, overflow_frac;
        long long sec = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 0), &overflow_sec);
        long long frac = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 1), &overflow_frac);
        if ((sec == -1 || frac == -1) && PyErr_Occurred()) {
            PyErr_Clear();
            break;
        }
        if (overflow_sec || overflow_frac)
            break;
        PyObject *data = PyTuple_GET_ITEM(record, 3);
        Py_ssize_t wire = PyLong_AsSsize_t(PyTuple_GET_ITEM(record, 2));
        if (wire == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            break;
        }
        int done = record_line(&out, &prefix, &seqs, sec, frac, (const uint8_t *)PyBytes_AS_STRING(data),
                               PyBytes_GET_SIZE(data), wire);
        if (done < 0) {
            PyMem_Free(out.buf);
            return NULL;
        }
        if (done == 0)
            break;
    }
    PyObject *rest = Py_BuildValue("(n)", index);
    if (rest == NULL) {
        PyMem_Free(out.buf);
        return NULL;
    }
    return finish(&out, rest);
}

PyDoc_STRVAR(set_flag_texts_doc,
"set_flag_texts(texts)\n\nThe 256 TCP flag texts (\"Flags [S.]\"), indexed by the flags byte.");

static PyObject *
fastline_set_flag_texts(PyObject *self, PyObject *arg)
{
    PyObject *seq = PySequence_Fast(arg, "a sequence of 256 str is needed");
    if (seq == NULL)
        return NULL;
    if (PySequence_Fast_GET_SIZE(seq) != 256) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "a sequence of 256 str is needed");
        return NULL;
    }
    for (int i = 0; i < 256; i++) {
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, i), &len);
        if (text == NULL || len >= (Py_ssize_t)sizeof(flag_text[0])) {
            Py_DECREF(seq);
            if (text != NULL)
                PyErr_SetString(PyExc_ValueError, "a flag text is too long");
            return NULL;
        }
        memcpy(flag_text[i], text, (size_t)len);
        flag_len[i] = (unsigned char)len;
    }
    Py_DECREF(seq);
    flags_ready = 1;
    Py_RETURN_NONE;
}

static int
table_from(Table *table, PyObject *dict)
{
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "a dict of int to str is needed");
        return -1;
    }
    Py_ssize_t count = PyDict_Size(dict), i = 0, at = 0;
    Name *names = PyMem_Calloc((size_t)(count ? count : 1), sizeof(Name));
    if (names == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *key, *value;
    while (PyDict_Next(dict, &i, &key, &value)) {
        Py_ssize_t len;
        unsigned long number = PyLong_AsUnsignedLong(key);
        const char *text = (number == (unsigned long)-1 && PyErr_Occurred()) ? NULL
                                                                            : PyUnicode_AsUTF8AndSize(value, &len);
        if (text == NULL || len >= (Py_ssize_t)sizeof(names[0].text)) {
            PyMem_Free(names);
            if (text != NULL)
                PyErr_SetString(PyExc_ValueError, "a name is too long");
            return -1;
        }
        names[at].key = (unsigned)number;
        memcpy(names[at].text, text, (size_t)len);
        names[at].text[len] = 0;
        at++;
    }
    PyMem_Free(table->names);
    table->names = names;
    table->count = at;
    return 0;
}

PyDoc_STRVAR(set_dns_tables_doc,
"set_dns_tables(types, classes, opcodes, rcodes)\n\ntext.py's DNS name tables (dicts of int to str).");

static PyObject *
fastline_set_dns_tables(PyObject *self, PyObject *args)
{
    PyObject *types, *classes, *ops, *rcodes;
    if (!PyArg_ParseTuple(args, "OOOO", &types, &classes, &ops, &rcodes))
        return NULL;
    if (table_from(&dns_types, types) < 0 || table_from(&dns_classes, classes) < 0
        || table_from(&dns_ops, ops) < 0 || table_from(&dns_rcodes, rcodes) < 0)
        return NULL;
    dns_ready = 1;
    Py_RETURN_NONE;
}

/* One Names from a sequence of str: exactly `count` of them, or at least 1 and at most 32 when count is 0. */
static int
names_from(Names *names, PyObject *arg, Py_ssize_t count)
{
    PyObject *seq = PySequence_Fast(arg, "a sequence of str is needed");
    if (seq == NULL)
        return -1;
    Py_ssize_t size = PySequence_Fast_GET_SIZE(seq);
    if (count ? size != count : (size < 1 || size > 32)) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "a sequence of names of the wrong size");
        return -1;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, i), &len);
        if (text == NULL || len >= (Py_ssize_t)sizeof(names->text[0])) {
            Py_DECREF(seq);
            if (text != NULL)
                PyErr_SetString(PyExc_ValueError, "a name is too long");
            return -1;
        }
        memcpy(names->text[i], text, (size_t)len);
        names->len[i] = (unsigned char)len;
    }
    names->count = size;
    Py_DECREF(seq);
    return 0;
}

PyDoc_STRVAR(set_names_doc,
"set_names(http_starts, ntp_modes, syslog_facilities, syslog_severities, tcp_options)\n\n"
"The starts of an HTTP message (request methods with their space, \"HTTP/\"), tcpdump's 8 NTP mode names,\n"
"its syslog facility names and 8 severity names, and its words for TCP option kinds 0 to 8 (\"\" where it\n"
"has none), each indexed by the number.");

static PyObject *
fastline_set_names(PyObject *self, PyObject *args)
{
    PyObject *http, *ntp, *facilities, *severities, *options;
    if (!PyArg_ParseTuple(args, "OOOOO", &http, &ntp, &facilities, &severities, &options))
        return NULL;
    if (names_from(&http_starts, http, 0) < 0 || names_from(&ntp_modes, ntp, 8) < 0
        || names_from(&syslog_facilities, facilities, 0) < 0 || names_from(&syslog_severities, severities, 8) < 0
        || names_from(&tcp_option_words, options, OPTION_KINDS) < 0)
        return NULL;
    char *w = PUT(timestamps_start, ", options [");
    w = PUT_OPTION(w, 1);
    *w++ = ',';
    w = PUT_OPTION(w, 1);
    *w++ = ',';
    w = PUT_OPTION(w, 8);
    w = PUT(w, " val ");
    timestamps_start_len = (size_t)(w - timestamps_start);
    names_ready = 1;
    Py_RETURN_NONE;
}

/* A port table from a dict of port to APP_* code. */
static int
apps_from(unsigned char *apps, PyObject *dict)
{
    if (!PyDict_Check(dict)) {
        PyErr_SetString(PyExc_TypeError, "a dict of port to application code is needed");
        return -1;
    }
    memset(apps, 0, 65536);
    Py_ssize_t i = 0;
    PyObject *key, *value;
    while (PyDict_Next(dict, &i, &key, &value)) {
        long port = PyLong_AsLong(key), app = PyLong_AsLong(value);
        if (PyErr_Occurred())
            return -1;
        if (port < 0 || port > 65535 || app < 0 || app > APP_LEAN) {
            PyErr_SetString(PyExc_ValueError, "a port or an application code out of range");
            return -1;
        }
        apps[port] = (unsigned char)app;
    }
    return 0;
}

PyDoc_STRVAR(set_ports_doc,
"set_ports(tcp_apps, udp_apps)\n\ndecode/walk.py's TCP_APPS and UDP_APPS: the application of a payload by port.");

static PyObject *
fastline_set_ports(PyObject *self, PyObject *args)
{
    PyObject *tcp, *udp;
    if (!PyArg_ParseTuple(args, "OO", &tcp, &udp))
        return NULL;
    if (apps_from(tcp_apps, tcp) < 0 || apps_from(udp_apps, udp) < 0)
        return NULL;
    ports_ready = 1;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(walk_doc,
"walk(linktype, data) -> tuple or None\n\n"
"The walk of one frame: the fields of pycapture.decode.walk.Walk, in its order, or None where the walk\n"
"does not take the frame (any link type but Ethernet, 1, included).");

static PyObject *
fastline_walk(PyObject *self, PyObject *args)
{
    int linktype;
    Py_buffer view;
    if (!ports_ready) {
        PyErr_SetString(PyExc_RuntimeError, "set_ports() must be called first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "iy*", &linktype, &view))
        return NULL;
    Walk k;
    memset(&k, 0, sizeof(k));
    int walked = linktype == 1 && walk_ethernet(view.buf, view.len, &k);
    PyBuffer_Release(&view);
    if (!walked)
        Py_RETURN_NONE;
    return Py_BuildValue("(IlnInIInIInIIkkIInIIknlI)", k.ethertype, k.vlan, k.network, k.ip_version, k.addresses,
                         k.ttl, k.proto, (Py_ssize_t)k.ip_payload, k.ip_ident, k.fragment, k.transport, k.sport,
                         k.dport, (unsigned long)k.seq, (unsigned long)k.ack, k.tcp_flags, k.window,
                         k.tcp_header, k.icmp_type, k.icmp_code, (unsigned long)k.icmp_rest, k.payload,
                         k.payload_length, k.app);
}

/* --- further sinks of the walk, each in its own file: a JSON line (--json) and a table's row -------- */
#include "_richapps.h" /* which frames the rich decoder reads as an application; RICH_APPS_METHODS */
#include "_jsonsink.h"  /* defines JSON_SINK_METHODS */
#include "_tablesink.h" /* defines TABLE_SINK_METHODS */

static PyMethodDef methods[] = {
    {"set_names", fastline_set_names, METH_VARARGS, set_names_doc},
    {"set_ports", fastline_set_ports, METH_VARARGS, set_ports_doc},
    {"walk", fastline_walk, METH_VARARGS, walk_doc},
    {"set_dns_tables", fastline_set_dns_tables, METH_VARARGS, set_dns_tables_doc},
    {"records", fastline_records, METH_VARARGS, records_doc},
    {"batch", fastline_batch, METH_VARARGS, batch_doc},
    {"set_flag_texts", fastline_set_flag_texts, METH_O, set_flag_texts_doc},
    RICH_APPS_METHODS
    JSON_SINK_METHODS
    TABLE_SINK_METHODS
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "pycapture.output.tcpdump._fastline",
    "The summary shortcut of pycapture.output.tcpdump.fastsummary, compiled (optional).", -1, methods,
};

PyMODINIT_FUNC
PyInit__fastline(void)
{
    if (PyType_Ready(&ColumnsType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&ColumnsType);
    if (PyModule_AddObject(m, "Columns", (PyObject *)&ColumnsType) < 0) {
        Py_DECREF(&ColumnsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
