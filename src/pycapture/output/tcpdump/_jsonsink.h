/*
 * The JSON line as a sink of the walk: included by _fastline.c, after the walk, before its method table.
 *
 * json_line writes the whole line JsonLinesPrinter writes (the frame object, then the layers), byte for
 * byte, for the frames pycapture/output/jsonfast.py's walk_layers takes (Ethernet with at most one 802.1Q
 * tag, IPv4 without options or IPv6 without extension headers, then TCP, UDP, an ICMP or ICMPv6 echo, with
 * no payload the rich decoder reads as an application), and for some it decodes further where its output
 * is certain: TLS records other than handshakes, HTTP request and status lines of printable ASCII (and
 * HTTP ports' payloads whose first line no HTTP parser of dpkt takes), DNS over UDP that dpkt reads whole
 * (json_dns_check), ARP, IPv6 neighbor discovery, syslog and NTP. It stops at any other frame and the
 * Python writes that one; tests/output/test_jsonsink.py holds the two paths to the same lines over the
 * corpus, on crafted frames cut at every length and on frames with bytes overwritten. The texts that come
 * from Python (the TCP flag members, the time of a second) are asked of it once and kept.
 *
 * _tablesink.h reads the same dpkt rules for its columns (dpkt's DNS names, its HTTP request words); it is
 * included after this file, so these functions do not share its code.
 */

/* Room for everything but the padding's hex (3 characters a byte): the frame object, the layers' keys,
 * two IPv6 addresses, the numbers, the TCP options (at most 1024) and the flag members (JSON_FLAG_MAX). */
#define JSON_FLAG_MAX 512
#define JSON_LINE_ROOM (2048 + JSON_FLAG_MAX)

/* The TCP flag members of walk_layers ("flags.res":0,...,"flags_str":"..."), by the 12 low bits of the
 * offset-and-flags word, from jsonfast.flag_text as they are first met. */
static char *json_flag_texts[4096];
static unsigned short json_flag_lens[4096];

/* The text of the second before its fraction ("2026-01-02T03:04:05"), from jsonl.second_text. */
typedef Prefix JsonSecond;

typedef struct {
    JsonSecond second;
    PyObject *flag_function;
    const char *linktype; /* the link type's JSON text ("\"EN10MB\"") */
    Py_ssize_t linktype_len;
    int nano;
    unsigned long long number; /* of the last frame written */
} JsonFrames;

/* 1 with the text of sec at hand, 0 for a second without one, -1 on an exception. */
static int
json_second(JsonSecond *second, long long sec)
{
    return prefix_for(second, sec, 1);
}

/* The flag members of the TCP header's offset-and-flags word bits: 0 with *text set, -1 on an exception. */
static int
json_flags(PyObject *function, unsigned bits, const char **text, size_t *len)
{
    unsigned flags = bits & 0x0FFF;
    if (json_flag_texts[flags] == NULL) {
        PyObject *result = PyObject_CallFunction(function, "I", bits);
        if (result == NULL)
            return -1;
        Py_ssize_t n;
        const char *s = PyUnicode_Check(result) ? PyUnicode_AsUTF8AndSize(result, &n) : NULL;
        if (s == NULL || n >= JSON_FLAG_MAX) {
            Py_DECREF(result);
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "flag_text must return a str shorter than 512 bytes");
            return -1;
        }
        char *copy = PyMem_RawMalloc((size_t)n + 1);
        if (copy == NULL) {
            Py_DECREF(result);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(copy, s, (size_t)n + 1);
        Py_DECREF(result);
        json_flag_lens[flags] = (unsigned short)n;
        json_flag_texts[flags] = copy;
    }
    *text = json_flag_texts[flags];
    *len = json_flag_lens[flags];
    return 0;
}

static char *
json_mac(char *w, const uint8_t *a)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        if (i)
            *w++ = ':';
        *w++ = hex[a[i] >> 4];
        *w++ = hex[a[i] & 0xf];
    }
    return w;
}

/* bytes.hex(":") of n > 0 bytes */
static char *
json_hex(char *w, const uint8_t *p, Py_ssize_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i)
            *w++ = ':';
        *w++ = hex[p[i] >> 4];
        *w++ = hex[p[i] & 0xf];
    }
    return w;
}

static char *
json_u64(char *w, unsigned long long v)
{
    char tmp[20];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        *w++ = tmp[--i];
    return w;
}

/* The fraction, zero-padded to 6 or 9 digits (v is below 10 ** digits). */
static char *
json_fraction(char *w, uint32_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        w[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return w + digits;
}

/* transport.py's tcp_options over dpkt's parse_opts: the members of the options raw[0..n) (each after a
 * comma) at w, or NULL where the rich path must decide (an option cut before its length byte, or a key
 * given twice). Room: 1024 bytes at w (forty bytes of options make at most twenty members). */
static char *
json_tcp_options(char *w, const uint8_t *raw, Py_ssize_t n)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t seen[256] = {0}; /* by kind: 1 once its own key is written, 2 once options.type_{kind} is */
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned kind = raw[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || kind == TCP_OPTION_MPTCP) /* the rich decoder adds an mptcp layer for the latter */
            return NULL;
        Py_ssize_t size = raw[i + 1] < 2 ? 2 : raw[i + 1];
        const uint8_t *d = raw + i + 2;
        Py_ssize_t len = i + size <= n ? size - 2 : n - i - 2; /* a slice: cut by the end, not refused */
        i += size;
        /* the kind's own key where the data fits it (_tcp_option_field), else options.type_{kind} */
        int known = (kind == 2 && len == 2) || (kind == 3 && len == 1) || (kind == 4 && len == 0)
                    || (kind == 5 && len % 8 == 0) || (kind == 8 && len == 8);
        uint8_t bit = known ? 1 : 2;
        if (seen[kind] & bit)
            return NULL;
        seen[kind] |= bit;
        if (!known) {
            w = PUT(w, ",\"options.type_");
            w = put_u32(w, kind);
            w = PUT(w, "\":\"");
            for (Py_ssize_t k = 0; k < len; k++) {
                *w++ = hex[d[k] >> 4];
                *w++ = hex[d[k] & 0xF];
            }
            *w++ = '"';
        }
        else if (kind == 2) {
            w = PUT(w, ",\"options.mss_val\":");
            w = put_u32(w, u16(d));
        }
        else if (kind == 3) {
            w = PUT(w, ",\"options.wscale.shift\":");
            w = put_u32(w, d[0]);
        }
        else if (kind == 4)
            w = PUT(w, ",\"options.sack_perm\":true");
        else if (kind == 5) {
            w = PUT(w, ",\"options.sack\":[");
            for (Py_ssize_t k = 0; k < len; k += 8) {
                w = k ? PUT(w, ",[") : PUT(w, "[");
                w = put_u32(w, u32(d + k));
                *w++ = ',';
                w = put_u32(w, u32(d + k + 4));
                *w++ = ']';
            }
            *w++ = ']';
        }
        else {
            w = PUT(w, ",\"options.timestamp\":{\"tsval\":");
            w = put_u32(w, u32(d));
            w = PUT(w, ",\"tsecr\":");
            w = put_u32(w, u32(d + 4));
            *w++ = '}';
        }
    }
    return w;
}

