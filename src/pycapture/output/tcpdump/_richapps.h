/*
 * Which payloads the rich decoder reads as an application: decode/rich/transport.py's tcp_application and
 * udp_application, compiled, for the sinks that must leave those frames to it (a JSON line, a table's row).
 * Included by _fastline.c before the sinks. The ports and methods come from Python (set_rich_apps, from
 * pycapture.protocols.numbers); tests hold each sink to the rich decoder's output over the corpus.
 */

/* the rich decoder of a UDP port (UDP_DECODERS): the sinks tell DNS and NTP apart, and leave the others */
enum { RICH_UDP_NONE = 0, RICH_UDP_DNS = 1, RICH_UDP_NTP = 2, RICH_UDP_SYSLOG = 3, RICH_UDP_OTHER = 4 };

/* transport.py's TCP_OPTION_MPTCP: a segment with this option is the rich decoder's (its mptcp layers) */
#define TCP_OPTION_MPTCP 30
static unsigned char rich_udp_ports[65536], rich_http_ports[65536], rich_tls_ports[65536];
/* TCP_DECODERS' ports, as RICH_TCP_*: the sinks write SSH's layer and NBSS's continuations; the rest (BGP,
 * LDP, an NBSS header) is the Python's */
enum { RICH_TCP_NONE = 0, RICH_TCP_SSH = 1, RICH_TCP_NBSS = 2, RICH_TCP_OTHER = 3 };
static unsigned char rich_tcp_ports[65536];
static unsigned rich_dns_port = 0; /* DNS_PORT: tcp_application's DNS over TCP */
#define RICH_METHOD_MAX 24
static char rich_methods[64][RICH_METHOD_MAX];
static size_t rich_method_len[64];
static int rich_methods_count = 0;
static char dpkt_methods[64][RICH_METHOD_MAX]; /* dpkt.http.Request's, for apps.py's _http */
static size_t dpkt_method_len[64];
static int dpkt_methods_count = 0;
static int rich_apps_ready = 0;

/* transport.py's _looks_like_tls */
static inline int
rich_looks_like_tls(const uint8_t *p, Py_ssize_t n, unsigned sport, unsigned dport)
{
    if (n < 5 || p[1] != 3 || p[2] > 4)
        return 0;
    if (p[0] == 22)
        return 1;
    return p[0] >= 20 && p[0] <= 24 && (rich_tls_ports[sport] || rich_tls_ports[dport]);
}

/* apps.py's _tls on a payload p of n >= 5 bytes that rich_looks_like_tls takes: where its layer ends (the
 * first record, cut by the segment, then each whole record after it of a content type Wireshark takes:
 * 20 to 25), with *records their count and *handshake whether any is a handshake. */
static inline Py_ssize_t
rich_tls_records(const uint8_t *p, Py_ssize_t n, Py_ssize_t *records, int *handshake)
{
    Py_ssize_t end = 5 + (Py_ssize_t)u16(p + 3);
    if (end > n)
        end = n;
    *records = 1;
    *handshake = p[0] == 22;
    while (n - end >= 5 && p[end] >= 20 && p[end] <= 25) {
        Py_ssize_t size = 5 + (Py_ssize_t)u16(p + end + 3);
        if (size > n - end)
            break;
        *handshake |= p[end] == 22;
        end += size;
        ++*records;
    }
    return end;
}

/* transport.py's _looks_like_http */
static inline int
rich_looks_like_http(const uint8_t *p, Py_ssize_t n)
{
    if (n >= 7 && (memcmp(p, "HTTP/1.", 7) == 0 || memcmp(p, "HTTP/2 ", 7) == 0))
        return 1;
    Py_ssize_t limit = n < 12 ? n : 12, space = -1;
    for (Py_ssize_t i = 0; i < limit; i++)
        if (p[i] == ' ') {
            space = i;
            break;
        }
    if (space <= 0)
        return 0;
    for (int m = 0; m < rich_methods_count; m++)
        if (rich_method_len[m] == (size_t)space && memcmp(p, rich_methods[m], (size_t)space) == 0)
            return 1;
    return 0;
}

