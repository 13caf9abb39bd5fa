/*
 * Which payloads the rich decoder reads as an application: decode/rich/transport.py's tcp_application and
 * udp_application, compiled, for the sinks that must leave those frames to it (a JSON line, a table's row).
 * Included by _fastline.c before the sinks. The ports and methods come from Python (set_rich_apps, from
 * pycapture.protocols.numbers); tests hold each sink to the rich decoder's output over the corpus.
 */

/* the rich decoder of a UDP port (UDP_DECODERS): the sinks tell DNS and NTP apart, and leave the others */
enum { RICH_UDP_NONE = 0, RICH_UDP_DNS = 1, RICH_UDP_NTP = 2, RICH_UDP_OTHER = 3 };
static unsigned char rich_udp_ports[65536], rich_http_ports[65536], rich_tls_ports[65536];
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

/* 1 where tcp_application names an application for the payload p of n bytes (n > 0), else 0. */
static inline int
rich_tcp_app(unsigned sport, unsigned dport, const uint8_t *p, Py_ssize_t n)
{
    if (sport == rich_dns_port || dport == rich_dns_port)
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

/* UDP_DECODERS (port: decoder name) into rich_udp_ports. */
static int
rich_udp_from(PyObject *decoders)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(decoders)) {
        PyErr_SetString(PyExc_TypeError, "the UDP decoders must be a dict of port: name");
        return -1;
    }
    memset(rich_udp_ports, 0, sizeof(rich_udp_ports));
    while (PyDict_Next(decoders, &pos, &key, &value)) {
        long port = PyLong_AsLong(key);
        if (port < 0 || port > 65535 || !PyUnicode_Check(value)) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "a UDP decoder's port must be in 0..65535 and its name a str");
            return -1;
        }
        rich_udp_ports[port] = PyUnicode_CompareWithASCIIString(value, "dns") == 0   ? RICH_UDP_DNS
                               : PyUnicode_CompareWithASCIIString(value, "ntp") == 0 ? RICH_UDP_NTP
                                                                                      : RICH_UDP_OTHER;
    }
    return 0;
}

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
"set_rich_apps(udp_decoders, http_ports, tls_ports, http_methods, request_methods, dns_port)\n\n"
"The rich decoder's application ports and HTTP methods (pycapture.protocols.numbers' UDP_DECODERS,\n"
"HTTP_PORTS, TLS_PORTS, HTTP_METHODS and DNS_PORT) and the request methods dpkt's HTTP parser takes,\n"
"for the sinks that leave application frames to it.");

static PyObject *
fastline_set_rich_apps(PyObject *self, PyObject *args)
{
    PyObject *udp, *http, *tls, *methods, *request_methods;
    unsigned dns_port;
    if (!PyArg_ParseTuple(args, "OOOOOI", &udp, &http, &tls, &methods, &request_methods, &dns_port))
        return NULL;
    rich_dns_port = dns_port;
    if (rich_udp_from(udp) < 0 || rich_ports_from(rich_http_ports, http) < 0 ||
        rich_ports_from(rich_tls_ports, tls) < 0)
        return NULL;
    if (methods_from(methods, rich_methods, rich_method_len, &rich_methods_count) < 0 ||
        methods_from(request_methods, dpkt_methods, dpkt_method_len, &dpkt_methods_count) < 0)
        return NULL;
    rich_apps_ready = 1;
    Py_RETURN_NONE;
}

#define RICH_APPS_METHODS {"set_rich_apps", fastline_set_rich_apps, METH_VARARGS, set_rich_apps_doc},