/* The keys of the TLS records in p up to end (rich_tls_records'): each record's content type, version and
 * length, a list of every record's where there are more than one (to_dict's repeated keys). */
static char *
json_tls_records(char *w, const uint8_t *p, Py_ssize_t end)
{
    static const char *const keys[] = {",\"record.content_type\":", ",\"record.version\":", ",\"record.length\":"};
    int many = 5 + (Py_ssize_t)u16(p + 3) < end;
    for (int key = 0; key < 3; key++) {
        w = put(w, keys[key], strlen(keys[key]));
        if (many)
            *w++ = '[';
        for (Py_ssize_t at = 0; at < end; at += 5 + (Py_ssize_t)u16(p + at + 3)) {
            if (at)
                *w++ = ',';
            w = put_u32(w, key == 0 ? p[at] : key == 1 ? u16(p + at + 1) : u16(p + at + 3));
        }
        if (many)
            *w++ = ']';
    }
    return w;
}

/* What the rich decoder makes of a TCP payload that tcp_application names, where this sink is certain. */
enum { JSON_APP_LEAVE = 0, JSON_APP_NONE, JSON_APP_TLS, JSON_APP_DNS, JSON_APP_SSH, JSON_APP_SSH_FIELDS, JSON_APP_SYSLOG,
       JSON_APP_NTP, JSON_APP_HTTP };

/* --- HTTP: apps.py's _http on a plain first line ----------------------------------------------------------
 * A line is plain when, past the '\r's that end it, it holds printable ASCII alone, so that spaces are its
 * only whitespace: there dpkt's Request (decode, strip, split) and Response (strip, decode, split(None, 2))
 * see the same words as this split does, and JSON writes each character as json_ascii does. Any other
 * line is the Python's. */
typedef struct {
    Py_ssize_t start[3], len[3], rest, end; /* words 1-3; where split(None, 2)'s third piece starts; the end */
    int count;                              /* words: 0 to 3, or 4 for more */
} HttpSplit;

static int
json_http_split(const uint8_t *p, Py_ssize_t len, HttpSplit *s)
{
    while (len > 0 && p[len - 1] == '\r') /* the line's rstrip(b"\r\n") */
        len--;
    for (Py_ssize_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return 0;
    while (len > 0 && p[len - 1] == ' ')
        len--;
    Py_ssize_t i = 0;
    while (i < len && p[i] == ' ')
        i++;
    s->count = 0;
    s->rest = s->end = len;
    while (i < len) {
        if (s->count == 3) {
            s->count = 4;
            break;
        }
        s->start[s->count] = i;
        while (i < len && p[i] != ' ')
            i++;
        s->len[s->count] = i - s->start[s->count];
        s->count++;
        while (i < len && p[i] == ' ')
            i++;
        if (s->count == 2)
            s->rest = i;
    }
    return 1;
}

#define JSON_HTTP_CODE_DIGITS 9 /* a status code of more digits is the Python's to write (an int of any size) */

/* What apps.py's _http makes of the line p[0..len) (its '\n' left out): JSON_APP_HTTP where it is plain and
 * dpkt takes it (a status line: a version word and a status of at most JSON_HTTP_CODE_DIGITS digits; a
 * request line: one of dpkt's methods, a URI, and nothing or a word starting with "HTTP"), JSON_APP_NONE
 * where dpkt refuses it, JSON_APP_LEAVE where the line is not plain. */
static int
json_http_kind(const uint8_t *p, Py_ssize_t len, HttpSplit *s)
{
    if (!json_http_split(p, len, s))
        return JSON_APP_LEAVE;
    if (s->count < 2)
        return JSON_APP_NONE;
    const uint8_t *word1 = p + s->start[1];
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        for (Py_ssize_t i = 0; i < s->len[1]; i++)
            if (word1[i] < '0' || word1[i] > '9')
                return JSON_APP_NONE;
        return s->len[1] <= JSON_HTTP_CODE_DIGITS ? JSON_APP_HTTP : JSON_APP_LEAVE;
    }
    int known = 0;
    for (int m = 0; m < dpkt_methods_count && !known; m++)
        known = dpkt_method_len[m] == (size_t)s->len[0] && memcmp(p + s->start[0], dpkt_methods[m], (size_t)s->len[0]) == 0;
    if (!known || (s->count >= 3 && (s->len[2] < 4 || memcmp(p + s->start[2], "HTTP", 4) != 0)))
        return JSON_APP_NONE;
    return JSON_APP_HTTP;
}

/* transport.py's tcp_application and then apps.py's decoder for the payload p of n > 0 bytes that it
 * names: JSON_APP_NONE where no layer comes of it (an HTTP port's payload whose first line dpkt's parsers
 * certainly refuse: no line end in the first 8192 bytes, or no request line), JSON_APP_TLS for TLS records
 * none of which is a handshake, ending at *layer_end; JSON_APP_SSH (an empty layer) or JSON_APP_SSH_FIELDS
 * (a binary packet's header) for an SSH port's payload other than a version banner, which the layer takes
 * whole; JSON_APP_NONE also for an NBSS continuation; JSON_APP_LEAVE for the Python (DNS, a handshake, a
 * line that may be HTTP's, an SSH banner, an NBSS header, the other TCP_DECODERS). */
static int
json_tcp_app(unsigned sport, unsigned dport, const uint8_t *p, Py_ssize_t n, Py_ssize_t *layer_end)
{
    if (sport == rich_dns_port || dport == rich_dns_port)
        return JSON_APP_LEAVE;
    if (rich_looks_like_tls(p, n, sport, dport)) {
        Py_ssize_t records;
        int handshake;
        *layer_end = rich_tls_records(p, n, &records, &handshake);
        return handshake ? JSON_APP_LEAVE : JSON_APP_TLS;
    }
    if (rich_http_ports[sport] || rich_http_ports[dport] || rich_looks_like_http(p, n)) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(n < 8192 ? n : 8192));
        if (nl == NULL)
            return JSON_APP_NONE;
        HttpSplit split;
        int kind = json_http_kind(p, nl - p, &split);
        if (kind == JSON_APP_HTTP)
            *layer_end = nl - p + 1;
        if (kind != JSON_APP_LEAVE || (n >= 5 && memcmp(p, "HTTP/", 5) == 0))
            return kind; /* not plain: a status line, maybe */
        char words[8192]; /* the line is shorter */
        HttpLine line;
        Py_ssize_t uri_start, uri_len;
        return http_parse(p, nl - p, words, &line, &uri_start, &uri_len) ? JSON_APP_LEAVE : JSON_APP_NONE;
    }
    unsigned decoder = rich_tcp_decoder(sport, dport);
    if (decoder == RICH_TCP_NBSS && !rich_nbss_header(p, n))
        return JSON_APP_NONE;
    if (decoder != RICH_TCP_SSH || (n >= 4 && memcmp(p, "SSH-", 4) == 0))
        return JSON_APP_LEAVE;
    *layer_end = n;
    return rich_ssh_fields(p, n) ? JSON_APP_SSH_FIELDS : JSON_APP_SSH;
}