/* --- DNS: the rules of dpkt's name parser ------------------------------------------------------------ */

/* dpkt.dns.unpack_name over the DNS message m of n bytes from off: 1 with the offset after the name in
 * *after and, where text is not NULL, the name (labels joined by '.': at most 255 bytes and the dots, 320
 * of room) in text and its length in *text_len; 0 where dpkt raises, or where a label holds a byte that
 * accept refuses (a sink whose text for that byte is not certain: dpkt decodes the name as UTF-8). */
static int
rich_dns_name(const uint8_t *m, Py_ssize_t n, Py_ssize_t off, Py_ssize_t *after, int (*accept)(uint8_t),
              char *text, Py_ssize_t *text_len)
{
    Py_ssize_t saved = 0, start = off, length = 0, w = 0;
    for (;;) {
        if (off >= n)
            return 0;
        unsigned c = m[off];
        if (c == 0) {
            off++;
            break;
        }
        if ((c & 0xC0) == 0xC0) {
            if (off + 2 > n)
                return 0; /* dpkt's struct.unpack of a cut pointer */
            Py_ssize_t ptr = (Py_ssize_t)(u16(m + off) & 0x3FFF);
            if (ptr >= start) /* so every jump goes back: the walk ends */
                return 0;
            off += 2;
            if (!saved)
                saved = off;
            start = off = ptr;
            continue;
        }
        if (c & 0xC0)
            return 0;
        off++;
        if (off + (Py_ssize_t)c > n) /* a label cut short: dpkt raises at the next byte */
            return 0;
        for (unsigned i = 0; i < c; i++)
            if (!accept(m[off + i]))
                return 0;
        length += (Py_ssize_t)c + 1;
        if (length > 255)
            return 0;
        if (text != NULL) {
            if (w)
                text[w++] = '.';
            memcpy(text + w, m + off, c);
            w += c;
        }
        off += c;
    }
    *after = saved ? saved : off;
    if (text_len != NULL)
        *text_len = w;
    return 1;
}

/* An accept for rich_dns_name: ASCII, which UTF-8 decodes as it stands. */
static int
rich_ascii(uint8_t b)
{
    return b < 0x80;
}

/* --- HTTP: apps.py's _http, whose request and status lines dpkt parses: the rules of dpkt's parsers ---- */

typedef struct {
    int request;                   /* 1 a request line, 0 a status line */
    char method[RICH_METHOD_MAX];  /* a request's */
    Py_ssize_t method_len;
    const uint8_t *line;           /* the line, its '\n' included */
    Py_ssize_t line_len;
} HttpLine;

/* str.split()'s whitespace among ASCII characters */
static inline int
py_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
}

/* The words of p[0..n) as dpkt sees them (decoded as ASCII with other bytes dropped, split at whitespace):
 * up to three, copied into words (room: n bytes) with their lengths; returns how many words there are
 * (counting at most 3). */
static int
http_words(const uint8_t *p, Py_ssize_t n, char *words, Py_ssize_t starts[3], Py_ssize_t lens[3])
{
    int count = 0, in_word = 0;
    Py_ssize_t w = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 0x80)
            continue;
        if (py_space(c)) {
            in_word = 0;
            continue;
        }
        if (!in_word) {
            if (count == 3)
                return 3;
            in_word = 1;
            starts[count] = w;
            lens[count++] = 0;
        }
        words[w++] = (char)c;
        lens[count - 1]++;
    }
    return count;
}

/* Whether dpkt takes the line (without its '\n') as apps.py's _http gives it: a status line (it starts
 * with "HTTP/": a version word, then a status of ASCII digits) or a request line (one of dpkt's methods,
 * a URI, and nothing or a word starting with "HTTP"). The request's method into *h; its URI's place in
 * words via uri_start and uri_len. */