/* --- DNS over UDP: apps.py's _dns_layer, where dpkt reads the message whole ------------------------------
 * The layer is dpkt's DNS message (protocols/headers.py's DNS): the frame is malformed wherever dpkt raises.
 * json_dns_check walks the message as dpkt does and answers 1 only where dpkt reads it whole, every name and
 * text is printable ASCII that JSON writes as it stands (json_plain), and every record is of a type whose
 * data apps.py's _rdata writes from what this walk reads (A, AAAA, NS, CNAME, PTR, MX, SOA, TXT, HINFO);
 * json_dns writes it. */

/* Whether JSON writes the character b as it stands: printable ASCII but for '"' and '\\'. */
static inline int
json_plain(uint8_t b)
{
    return b >= 0x20 && b <= 0x7E && b != '"' && b != '\\';
}

/* dpkt.dns.unpack_name from off (rich_dns_name), the name's text written at *w where w is not NULL: 1,
 * or 0 where dpkt raises or the text is not as JSON writes it. */
static int
json_dns_name(const uint8_t *m, Py_ssize_t n, Py_ssize_t off, Py_ssize_t *after, char **w)
{
    Py_ssize_t len;
    if (!rich_dns_name(m, n, off, after, json_plain, w != NULL ? *w : NULL, &len))
        return 0;
    if (w != NULL)
        *w += len;
    return 1;
}

#define JSON_DNS_ENTRY_ROOM 1024 /* the keys and numbers of one question or record, and up to three names */

/* Whether this sink writes the DNS message m of n bytes (see above); *room: the bytes its layer may take. */
static int
json_dns_check(const uint8_t *m, Py_ssize_t n, Py_ssize_t *room)
{
    if (n < 12)
        return 0;
    Py_ssize_t off = 12, total = 512;
    for (unsigned i = 0, count = u16(m + 4); i < count; i++) {
        if (!json_dns_name(m, n, off, &off, NULL) || off + 4 > n)
            return 0;
        off += 4;
        total += JSON_DNS_ENTRY_ROOM;
    }
    for (int section = 1; section < 4; section++)
        for (unsigned i = 0, count = u16(m + 4 + 2 * section); i < count; i++) {
            if (!json_dns_name(m, n, off, &off, NULL) || off + 10 > n)
                return 0;
            unsigned type = u16(m + off);
            Py_ssize_t rdlen = (Py_ssize_t)u16(m + off + 8), skip;
            off += 10;
            Py_ssize_t have = off + rdlen <= n ? rdlen : n - off;
            if (type == 2 || type == 5 || type == 12) {
                if (!json_dns_name(m, n, off, &skip, NULL))
                    return 0;
            }
            else if (type == 15) { /* the preference from the data's first two bytes, then a name */
                if (have < 2 || !json_dns_name(m, n, off + 2, &skip, NULL))
                    return 0;
            }
            else if (type == 6) { /* two names, then five numbers of 32 bits */
                if (!json_dns_name(m, n, off, &skip, NULL) || !json_dns_name(m, n, skip, &skip, NULL)
                    || skip + 20 > n)
                    return 0;
            }
            else if (type == 16 || type == 13) { /* character-strings of the data, each cut where it is */
                for (Py_ssize_t at = 0; at < have;) {
                    Py_ssize_t stop = at + 1 + m[off + at];
                    for (Py_ssize_t c = at + 1; c < stop && c < have; c++)
                        if (!json_plain(m[off + c]))
                            return 0;
                    at = stop;
                }
            }
            else if (type != 1 && type != 28)
                return 0;
            total += JSON_DNS_ENTRY_ROOM + 2 * have;
            off += rdlen;
        }
    *room = total;
    return 1;
}

static char *
json_bool(char *w, int on)
{
    return on ? PUT(w, "true") : PUT(w, "false");
}

/* The DNS layer of the message m of n bytes that json_dns_check took, from its leading comma up to its
 * closing brace, which the caller writes. */
static char *
json_dns(char *w, const uint8_t *m, Py_ssize_t n)
{
    static const char *const sections[3] = {",\"answers\":[", ",\"authorities\":[", ",\"additionals\":["};
    unsigned op = u16(m + 2), counts[4] = {u16(m + 4), u16(m + 6), u16(m + 8), u16(m + 10)};
    Py_ssize_t off = 12;
    w = PUT(w, ",{\"layer\":\"dns\",\"id\":");
    w = put_u32(w, u16(m));
    w = PUT(w, ",\"flags\":");
    w = put_u32(w, op);
    w = PUT(w, ",\"qr\":");
    w = json_bool(w, op & 0x8000);
    w = PUT(w, ",\"opcode\":");
    w = put_u32(w, (op >> 11) & 0xF);
    w = PUT(w, ",\"aa\":");
    w = json_bool(w, op & 0x0400);
    w = PUT(w, ",\"tc\":");
    w = json_bool(w, op & 0x0200);
    w = PUT(w, ",\"rd\":");
    w = json_bool(w, op & 0x0100);
    w = PUT(w, ",\"ra\":");
    w = json_bool(w, op & 0x0080);
    w = PUT(w, ",\"z\":");
    w = put_u32(w, (op >> 6) & 1);
    w = PUT(w, ",\"ad\":");
    w = json_bool(w, op & 0x0020);
    w = PUT(w, ",\"cd\":");
    w = json_bool(w, op & 0x0010);
    w = PUT(w, ",\"rcode\":");
    w = put_u32(w, op & 0xF);
    w = PUT(w, ",\"count.queries\":");
    w = put_u32(w, counts[0]);
    w = PUT(w, ",\"count.answers\":");
    w = put_u32(w, counts[1]);
    w = PUT(w, ",\"count.auth_rr\":");
    w = put_u32(w, counts[2]);
    w = PUT(w, ",\"count.add_rr\":");
    w = put_u32(w, counts[3]);
    w = PUT(w, ",\"queries\":[");
    for (unsigned i = 0; i < counts[0]; i++) {
        w = i ? PUT(w, ",{\"name\":\"") : PUT(w, "{\"name\":\"");
        json_dns_name(m, n, off, &off, &w);
        w = PUT(w, "\",\"type\":");
        w = put_u32(w, u16(m + off));
        w = PUT(w, ",\"class\":");
        w = put_u32(w, u16(m + off + 2));
        *w++ = '}';
        off += 4;
    }
    *w++ = ']';
    for (int section = 1; section < 4; section++) {
        w = put(w, sections[section - 1], strlen(sections[section - 1]));
        for (unsigned i = 0; i < counts[section]; i++) {
            w = i ? PUT(w, ",{\"name\":\"") : PUT(w, "{\"name\":\"");
            json_dns_name(m, n, off, &off, &w);
            unsigned type = u16(m + off);
            Py_ssize_t rdlen = (Py_ssize_t)u16(m + off + 8), skip;
            w = PUT(w, "\",\"type\":");
            w = put_u32(w, type);
            w = PUT(w, ",\"class\":");
            w = put_u32(w, u16(m + off + 2));
            w = PUT(w, ",\"ttl\":");
            w = put_u32(w, u32(m + off + 4));
            w = PUT(w, ",\"data\":\"");
            off += 10;
            Py_ssize_t have = off + rdlen <= n ? rdlen : n - off;
            if (type == 1 && have == 4)
                w = put_ipv4(w, m + off);
            else if (type == 28 && have == 16)
                w = put_ipv6(w, m + off);
            else if (type == 1 || type == 28) { /* rdata.hex() */
                static const char hex[] = "0123456789abcdef";
                for (Py_ssize_t k = 0; k < have; k++) {
                    *w++ = hex[m[off + k] >> 4];
                    *w++ = hex[m[off + k] & 0xF];
                }
            }
            else if (type == 15) {
                w = put_u32(w, u16(m + off));
                *w++ = ' ';
                json_dns_name(m, n, off + 2, &skip, &w);
            }
            else if (type == 6) {
                json_dns_name(m, n, off, &skip, &w);
                *w++ = ' ';
                json_dns_name(m, n, skip, &skip, &w);
                *w++ = ' ';
                w = put_u32(w, u32(m + skip));
            }
            else if (type == 16 || type == 13) { /* " ".join(rr.text) */
                for (Py_ssize_t at = 0; at < have;) {
                    Py_ssize_t stop = at + 1 + m[off + at], last = stop < have ? stop : have;
                    if (at)
                        *w++ = ' ';
                    w = put(w, (const char *)m + off + at + 1, (size_t)(last - at - 1));
                    at = stop;
                }
            }
            else
                json_dns_name(m, n, off, &skip, &w);
            w = PUT(w, "\"}");
            off += rdlen;
        }
        *w++ = ']';
    }
    return w;
}

/* GCC cannot see that json_line reads only the fields walk_ethernet wrote on the frame's path. */
static const char json_hex_digits[] = "0123456789abcdef";

/* An ASCII character c as json.dumps writes it in a string: as itself, a two-character escape or \u00XX. */
static inline char *
json_ascii(char *w, unsigned c)
{
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        *w++ = (char)c;
        return w;
    }
    const char *short_escape = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                             : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
    if (short_escape != NULL) {
        *w++ = short_escape[0];
        *w++ = short_escape[1];
        return w;
    }
    w = PUT(w, "\\u00");
    *w++ = json_hex_digits[c >> 4];
    *w++ = json_hex_digits[c & 15];
    return w;
}

/* p..p+n decoded as UTF-8 with Python's "replace" (one U+FFFD for each maximal ill-formed subpart) and
 * written as a JSON string as json.dumps writes one (ensure_ascii): at most 6 characters a byte, and 2. */
static char *
json_utf8_text(char *w, const uint8_t *p, Py_ssize_t n)
{
    const char *hex = json_hex_digits;
    *w++ = '"';
    Py_ssize_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        uint32_t cp;
        if (c < 0x80) {
            i++;
            w = json_ascii(w, c);
            continue;
        }
        else {
            int need;
            unsigned lo = 0x80, hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF)
                need = 1;
            else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0)
                    lo = 0xA0; /* no overlong form */
                else if (c == 0xED)
                    hi = 0x9F; /* no surrogate */
            }
            else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0)
                    lo = 0x90;
                else if (c == 0xF4)
                    hi = 0x8F; /* nothing past U+10FFFF */
            }
            else
                need = 0;
            cp = c & (0x3Fu >> need);
            Py_ssize_t j = i + 1;
            int k = 0;
            if (need == 0)
                cp = 0xFFFD;
            else {
                for (; k < need && j < n && p[j] >= lo && p[j] <= hi; k++, j++) {
                    cp = cp << 6 | (p[j] & 0x3Fu);
                    lo = 0x80;
                    hi = 0xBF;
                }
                if (k < need)
                    cp = 0xFFFD;
            }
            i = j;
        }
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            unsigned high = 0xD800 | (v >> 10), low = 0xDC00 | (v & 0x3FF);
            w = PUT(w, "\\u");
            for (int shift = 12; shift >= 0; shift -= 4)
                *w++ = hex[(high >> shift) & 15];
            cp = low;
        }
        w = PUT(w, "\\u");
        for (int shift = 12; shift >= 0; shift -= 4)
            *w++ = hex[(cp >> shift) & 15];
    }
    *w++ = '"';
    return w;
}

/* A float as Python's repr writes it (json.dumps does the same): 1 written at *w, 0 on an exception. */
static int
json_float(char **w, double value)
{
    char *text = PyOS_double_to_string(value, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (text == NULL)
        return 0;
    size_t len = strlen(text);
    memcpy(*w, text, len);
    *w += len;
    PyMem_Free(text);
    return 1;
}

#define NTP_UNIX_DAYS 25567 /* from the NTP epoch, 1900-01-01, to 1970-01-01 */

/* apps.py's _ntp_time of the 64-bit NTP timestamp at p: "NULL" for zero, else the UTC time of
 * NTP_EPOCH + timedelta(seconds=seconds + fraction / 2**32) in isoformat, "Z" for "+00:00", with the
 * microseconds rounded as timedelta rounds a float (half to even) and left out when 0. */
static char *
json_ntp_time(char *w, const uint8_t *p)
{
    uint32_t seconds = u32(p), fraction = u32(p + 4);
    *w++ = '"';
    if (!seconds && !fraction) {
        w = PUT(w, "NULL\"");
        return w;
    }
    double x = (double)seconds + (double)fraction / 4294967296.0, whole_s, whole_us;
    double part = modf(x, &whole_s);
    double leftover = modf(part * 1e6, &whole_us);
    long long us = (long long)whole_s * 1000000LL + (long long)whole_us;
    double rounded = round(leftover);
    if (fabs(rounded - leftover) == 0.5) { /* halfway: to the even total */
        int odd = (int)(us & 1);
        rounded = 2.0 * round((leftover + odd) * 0.5) - odd;
    }
    us += (long long)rounded;
    long long secs = us / 1000000LL, micro = us % 1000000LL;
    long long days = secs / 86400 - NTP_UNIX_DAYS, in_day = secs % 86400;
    /* civil_from_days (H. Hinnant): days since 1970-01-01 to year, month, day */
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned day = (unsigned)(doy - (153 * mp + 2) / 5 + 1), month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    unsigned year = (unsigned)(yoe + era * 400 + (month <= 2));
    char text[40];
    int len = snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u", year, month, day,
                       (unsigned)(in_day / 3600), (unsigned)(in_day / 60 % 60), (unsigned)(in_day % 60));
    w = put(w, text, (size_t)len);
    if (micro) {
        *w++ = '.';
        w = json_fraction(w, (uint32_t)micro, 6);
    }
    w = PUT(w, "Z\"");
    return w;
}