static int
http_parse(const uint8_t *p, Py_ssize_t n, char *words, HttpLine *h, Py_ssize_t *uri_start, Py_ssize_t *uri_len)
{
    Py_ssize_t starts[3], lens[3];
    int count = http_words(p, n, words, starts, lens);
    if (count < 2)
        return 0;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        for (Py_ssize_t i = 0; i < lens[1]; i++)
            if (words[starts[1] + i] < '0' || words[starts[1] + i] > '9')
                return 0;
        h->request = 0;
        return 1;
    }
    int known = 0;
    for (int m = 0; m < dpkt_methods_count && !known; m++)
        known = dpkt_method_len[m] == (size_t)lens[0] && memcmp(words + starts[0], dpkt_methods[m], (size_t)lens[0]) == 0;
    if (!known || (count == 3 && (lens[2] < 4 || memcmp(words + starts[2], "HTTP", 4) != 0)))
        return 0;
    h->request = 1;
    memcpy(h->method, words + starts[0], (size_t)lens[0]);
    h->method_len = lens[0];
    *uri_start = starts[1];
    *uri_len = lens[1];
    return 1;
}

/* 1 where tcp_application names an application for the payload p of n bytes (n > 0), else 0. */
static inline int
rich_tcp_app(unsigned sport, unsigned dport, const uint8_t *p, Py_ssize_t n)
{
    if (sport == rich_dns_port || dport == rich_dns_port || rich_tcp_ports[sport] || rich_tcp_ports[dport])
        return 1;
    if (rich_looks_like_tls(p, n, sport, dport))
        return 1;
    return rich_http_ports[sport] || rich_http_ports[dport] || rich_looks_like_http(p, n);
}

/* 1 where udp_application names an application by the ports, else 0. */
static inline int
rich_udp_app(unsigned sport, unsigned dport)
{
    return rich_udp_ports[sport] || rich_udp_ports[dport];
}

/* udp_application's decoder, as RICH_UDP_*: the lower port's, else the higher's. */
static inline unsigned
rich_udp_decoder(unsigned sport, unsigned dport)
{
    unsigned low = sport < dport ? sport : dport, high = sport < dport ? dport : sport;
    return rich_udp_ports[low] ? rich_udp_ports[low] : rich_udp_ports[high];
}

/* tcp_application's TCP_DECODERS step, as RICH_TCP_*: the lower port's decoder, else the higher's. */
static inline unsigned
rich_tcp_decoder(unsigned sport, unsigned dport)
{
    unsigned low = sport < dport ? sport : dport, high = sport < dport ? dport : sport;
    return rich_tcp_ports[low] ? rich_tcp_ports[low] : rich_tcp_ports[high];
}

/* apps.py's _ssh on a payload p of n > 0 bytes that is not a version banner: 1 where it reads a binary
 * packet's length, padding length and message code (the whole segment one packet, or a plausible length
 * and padding), 0 for an empty layer. */
static inline int
rich_ssh_fields(const uint8_t *p, Py_ssize_t n)
{
    if (n < 6)
        return 0;
    uint32_t length = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return 4 + (uint64_t)length == (uint64_t)n || (length < 35000 && p[4] < length);
}

/* apps.py's _nbss on a payload p of n > 0 bytes: 1 where it reads a session service header (a message type
 * in its first byte), 0 for a continuation, which it leaves as payload. */
static inline int
rich_nbss_header(const uint8_t *p, Py_ssize_t n)
{
    return n >= 4 && (p[0] == 0x00 || (p[0] >= 0x81 && p[0] <= 0x85));
}

/* A decoders dict (port: decoder name) into table: the code of its name in names (NULL-ended, codes 1, 2,
 * ...), else other. 0, or -1 with an exception set. */
static int
rich_decoders_from(unsigned char *table, PyObject *decoders, const char *const *names, unsigned char other)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(decoders)) {
        PyErr_SetString(PyExc_TypeError, "the decoders must be a dict of port: name");
        return -1;
    }
    memset(table, 0, 65536);
    while (PyDict_Next(decoders, &pos, &key, &value)) {
        long port = PyLong_AsLong(key);
        if (port < 0 || port > 65535 || !PyUnicode_Check(value)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a decoder's port must be in 0..65535 and its name a str");
            return -1;
        }
        table[port] = other;
        for (unsigned char i = 0; names[i] != NULL; i++)
            if (PyUnicode_CompareWithASCIIString(value, names[i]) == 0)
                table[port] = i + 1;
    }
    return 0;
}