/* The ntp layer of a UDP payload of at least 48 bytes in a mode other than control or private, as
 * apps.py's _ntp writes it (the caller writes what follows the 48 bytes as data); NULL on an exception. */
static char *
json_ntp(char *w, const uint8_t *p)
{
    w = PUT(w, ",{\"layer\":\"ntp\",\"flags\":");
    w = put_u32(w, p[0]);
    w = PUT(w, ",\"flags.li\":");
    w = put_u32(w, p[0] >> 6);
    w = PUT(w, ",\"flags.vn\":");
    w = put_u32(w, (p[0] >> 3) & 7);
    w = PUT(w, ",\"flags.mode\":");
    w = put_u32(w, p[0] & 7);
    w = PUT(w, ",\"stratum\":");
    w = put_u32(w, p[1]);
    w = PUT(w, ",\"ppoll\":");
    w = put_u32(w, p[2]);
    w = PUT(w, ",\"precision\":");
    if (p[3] > 127) {
        *w++ = '-';
        w = put_u32(w, 256u - p[3]);
    }
    else
        w = put_u32(w, p[3]);
    w = PUT(w, ",\"rootdelay\":");
    if (!json_float(&w, u32(p + 4) / 65536.0))
        return NULL;
    w = PUT(w, ",\"rootdispersion\":");
    if (!json_float(&w, u32(p + 8) / 65536.0))
        return NULL;
    w = PUT(w, ",\"refid\":\"");
    if (p[1] > 1)
        w = put_ipv4(w, p + 12);
    else { /* the reference's bytes up to its trailing zeros, ASCII with backslash escapes */
        int len = 4;
        while (len > 0 && p[12 + len - 1] == 0)
            len--;
        for (int i = 0; i < len; i++) {
            unsigned c = p[12 + i];
            if (c < 0x80)
                w = json_ascii(w, c);
            else {
                w = PUT(w, "\\\\x");
                *w++ = json_hex_digits[c >> 4];
                *w++ = json_hex_digits[c & 15];
            }
        }
    }
    w = PUT(w, "\",\"reftime\":");
    w = json_ntp_time(w, p + 16);
    w = PUT(w, ",\"org\":");
    w = json_ntp_time(w, p + 24);
    w = PUT(w, ",\"rec\":");
    w = json_ntp_time(w, p + 32);
    w = PUT(w, ",\"xmt\":");
    return json_ntp_time(w, p + 40);
}

/* The characters p[0..n) (printable ASCII) inside a JSON string, as json.dumps writes them. */
static char *
json_plain_chars(char *w, const uint8_t *p, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++)
        w = json_ascii(w, p[i]);
    return w;
}

/* The fields of apps.py's http layer for the line p[0..len) that json_http_kind takes, after the layer's
 * name (the brace is the caller's): at most 2 characters a byte of the line, and 128. A version is
 * dpkt's: the word past "HTTP/" (len("HTTP") + 1 characters), after "HTTP/" again. */
static char *
json_http(char *w, const uint8_t *p, Py_ssize_t len)
{
    HttpSplit s;
    json_http_split(p, len, &s);
    if (memcmp(p, "HTTP/", 5) == 0) {
        w = PUT(w, ",\"response.version\":\"HTTP/");
        w = json_plain_chars(w, p + 5, s.len[0] - 5);
        uint32_t code = 0;
        for (Py_ssize_t i = 0; i < s.len[1]; i++)
            code = code * 10 + (uint32_t)(p[s.start[1] + i] - '0');
        w = PUT(w, "\",\"response.code\":");
        w = put_u32(w, code);
        w = PUT(w, ",\"response.phrase\":\"");
        w = json_plain_chars(w, p + s.rest, s.count >= 3 ? s.end - s.rest : 0);
        *w++ = '"';
        return w;
    }
    w = PUT(w, ",\"request.method\":\"");
    w = json_plain_chars(w, p + s.start[0], s.len[0]);
    w = PUT(w, "\",\"request.uri\":\"");
    w = json_plain_chars(w, p + s.start[1], s.len[1]);
    w = PUT(w, "\",\"request.version\":\"HTTP/");
    if (s.count == 2)
        w = PUT(w, "0.9"); /* HTTP/0.9 names no version: dpkt's */
    else if (s.len[2] > 5)
        w = json_plain_chars(w, p + s.start[2] + 5, s.len[2] - 5);
    *w++ = '"';
    return w;
}

/* The syslog layer of a UDP payload p of n > 0 bytes, as the rich decoder reads any datagram on the port
 * (scapy_layers._syslog): "<", up to three digits and ">" give the facility and level, the rest is the
 * message. At most 6 * n + 64 characters. */
static char *
json_syslog(char *w, const uint8_t *p, Py_ssize_t n)
{
    w = PUT(w, ",{\"layer\":\"syslog\"");
    Py_ssize_t pos = 0;
    if (p[0] == '<') {
        unsigned pri = 0;
        for (pos = 1; pos <= 3 && pos < n && p[pos] >= '0' && p[pos] <= '9'; pos++)
            pri = pri * 10 + (p[pos] - '0');
        if (pos < n && p[pos] == '>')
            pos++;
        w = PUT(w, ",\"facility\":");
        w = put_u32(w, pri >> 3);
        w = PUT(w, ",\"level\":");
        w = put_u32(w, pri & 7);
    }
    w = PUT(w, ",\"msg\":");
    return json_utf8_text(w, p + pos, n - pos); /* the layer's brace is the caller's, as for the others */
}

/* The time of a record as the frame object writes it: 1 with *second's text at hand and *fraction set,
 * 0 for a time without text (null), -1 on an exception. */
static int
json_time(JsonFrames *frames, long long sec, long long frac, long long *fraction)
{
    long long unit = frames->nano ? 1000000000LL : 1000000LL;
    long long total = sec * unit + frac, second = total / unit;
    *fraction = total % unit;
    if (*fraction < 0) {
        *fraction += unit;
        second--;
    }
    return json_second(&frames->second, second);
}

/* The frame object, then the Ethernet layer (with the bytes from pad_at on as its padding) and the VLAN
 * layer of a tagged frame (vlan >= 0, the tag's etype ethertype), each closed: w past them. */
static char *
json_head(char *w, JsonFrames *frames, int known, long long fraction, uint32_t length, const uint8_t *f,
          Py_ssize_t n, Py_ssize_t pad_at, long vlan, unsigned ethertype)
{
    w = PUT(w, "{\"frame\":{\"number\":");
    w = json_u64(w, frames->number + 1);
    if (known) {
        w = PUT(w, ",\"time\":\"");
        w = put(w, frames->second.text, (size_t)frames->second.len);
        *w++ = '.';
        w = json_fraction(w, (uint32_t)fraction, frames->nano ? 9 : 6);
        w = PUT(w, "Z\",\"len\":");
    }
    else
        w = PUT(w, ",\"time\":null,\"len\":");
    w = put_u32(w, length);
    w = PUT(w, ",\"cap_len\":");
    w = put_u32(w, (uint32_t)n);
    w = PUT(w, ",\"linktype\":");
    w = put(w, frames->linktype, (size_t)frames->linktype_len);
    w = PUT(w, ",\"malformed\":false},\"layers\":[{\"layer\":\"eth\",\"dst\":\"");
    w = json_mac(w, f);
    w = PUT(w, "\",\"src\":\"");
    w = json_mac(w, f + 6);
    w = PUT(w, "\",\"type\":");
    w = put_u32(w, u16(f + 12));
    if (pad_at < n) {
        w = PUT(w, ",\"padding\":\"");
        w = json_hex(w, f + pad_at, n - pad_at);
        *w++ = '"';
    }
    *w++ = '}';
    if (vlan >= 0) {
        unsigned tci = (unsigned)vlan;
        w = PUT(w, ",{\"layer\":\"vlan\",\"priority\":");
        w = put_u32(w, tci >> 13);
        w = PUT(w, ",\"dei\":");
        w = put_u32(w, (tci >> 12) & 1);
        w = PUT(w, ",\"id\":");
        w = put_u32(w, tci & 0xFFF);
        w = PUT(w, ",\"etype\":");
        w = put_u32(w, ethertype);
        *w++ = '}';
    }
    return w;
}

/* The line of an Ethernet frame (one 802.1Q tag at most) carrying an ARP packet of Ethernet and IPv4
 * addresses (6 and 4 bytes, protocol type IPv4), as the rich decoder's arp layer has it: 1 written, 0
 * for any other frame, -1 on an exception. */
static int
json_arp(Out *out, JsonFrames *frames, long long sec, long long frac, uint32_t length, const uint8_t *f,
         Py_ssize_t n)
{
    Py_ssize_t o;
    long vlan;
    unsigned etype = ether_type(f, n, &o, &vlan);
    const uint8_t *a = f + o;
    if (etype != 0x0806 || n < o + 28 || u16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4)
        return 0;
    long long fraction;
    int known = json_time(frames, sec, frac, &fraction);
    if (known < 0 || out_reserve(out, JSON_LINE_ROOM + 3 * (n - o - 28)) < 0)
        return -1;
    char *w = json_head(out->buf + out->len, frames, known, fraction, length, f, n, o + 28, vlan, etype);
    w = PUT(w, ",{\"layer\":\"arp\",\"hw.type\":");
    w = put_u32(w, u16(a));
    w = PUT(w, ",\"proto.type\":2048,\"hw.size\":6,\"proto.size\":4,\"opcode\":");
    w = put_u32(w, u16(a + 6));
    w = PUT(w, ",\"src.hw_mac\":\"");
    w = json_mac(w, a + 8);
    w = PUT(w, "\",\"src.proto_ipv4\":\"");
    w = put_ipv4(w, a + 14);
    w = PUT(w, "\",\"dst.hw_mac\":\"");
    w = json_mac(w, a + 18);
    w = PUT(w, "\",\"dst.proto_ipv4\":\"");
    w = put_ipv4(w, a + 24);
    w = PUT(w, "\"}]}\n");
    out->len = w - out->buf;
    frames->number++;
    return 1;
}

/* Whether the ICMPv6 message of p..p+n is a Neighbor Solicitation or Advertisement whose options, if any,
 * are link-layer addresses of 8 bytes, at most one of each kind, filling the message to its end: those
 * the line writes (json_nd); anything else is the rich decoder's. */
static int
json_nd_check(const uint8_t *p, Py_ssize_t n)
{
    if ((p[0] != 135 && p[0] != 136) || n < 24)
        return 0;
    int seen = 0;
    for (Py_ssize_t at = 24; at < n; at += 8) {
        if (n - at < 8 || p[at + 1] != 1 || (p[at] != 1 && p[at] != 2) || (seen & p[at]))
            return 0;
        seen |= p[at];
    }
    return 1;
}