static const char *const rich_udp_names[] = {"dns", "ntp", "syslog", NULL}; /* RICH_UDP_DNS... */
static const char *const rich_tcp_names[] = {"ssh", "nbss", NULL};  /* RICH_TCP_SSH, RICH_TCP_NBSS */

static int
rich_ports_from(unsigned char *table, PyObject *ports)
{
    PyObject *iter = PyObject_GetIter(ports), *item;
    if (iter == NULL)
        return -1;
    memset(table, 0, 65536);
    while ((item = PyIter_Next(iter)) != NULL) {
        long port = PyLong_AsLong(item);
        Py_DECREF(item);
        if (port < 0 || port > 65535) {
            Py_DECREF(iter);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a port must be in 0..65535");
            return -1;
        }
        table[port] = 1;
    }
    Py_DECREF(iter);
    return PyErr_Occurred() ? -1 : 0;
}

/* The words of methods (bytes or str each) into table: 0, or -1 with an exception set. */
static int
methods_from(PyObject *methods, char table[][RICH_METHOD_MAX], size_t *lens, int *count_out)
{
    PyObject *iter = PyObject_GetIter(methods), *item;
    if (iter == NULL)
        return -1;
    int count = 0;
    while ((item = PyIter_Next(iter)) != NULL) {
        const char *s = NULL;
        Py_ssize_t len = 0;
        if (PyBytes_Check(item))
            s = PyBytes_AS_STRING(item), len = PyBytes_GET_SIZE(item);
        else if (PyUnicode_Check(item))
            s = PyUnicode_AsUTF8AndSize(item, &len);
        if (s == NULL || len >= RICH_METHOD_MAX || count >= 64) {
            Py_DECREF(item);
            Py_DECREF(iter);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "at most 64 HTTP methods (bytes or str) of at most 23 bytes");
            return -1;
        }
        memcpy(table[count], s, (size_t)len);
        lens[count++] = (size_t)len;
        Py_DECREF(item);
    }
    Py_DECREF(iter);
    if (PyErr_Occurred())
        return -1;
    *count_out = count;
    return 0;
}

PyDoc_STRVAR(set_rich_apps_doc,
"set_rich_apps(udp_decoders, http_ports, tls_ports, http_methods, request_methods, dns_port, tcp_decoders={})\n\n"
"The rich decoder's application ports and HTTP methods (pycapture.protocols.numbers' UDP_DECODERS,\n"
"HTTP_PORTS, TLS_PORTS, HTTP_METHODS, DNS_PORT and TCP_DECODERS) and the request methods dpkt's\n"
"HTTP parser takes, for the sinks that leave application frames to it.");

static PyObject *
fastline_set_rich_apps(PyObject *self, PyObject *args)
{
    PyObject *udp, *http, *tls, *methods, *request_methods, *tcp = NULL;
    unsigned dns_port;
    if (!PyArg_ParseTuple(args, "OOOOOI|O", &udp, &http, &tls, &methods, &request_methods, &dns_port, &tcp))
        return NULL;
    rich_dns_port = dns_port;
    if (rich_decoders_from(rich_udp_ports, udp, rich_udp_names, RICH_UDP_OTHER) < 0 || rich_ports_from(rich_http_ports, http) < 0 ||
        rich_ports_from(rich_tls_ports, tls) < 0)
        return NULL;
    memset(rich_tcp_ports, 0, sizeof(rich_tcp_ports));
    if (tcp != NULL && rich_decoders_from(rich_tcp_ports, tcp, rich_tcp_names, RICH_TCP_OTHER) < 0)
        return NULL;
    if (methods_from(methods, rich_methods, rich_method_len, &rich_methods_count) < 0 ||
        methods_from(request_methods, dpkt_methods, dpkt_method_len, &dpkt_methods_count) < 0)
        return NULL;
    rich_apps_ready = 1;
    Py_RETURN_NONE;
}

#define RICH_APPS_METHODS {"set_rich_apps", fastline_set_rich_apps, METH_VARARGS, set_rich_apps_doc},