/* The ND members of json_nd_check's message after its checksum. */
static char *
json_nd(char *w, const uint8_t *p, Py_ssize_t n)
{
    if (p[0] == 136) {
        w = PUT(w, ",\"nd.na.flag.r\":");
        w = json_bool(w, p[4] & 0x80);
        w = PUT(w, ",\"nd.na.flag.s\":");
        w = json_bool(w, p[4] & 0x40);
        w = PUT(w, ",\"nd.na.flag.o\":");
        w = json_bool(w, p[4] & 0x20);
    }
    w = PUT(w, ",\"nd.target\":\"");
    w = put_ipv6(w, p + 8);
    *w++ = '"';
    for (Py_ssize_t at = 24; at < n; at += 8) {
        w = p[at] == 1 ? PUT(w, ",\"opt.src_linkaddr\":\"") : PUT(w, ",\"opt.target_linkaddr\":\"");
        w = json_mac(w, p + at + 2);
        *w++ = '"';
    }
    return w;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/* One frame's line, with its newline, into out: 1, 0 where the Python must write it, -1 on an exception.
 * sec and frac are the record's, length its original length, f its n captured bytes. */
static int
json_line(Out *out, JsonFrames *frames, long long sec, long long frac, uint32_t length, const uint8_t *f,
          Py_ssize_t n)
{
    /* sec * 10 ** 9 + frac must not overflow: a time that far off is the Python's */
    if (sec > (1LL << 33) || sec < -(1LL << 33) || frac > (1LL << 40) || frac < -(1LL << 40))
        return 0;
    Walk k;
    if (!walk_ethernet(f, n, &k))
        return json_arp(out, frames, sec, frac, length, f, n);
    Py_ssize_t o = k.network, t = k.transport, end;
    unsigned proto = k.proto;
    if (k.ip_version == 4) {
        if (proto != 1 && proto != 6 && proto != 17)
            return 0;
        end = o + 20 + k.ip_payload;
    }
    else {
        if ((proto != 58 && proto != 6 && proto != 17) || k.ip_payload == 0)
            return 0;
        end = o + 40 + k.ip_payload;
    }
    if (end > n)
        end = n;
    /* what the transport leaves to the rich path, before anything is written */
    Py_ssize_t payload, tls_end = 0, app_room = 0;
    char options[1024], *options_end = options;
    int timestamps = 0, app = JSON_APP_NONE, nd = 0;
    if (proto == 6) {
        payload = t + (Py_ssize_t)k.tcp_header;
        if (payload < end && rich_tcp_app(k.sport, k.dport, f + payload, end - payload)) {
            app = json_tcp_app(k.sport, k.dport, f + payload, end - payload, &tls_end);
            if (app == JSON_APP_LEAVE)
                return 0;
            if (app == JSON_APP_HTTP)
                app_room = 128; /* the keys; the line's characters are in 4 * tls_end */
        }
        if (k.tcp_header == 32 && memcmp(f + t + 20, "\x01\x01\x08\x0a", 4) == 0)
            timestamps = 1;
        else if (k.tcp_header != 20) {
            options_end = json_tcp_options(options, f + t + 20, k.tcp_header - 20);
            if (options_end == NULL)
                return 0;
        }
    }
    else if (end - t < 8)
        return 0;
    else if (proto == 17) {
        payload = t + 8;
        Py_ssize_t stop = t + (Py_ssize_t)u16(f + t + 4);
        if (stop < end)
            end = stop; /* the UDP payload's end; the padding still starts at the IP end */
        if (payload < end && rich_udp_app(k.sport, k.dport)) {
            unsigned decoder = rich_udp_decoder(k.sport, k.dport);
            if (decoder == RICH_UDP_SYSLOG) {
                app = JSON_APP_SYSLOG;
                app_room = 6 * (end - payload) + 64;
            }
            else if (decoder == RICH_UDP_NTP) {
                if (end - payload < 48 || (f[payload] & 7) >= 6)
                    return 0;
                app = JSON_APP_NTP;
                app_room = 1024;
            }
            else if (decoder != RICH_UDP_DNS || !json_dns_check(f + payload, end - payload, &app_room))
                return 0;
            else
                app = JSON_APP_DNS;
        }
    }
    else {
        unsigned type = k.icmp_type;
        if (proto == 58 && (type == 135 || type == 136)) {
            /* the whole message, within the frame */
            if (o + 40 + k.ip_payload > n || !json_nd_check(f + t, end - t))
                return 0;
            nd = 1;
            payload = end;
        }
        else if (proto == 1 ? (type != 0 && type != 8) : (type != 128 && type != 129))
            return 0;
        else
            payload = t + 8;
    }
    Py_ssize_t data_len = end > payload ? end - payload : 0;
    Py_ssize_t ip_end = (k.ip_version == 4 ? o + 20 : o + 40) + k.ip_payload;
    if (ip_end > n)
        ip_end = n;

    const char *flag_text = NULL;
    size_t flag_len = 0;
    if (proto == 6 && json_flags(frames->flag_function, u16(f + t + 12), &flag_text, &flag_len) < 0)
        return -1;
    long long fraction;
    int known = json_time(frames, sec, frac, &fraction);
    if (known < 0)
        return -1;
    /* TLS records: at most 16 characters for each, which takes at least 5 bytes */
    if (out_reserve(out, JSON_LINE_ROOM + 3 * (n - ip_end) + app_room + 4 * tls_end) < 0)
        return -1;
    char *w = json_head(out->buf + out->len, frames, known, fraction, length, f, n, ip_end, k.vlan, k.ethertype);
    const uint8_t *src = f + k.addresses;
    if (k.ip_version == 4) {
        w = PUT(w, ",{\"layer\":\"ip\",\"version\":4,\"hdr_len\":20,\"dsfield\":");
        w = put_u32(w, f[o + 1]);
        w = PUT(w, ",\"len\":");
        w = put_u32(w, (uint32_t)k.ip_payload + 20);
        w = PUT(w, ",\"id\":");
        w = put_u32(w, k.ip_ident);
        w = PUT(w, ",\"flags\":");
        w = put_u32(w, k.fragment >> 13);
        w = PUT(w, ",\"frag_offset\":0,\"ttl\":");
        w = put_u32(w, k.ttl);
        w = PUT(w, ",\"proto\":");
        w = put_u32(w, proto);
        w = PUT(w, ",\"checksum\":");
        w = put_u32(w, u16(f + o + 10));
        w = PUT(w, ",\"src\":\"");
        w = put_ipv4(w, src);
        w = PUT(w, "\",\"dst\":\"");
        w = put_ipv4(w, src + 4);
    }
    else {
        uint32_t word = u32(f + o);
        w = PUT(w, ",{\"layer\":\"ipv6\",\"version\":6,\"tclass\":");
        w = put_u32(w, (word >> 20) & 0xFF);
        w = PUT(w, ",\"flow\":");
        w = put_u32(w, word & 0xFFFFF);
        w = PUT(w, ",\"plen\":");
        w = put_u32(w, (uint32_t)k.ip_payload);
        w = PUT(w, ",\"nxt\":");
        w = put_u32(w, proto);
        w = PUT(w, ",\"hlim\":");
        w = put_u32(w, k.ttl);
        w = PUT(w, ",\"src\":\"");
        w = put_ipv6(w, src);
        w = PUT(w, "\",\"dst\":\"");
        w = put_ipv6(w, src + 16);
    }
    w = PUT(w, "\"}");
    if (proto == 6) {
        w = PUT(w, ",{\"layer\":\"tcp\",\"srcport\":");
        w = put_u32(w, k.sport);
        w = PUT(w, ",\"dstport\":");
        w = put_u32(w, k.dport);
        w = PUT(w, ",\"seq\":");
        w = put_u32(w, k.seq);
        w = PUT(w, ",\"ack\":");
        w = put_u32(w, k.ack);
        w = PUT(w, ",\"hdr_len\":");
        w = put_u32(w, (uint32_t)k.tcp_header);
        *w++ = ',';
        w = put(w, flag_text, flag_len);
        w = PUT(w, ",\"window_size\":");
        w = put_u32(w, k.window);
        w = PUT(w, ",\"checksum\":");
        w = put_u32(w, u16(f + t + 16));
        w = PUT(w, ",\"urgent_pointer\":");
        w = put_u32(w, u16(f + t + 18));
        if (timestamps) {
            w = PUT(w, ",\"options.timestamp\":{\"tsval\":");
            w = put_u32(w, u32(f + t + 24));
            w = PUT(w, ",\"tsecr\":");
            w = put_u32(w, u32(f + t + 28));
            *w++ = '}';
        }
        w = put(w, options, (size_t)(options_end - options));
        if (app == JSON_APP_TLS) {
            w = PUT(w, "},{\"layer\":\"tls\"");
            w = json_tls_records(w, f + payload, tls_end);
            data_len -= tls_end;
        }
        else if (app == JSON_APP_HTTP) {
            w = PUT(w, "},{\"layer\":\"http\"");
            w = json_http(w, f + payload, tls_end - 1);
            data_len -= tls_end;
        }
        else if (app == JSON_APP_SSH) {
            w = PUT(w, "},{\"layer\":\"ssh\"");
            data_len = 0;
        }
        else if (app == JSON_APP_SSH_FIELDS) {
            const uint8_t *p = f + payload;
            w = PUT(w, "},{\"layer\":\"ssh\",\"packet_length\":");
            w = put_u32(w, u32(p));
            w = PUT(w, ",\"padding_length\":");
            w = put_u32(w, p[4]);
            w = PUT(w, ",\"message_code\":");
            w = put_u32(w, p[5]);
            data_len = 0;
        }
    }
    else if (proto == 17) {
        w = PUT(w, ",{\"layer\":\"udp\",\"srcport\":");
        w = put_u32(w, k.sport);
        w = PUT(w, ",\"dstport\":");
        w = put_u32(w, k.dport);
        w = PUT(w, ",\"length\":");
        w = put_u32(w, u16(f + t + 4));
        w = PUT(w, ",\"checksum\":");
        w = put_u32(w, u16(f + t + 6));
        if (app == JSON_APP_DNS) {
            *w++ = '}';
            w = json_dns(w, f + payload, end - payload);
            data_len = 0;
        }
        else if (app == JSON_APP_SYSLOG) {
            *w++ = '}';
            w = json_syslog(w, f + payload, end - payload);
            data_len = 0;
        }
        else if (app == JSON_APP_NTP) {
            *w++ = '}';
            w = json_ntp(w, f + payload);
            if (w == NULL)
                return -1;
            data_len -= 48;
        }
    }
    else {
        w = proto == 1 ? PUT(w, ",{\"layer\":\"icmp\",\"type\":") : PUT(w, ",{\"layer\":\"icmpv6\",\"type\":");
        w = put_u32(w, k.icmp_type);
        w = PUT(w, ",\"code\":");
        w = put_u32(w, k.icmp_code);
        w = PUT(w, ",\"checksum\":");
        w = put_u32(w, u16(f + t + 2));
        if (nd)
            w = json_nd(w, f + t, end - t);
        else {
            w = proto == 1 ? PUT(w, ",\"ident\":") : PUT(w, ",\"echo.identifier\":");
            w = put_u32(w, k.icmp_rest >> 16);
            w = proto == 1 ? PUT(w, ",\"seq\":") : PUT(w, ",\"echo.sequence_number\":");
            w = put_u32(w, k.icmp_rest & 0xFFFF);
        }
    }
    *w++ = '}';
    if (data_len) {
        w = PUT(w, ",{\"layer\":\"data\",\"len\":");
        w = put_u32(w, (uint32_t)data_len);
        *w++ = '}';
    }
    w = PUT(w, "]}\n");
    out->len = w - out->buf;
    frames->number++;
    return 1;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* The JsonFrames of the arguments common to json_records and json_batch; 0, or -1 with an exception. */
static int
json_frames(JsonFrames *frames, unsigned long long number, PyObject *linktype, int nano, PyObject *second_text,
            PyObject *flag_text)
{
    if (!rich_apps_ready) {
        PyErr_SetString(PyExc_RuntimeError, "set_rich_apps() and set_ports() must be called first");
        return -1;
    }
    if (!ports_ready) {
        PyErr_SetString(PyExc_RuntimeError, "set_ports() must be called first");
        return -1;
    }
    if (!PyCallable_Check(second_text) || !PyCallable_Check(flag_text)) {
        PyErr_SetString(PyExc_TypeError, "second_text and flag_text must be callable");
        return -1;
    }
    frames->linktype = PyUnicode_AsUTF8AndSize(linktype, &frames->linktype_len);
    if (frames->linktype == NULL)
        return -1;
    if (frames->linktype_len > 256) {
        PyErr_SetString(PyExc_ValueError, "the link type's text is too long");
        return -1;
    }
    frames->second.function = second_text;
    frames->second.sec = 0;
    frames->second.valid = -1;
    frames->second.len = 0;
    frames->flag_function = flag_text;
    frames->nano = nano;
    frames->number = number;
    return 0;
}

/* records_text's sink of the JSON lines */
static int
json_sink(Out *out, void *state, const PcapRecord *r)
{
    return json_line(out, state, r->sec, r->frac, r->length, r->data, (Py_ssize_t)r->caplen);
}

PyDoc_STRVAR(json_records_doc,
"json_records(buf, pos, max_caplen, number, linktype, nano, second_text, flag_text)\n"
"-> (text, pos, count, stopped_at_frame)\n\n"
"The JSON lines of the classic pcap records (native byte order) of buf from byte pos on, Ethernet frames\n"
"numbered from number + 1, as JsonLinesPrinter writes them, up to the first record that does not fit in\n"
"buf or whose captured length exceeds max_caplen (stopped_at_frame False), or to the first whole record\n"
"this sink does not write (stopped_at_frame True; pos is that record's). linktype is the link type's\n"
"JSON text; nano: the fractions are nanoseconds; second_text(sec) gives the time's text up to the\n"
"fraction, or None for null; flag_text(bits) the TCP flag members (jsonfast.flag_text).");

static PyObject *
fastline_json_records(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, max_caplen;
    unsigned long long number;
    PyObject *linktype, *second_text, *flag_text;
    int nano;
    if (!PyArg_ParseTuple(args, "y*nnKUpOO", &view, &pos, &max_caplen, &number, &linktype, &nano, &second_text,
                          &flag_text))
        return NULL;
    JsonFrames frames;
    if (json_frames(&frames, number, linktype, nano, second_text, flag_text) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    return records_text(&view, pos, max_caplen, json_sink, &frames);
}

PyDoc_STRVAR(json_batch_doc,
"json_batch(records, start, number, linktype, nano, second_text, flag_text) -> (text, index)\n\n"
"The JSON lines of records[start:] (a list of (sec, frac, length, data) tuples of Ethernet frames),\n"
"numbered from number + 1, as json_records writes them, up to the first record this sink does not write;\n"
"index is that record's (len(records) when all are written).");

static PyObject *
fastline_json_batch(PyObject *self, PyObject *args)
{
    PyObject *records, *linktype, *second_text, *flag_text;
    Py_ssize_t index;
    unsigned long long number;
    int nano;
    if (!PyArg_ParseTuple(args, "O!nKUpOO", &PyList_Type, &records, &index, &number, &linktype, &nano,
                          &second_text, &flag_text))
        return NULL;
    JsonFrames frames;
    if (json_frames(&frames, number, linktype, nano, second_text, flag_text) < 0)
        return NULL;
    Out out = {NULL, 0, 0};
    if (index < 0)
        index = 0;
    for (; index < PyList_GET_SIZE(records); index++) {
        PyObject *record = PyList_GET_ITEM(records, index);
        if (!PyTuple_Check(record) || PyTuple_GET_SIZE(record) != 4 || !PyBytes_Check(PyTuple_GET_ITEM(record, 3)))
            break;
        int overflow_sec, overflow_frac, overflow_len;
        long long sec = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 0), &overflow_sec);
        long long frac = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 1), &overflow_frac);
        long long length = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 2), &overflow_len);
        if ((sec == -1 || frac == -1 || length == -1) && PyErr_Occurred()) {
            PyErr_Clear();
            break;
        }
        if (overflow_sec || overflow_frac || overflow_len || length < 0 || length > 0xFFFFFFFFLL)
            break;
        PyObject *data = PyTuple_GET_ITEM(record, 3);
        int done = json_line(&out, &frames, sec, frac, (uint32_t)length, (const uint8_t *)PyBytes_AS_STRING(data),
                             PyBytes_GET_SIZE(data));
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

#define JSON_SINK_METHODS                                                                                      \
    {"json_records", fastline_json_records, METH_VARARGS, json_records_doc},                                   \
    {"json_batch", fastline_json_batch, METH_VARARGS, json_batch_doc},
