/*
 * A table's rows as a sink of the walk: pycapture.table's columnar decoder, included by _fastline.c after
 * the walk and _richapps.h, before its method table.
 *
 * A Columns object holds one Arrow buffer set per column of pycapture/table/schema.py (validity bitmap,
 * then the values: fixed-width little-endian integers, a bit-packed boolean, or int32 offsets and UTF-8
 * bytes for a string), kinds and order given by the Python. records() and batch() append the rows of the
 * frames the walk takes and the rich decoder would decode no further (TCP and UDP with no application:
 * reader.py's _fill_walked, row for row), and stop at any other frame: the Python decodes it and appends
 * its row with append_row(). finish() hands the buffers over for pyarrow.Array.from_buffers. No Python
 * object is built per packet on the compiled path. tests/table/test_columns.py holds the table it gives
 * equal to the pure-Python one over the corpus.
 */

enum { COL_BOOL = -1, COL_STR = -2 };

/* reader.py's column numbers (schema.py's order): Columns' init checks the schema's names against
 * column_names, so that the two cannot part. */
enum {
    C_FILE, C_FRAME_NUMBER, C_TS, C_LEN, C_CAP_LEN, C_LINKTYPE, C_INTERFACE,
    C_ETH_SRC, C_ETH_DST, C_ETH_TYPE, C_VLAN_ID,
    C_IP_VERSION, C_IP_SRC, C_IP_DST, C_IP_PROTO, C_IP_TTL, C_IP_ID, C_IP_FRAG_OFFSET, C_IP_MORE_FRAGMENTS,
    C_SRC_PORT, C_DST_PORT, C_TCP_FLAGS, C_TCP_SEQ, C_TCP_ACK, C_TCP_WINDOW, C_PAYLOAD_LEN,
    C_ICMP_TYPE, C_ICMP_CODE,
    C_DNS_ID, C_DNS_QRY_NAME, C_DNS_RCODE, C_TLS_SNI, C_HTTP_METHOD, C_HTTP_HOST, C_HTTP_URI,
    C_PROTOCOLS, C_COMMUNITY_ID, C_MALFORMED,
    C_COUNT
};

static const char *const column_names[C_COUNT] = {
    "file", "frame_number", "ts", "len", "cap_len", "linktype", "interface",
    "eth_src", "eth_dst", "eth_type", "vlan_id",
    "ip_version", "ip_src", "ip_dst", "ip_proto", "ip_ttl", "ip_id", "ip_frag_offset", "ip_more_fragments",
    "src_port", "dst_port", "tcp_flags", "tcp_seq", "tcp_ack", "tcp_window", "payload_len",
    "icmp_type", "icmp_code",
    "dns_id", "dns_qry_name", "dns_rcode", "tls_sni", "http_method", "http_host", "http_uri",
    "protocols", "community_id", "malformed",
};

typedef struct {
    int kind;  /* the value's width in bytes (1, 2, 4, 8), COL_BOOL or COL_STR */
    int on;    /* wanted: the others are left null and not handed over */
    uint8_t *valid;
    uint8_t *data; /* values; a boolean's bits; a string's bytes */
    int32_t *offsets;
    Py_ssize_t used, room; /* a string's bytes */
} Col;

typedef struct {
    PyObject_HEAD
    Col cols[C_COUNT];
    Py_ssize_t rows, room;
    /* per input: the constant columns, as UTF-8 (NULL: null) */
    char *file, *linktype, *interface;
    Py_ssize_t file_len, linktype_len, interface_len;
    int decoded; /* whether any column past the frame's own is wanted: else no walk */
    char *scratch; /* a frame's worth of room, and a DNS name's: HTTP's words, a question's name */
    Py_ssize_t scratch_room;
    int error; /* why a function returned -1 where no exception can be set (the GIL let go): an E_* */
    int busy;  /* records() runs without the GIL: no other call may touch the buffers meanwhile */
} Columns;

/* The errors of the functions that run without the GIL: set in Columns.error, raised by raise_error. */
enum { E_NONE = 0, E_NOMEM, E_OFFSETS };

static PyObject *
raise_error(Columns *b)
{
    if (b->error == E_OFFSETS)
        PyErr_SetString(PyExc_OverflowError, "a string column outgrew Arrow's 32-bit offsets: use a smaller batch_size");
    else
        PyErr_NoMemory();
    b->error = E_NONE;
    return NULL;
}

/* 1, or 0 with RuntimeError set while records() runs in another thread */
static int
not_busy(Columns *b)
{
    if (!b->busy)
        return 1;
    PyErr_SetString(PyExc_RuntimeError, "this Columns object is in use by another thread");
    return 0;
}

static int
fail(Columns *b, int error)
{
    b->error = error;
    return -1;
}

#define SCRATCH_EXTRA 512

/* scratch room for a frame of n bytes: 0, or -1 (E_NOMEM) */
static int
scratch_for(Columns *b, Py_ssize_t n)
{
    if (n + SCRATCH_EXTRA <= b->scratch_room)
        return 0;
    char *grown = PyMem_RawRealloc(b->scratch, (size_t)(n + SCRATCH_EXTRA));
    if (grown == NULL)
        return fail(b, E_NOMEM);
    b->scratch = grown;
    b->scratch_room = n + SCRATCH_EXTRA;
    return 0;
}

/* --- Community ID v1: SHA-1 and base64, with a cache of the flows seen last ----------------------------- */

typedef struct {
    uint32_t h[5];
} Sha1;

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void
sha1_block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = u32(p + 4 * i);
    for (int i = 16; i < 80; i++)
        w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        }
        else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        }
        else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        }
        else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = ROL(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = ROL(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

/* SHA-1 of m (at most 119 bytes: a Community ID's input is at most 40) into digest. */
static void
sha1_short(const uint8_t *m, size_t n, uint8_t digest[20])
{
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    uint8_t block[128];
    memset(block, 0, sizeof(block));
    memcpy(block, m, n);
    block[n] = 0x80;
    size_t total = n + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int i = 0; i < 8; i++)
        block[total - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(h, block);
    if (total == 128)
        sha1_block(h, block + 64);
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}

#define COMMUNITY_ID_LEN 30 /* "1:" and the 28 characters of a 20-byte digest's base64 */
#define FLOW_CACHE 4096

typedef struct {
    uint8_t key[40];
    uint8_t key_len;
    char id[COMMUNITY_ID_LEN];
} FlowId;

static FlowId flow_ids[FLOW_CACHE];

/* community_id.py's community_id(src, dst, proto, sport, dport) with seed 0, for a protocol with ports
 * (TCP, UDP; ICMP's type and code, or type and counterpart type, standing in for them): the 30 characters
 * into out. one_way: the endpoints stay in their order (an ICMP type without a counterpart). */
static void
community_id_ports(const uint8_t *src, const uint8_t *dst, int size, unsigned proto, unsigned sport,
                   unsigned dport, int one_way, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int cmp = memcmp(src, dst, (size_t)size);
    if (!one_way && (cmp > 0 || (cmp == 0 && sport > dport))) {
        const uint8_t *a = src;
        src = dst;
        dst = a;
        unsigned p = sport;
        sport = dport;
        dport = p;
    }
    uint8_t m[40];
    size_t n = 0;
    m[n++] = 0;
    m[n++] = 0; /* the seed */
    memcpy(m + n, src, (size_t)size);
    n += (size_t)size;
    memcpy(m + n, dst, (size_t)size);
    n += (size_t)size;
    m[n++] = (uint8_t)proto;
    m[n++] = 0;
    m[n++] = (uint8_t)(sport >> 8);
    m[n++] = (uint8_t)sport;
    m[n++] = (uint8_t)(dport >> 8);
    m[n++] = (uint8_t)dport;
    uint32_t hash = 2166136261u; /* FNV-1a, to pick the cache slot */
    for (size_t i = 2; i < n; i++)
        hash = (hash ^ m[i]) * 16777619u;
    FlowId *slot = &flow_ids[hash & (FLOW_CACHE - 1)];
    if (slot->key_len == n && memcmp(slot->key, m, n) == 0) {
        memcpy(out, slot->id, COMMUNITY_ID_LEN);
        return;
    }
    uint8_t d[21];
    sha1_short(m, n, d);
    d[20] = 0;
    char *w = out;
    *w++ = '1';
    *w++ = ':';
    for (int i = 0; i < 21; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (uint32_t)d[i + 1] << 8 | d[i + 2];
        *w++ = b64[v >> 18];
        *w++ = b64[(v >> 12) & 63];
        *w++ = b64[(v >> 6) & 63];
        *w++ = b64[v & 63];
    }
    out[COMMUNITY_ID_LEN - 1] = '='; /* 20 bytes: 27 characters and one pad */
    memcpy(slot->key, m, n);
    slot->key_len = (uint8_t)n;
    memcpy(slot->id, out, COMMUNITY_ID_LEN);
}

/* --- the buffers ----------------------------------------------------------------------------------- */

static int
columns_grow(Columns *b)
{
    Py_ssize_t room = b->room ? b->room * 2 : 1024;
    for (int i = 0; i < C_COUNT; i++) {
        Col *c = &b->cols[i];
        if (!c->on)
            continue;
        Py_ssize_t old_bits = (b->room + 7) / 8, bits = (room + 7) / 8;
        uint8_t *valid = PyMem_RawRealloc(c->valid, (size_t)bits);
        if (valid == NULL)
            return fail(b, E_NOMEM);
        memset(valid + old_bits, 0, (size_t)(bits - old_bits));
        c->valid = valid;
        if (c->kind == COL_STR) {
            int32_t *offsets = PyMem_RawRealloc(c->offsets, (size_t)(room + 1) * sizeof(int32_t));
            if (offsets == NULL)
                return fail(b, E_NOMEM);
            if (b->room == 0)
                offsets[0] = 0;
            c->offsets = offsets;
            continue;
        }
        Py_ssize_t old_size = c->kind == COL_BOOL ? old_bits : b->room * c->kind;
        Py_ssize_t size = c->kind == COL_BOOL ? bits : room * c->kind;
        uint8_t *data = PyMem_RawRealloc(c->data, (size_t)size);
        if (data == NULL)
            return fail(b, E_NOMEM);
        memset(data + old_size, 0, (size_t)(size - old_size));
        c->data = data;
    }
    b->room = room;
    return 0;
}

static inline void
set_valid(Col *c, Py_ssize_t r)
{
    c->valid[r >> 3] |= (uint8_t)(1u << (r & 7));
}

static inline void
put_int(Columns *b, int i, uint64_t v)
{
    Col *c = &b->cols[i];
    if (!c->on)
        return;
    Py_ssize_t r = b->rows;
    set_valid(c, r);
    switch (c->kind) {
    case 1:
        c->data[r] = (uint8_t)v;
        break;
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(c->data + 2 * r, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(c->data + 4 * r, &x, 4);
        break;
    }
    case 8:
        memcpy(c->data + 8 * r, &v, 8);
        break;
    case COL_BOOL:
        if (v)
            c->data[r >> 3] |= (uint8_t)(1u << (r & 7));
        break;
    }
}

/* Room for n more bytes in string column c: 0, or -1 (E_NOMEM, E_OFFSETS). */
static inline int
str_room(Columns *b, Col *c, Py_ssize_t n)
{
    if (c->used + n <= c->room)
        return 0;
    Py_ssize_t room = c->room ? c->room : 4096;
    while (room < c->used + n)
        room *= 2;
    if (room > INT32_MAX) {
        if (c->used + n > INT32_MAX)
            return fail(b, E_OFFSETS);
        room = INT32_MAX;
    }
    uint8_t *data = PyMem_RawRealloc(c->data, (size_t)room);
    if (data == NULL)
        return fail(b, E_NOMEM);
    c->data = data;
    c->room = room;
    return 0;
}

static inline int
put_str(Columns *b, int i, const char *s, Py_ssize_t n)
{
    Col *c = &b->cols[i];
    if (!c->on || s == NULL)
        return 0;
    if (str_room(b, c, n) < 0)
        return -1;
    if (n)
        memcpy(c->data + c->used, s, (size_t)n);
    c->used += n;
    set_valid(c, b->rows);
    return 0;
}

/* The row is whole: each string column's end offset, then the next row (growing the buffers). */
static inline int
end_row(Columns *b)
{
    Py_ssize_t r = b->rows;
    for (int i = 0; i < C_COUNT; i++) {
        Col *c = &b->cols[i];
        if (c->kind == COL_STR && c->on)
            c->offsets[r + 1] = (int32_t)c->used;
    }
    b->rows = r + 1;
    return b->rows == b->room ? columns_grow(b) : 0;
}

/* Undo what a row wrote so far (the Python fills it instead). */
static void
drop_row(Columns *b)
{
    Py_ssize_t r = b->rows;
    for (int i = 0; i < C_COUNT; i++) {
        Col *c = &b->cols[i];
        if (!c->on)
            continue;
        c->valid[r >> 3] &= (uint8_t) ~(1u << (r & 7));
        if (c->kind == COL_STR)
            c->used = c->offsets[r];
        else if (c->kind == COL_BOOL)
            c->data[r >> 3] &= (uint8_t) ~(1u << (r & 7));
        else
            memset(c->data + r * c->kind, 0, (size_t)c->kind);
    }
}

/* --- the rows -------------------------------------------------------------------------------------- */

/* The frame's own columns. */
static inline int
frame_row(Columns *b, uint64_t number, int has_ts, int64_t ts, uint64_t length, uint64_t caplen)
{
    if (put_str(b, C_FILE, b->file, b->file_len) < 0 || put_str(b, C_LINKTYPE, b->linktype, b->linktype_len) < 0 ||
        put_str(b, C_INTERFACE, b->interface, b->interface_len) < 0)
        return -1;
    put_int(b, C_FRAME_NUMBER, number);
    if (has_ts)
        put_int(b, C_TS, (uint64_t)ts);
    put_int(b, C_LEN, length);
    put_int(b, C_CAP_LEN, caplen);
    put_int(b, C_MALFORMED, 0);
    return 0;
}

static inline int
put_mac(Columns *b, int i, const uint8_t *a)
{
    static const char hex[] = "0123456789abcdef";
    char text[17];
    for (int j = 0; j < 6; j++) {
        text[3 * j] = hex[a[j] >> 4];
        text[3 * j + 1] = hex[a[j] & 15];
        if (j < 5)
            text[3 * j + 2] = ':';
    }
    return put_str(b, i, text, 17);
}

/* Whether the rich decoder reads the TCP options raw[0..n) whole (transport.py's tcp_options over dpkt's
 * parse_opts): no option before the first End of Option List lacks its length byte. */
static int
tcp_options_whole(const uint8_t *raw, Py_ssize_t n)
{
    Py_ssize_t pos = 0;
    while (pos < n) {
        unsigned kind = raw[pos];
        if (kind == 0)
            return 1;
        if (kind == 1) {
            pos++;
            continue;
        }
        if (pos + 1 >= n || kind == TCP_OPTION_MPTCP) /* the rich decoder adds an mptcp layer for the latter */
            return 0;
        pos += raw[pos + 1] > 2 ? raw[pos + 1] : 2;
    }
    return 1;
}

/* bytes.strip()'s whitespace */
static inline int
bytes_space(uint8_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* reader.py's _http_host over the bytes after a request line: where found, the Host header's value
 * (stripped, as Latin-1) into the column; 0, or -1 on an error. */
static int
put_http_host(Columns *b, const uint8_t *p, Py_ssize_t n)
{
    Py_ssize_t pos = 0;
    for (int piece = 0; piece <= 100; piece++) {
        /* payload.split(b"\n", 100): a hundred lines, then the rest whole */
        Py_ssize_t stop = n;
        if (piece < 100) {
            const uint8_t *nl = memchr(p + pos, '\n', (size_t)(n - pos));
            if (nl != NULL)
                stop = nl - p;
        }
        Py_ssize_t a = pos, z = stop;
        while (a < z && bytes_space(p[a]))
            a++;
        if (a == z)
            return 0; /* a blank line: the end of the headers */
        const uint8_t *colon = memchr(p + pos, ':', (size_t)(stop - pos));
        if (colon != NULL) {
            Py_ssize_t na = pos, nz = colon - p;
            while (na < nz && bytes_space(p[na]))
                na++;
            while (nz > na && bytes_space(p[nz - 1]))
                nz--;
            if (nz - na == 4 && (p[na] | 0x20) == 'h' && (p[na + 1] | 0x20) == 'o' && (p[na + 2] | 0x20) == 's' &&
                (p[na + 3] | 0x20) == 't') {
                Py_ssize_t va = colon - p + 1, vz = stop;
                while (va < vz && bytes_space(p[va]))
                    va++;
                while (vz > va && bytes_space(p[vz - 1]))
                    vz--;
                Col *c = &b->cols[C_HTTP_HOST];
                if (!c->on)
                    return 0;
                if (str_room(b, c, 2 * (vz - va)) < 0)
                    return -1;
                uint8_t *w = c->data + c->used;
                for (Py_ssize_t i = va; i < vz; i++) { /* Latin-1 to UTF-8 */
                    if (p[i] < 0x80)
                        *w++ = p[i];
                    else {
                        *w++ = (uint8_t)(0xC0 | p[i] >> 6);
                        *w++ = (uint8_t)(0x80 | (p[i] & 0x3F));
                    }
                }
                c->used = w - c->data;
                set_valid(c, b->rows);
                return 0;
            }
        }
        if (stop == n)
            return 0;
        pos = stop + 1;
    }
    return 0;
}

/* --- TLS: apps.py's _tls, one record; a Client Hello's server name read with dpkt's rules ------------------ */

/* dpkt.ssl.parse_variable_array(buf, size_bytes) over p[0..n): 1 with the array's place and the bytes it
 * takes (*used, which may run past n: dpkt slices, it does not check); 0 where dpkt raises (fewer than
 * size_bytes bytes). */
static inline int
tls_array(const uint8_t *p, Py_ssize_t n, int size_bytes, Py_ssize_t *start, Py_ssize_t *length,
          Py_ssize_t *used)
{
    if (n < size_bytes)
        return 0;
    Py_ssize_t size = size_bytes == 1 ? p[0] : u16(p);
    *start = size_bytes;
    *length = size_bytes + size <= n ? size : n - size_bytes;
    *used = size_bytes + size;
    return 1;
}

/* The server name a TLS handshake record's body b[0..n) gives the table (apps.py's _tls and
 * _server_name): 1 with the first host name of a Client Hello's server_name extensions in name (*name_len,
 * -1 for none); 0 where dpkt would raise, or the name holds a byte past ASCII (backslash-escaped there). */
static int
tls_server_name(const uint8_t *b, Py_ssize_t n, char *name, Py_ssize_t *name_len)
{
    *name_len = -1;
    if (n < 4)
        return 1;
    Py_ssize_t length = (Py_ssize_t)b[1] << 16 | (Py_ssize_t)b[2] << 8 | b[3];
    Py_ssize_t hello = n - 4 < length ? n - 4 : length;
    if (b[0] != 1 || hello < 34)
        return 1; /* a Server Hello's version, or another message's header: nothing the table takes */
    const uint8_t *d = b + 4 + 34;
    Py_ssize_t dn = hello - 34, pos = 0, start, size, used;
    if (!tls_array(d, dn, 1, &start, &size, &used)) /* session id */
        return 0;
    pos = used;
    if (!tls_array(d + (pos < dn ? pos : dn), pos < dn ? dn - pos : 0, 2, &start, &size, &used)) /* suites */
        return 0;
    pos += used;
    if (!tls_array(d + (pos < dn ? pos : dn), pos < dn ? dn - pos : 0, 1, &start, &size, &used)) /* compression */
        return 0;
    pos += used;
    if (pos >= dn || dn - pos < 2)
        return 1; /* _tls_extensions: no extensions */
    const uint8_t *e = d + pos;
    Py_ssize_t en = dn - pos, end = 2 + (Py_ssize_t)u16(e), at = 2;
    if (end > en)
        end = en;
    while (at + 4 <= end) {
        unsigned type = u16(e + at);
        Py_ssize_t len = u16(e + at + 2);
        if (at + 4 + len > end)
            break;
        if (type == 0) {
            const uint8_t *x = e + at + 4;
            if (!tls_array(x, len, 2, &start, &size, &used))
                return 0;
            const uint8_t *names = x + start;
            Py_ssize_t count = size, q = 0;
            while (q + 3 <= count) {
                Py_ssize_t s2 = 0, l2 = 0, u2 = 0;
                tls_array(names + q + 1, count - q - 1, 2, &s2, &l2, &u2); /* two bytes are there */
                if (names[q] == 0) {
                    const uint8_t *host = names + q + 1 + s2;
                    for (Py_ssize_t i = 0; i < l2; i++)
                        if (host[i] >= 0x80)
                            return 0;
                    memcpy(name, host, (size_t)l2);
                    *name_len = l2;
                    return 1;
                }
                q += 1 + u2;
            }
        }
        at += 4 + len;
    }
    return 1;
}

/* What the rich decoder makes of a TCP payload p of n bytes (n > 0) that tcp_application names. */
enum { TCP_APP_LEAVE = 0, TCP_APP_NONE, TCP_APP_TLS, TCP_APP_HTTP, TCP_APP_SSH };

/* TCP_APP_NONE: no layer of its own (an HTTP port's payload whose first line dpkt cannot parse, an NBSS
 * continuation); TCP_APP_TLS: a TLS layer of the records rich_tls_records reads, ending at *layer_end, with a
 * Client Hello's server name in words (*uri_len its length, -1 for none); TCP_APP_HTTP: an HTTP line layer, ending at *layer_end, described
 * by *h and its URI's place in words; TCP_APP_SSH: an SSH layer over the whole payload; TCP_APP_LEAVE: the
 * Python decides (DNS over TCP, a handshake dpkt would not read, an NBSS header, the TCP_DECODERS but SSH
 * and NBSS). words: room for n bytes. */
static int
tcp_app_row(const Walk *k, const uint8_t *p, Py_ssize_t n, Py_ssize_t *layer_end, HttpLine *h, char *words,
            Py_ssize_t *uri_start, Py_ssize_t *uri_len)
{
    if (k->sport == rich_dns_port || k->dport == rich_dns_port)
        return TCP_APP_LEAVE;
    if (rich_looks_like_tls(p, n, k->sport, k->dport)) {
        Py_ssize_t records;
        int handshake;
        *layer_end = rich_tls_records(p, n, &records, &handshake);
        *uri_len = -1;
        if (p[0] == 22) { /* a Client Hello's server name, from the first record */
            Py_ssize_t first = 5 + (Py_ssize_t)u16(p + 3);
            if (records > 1 || !tls_server_name(p + 5, (first < n ? first : n) - 5, words, uri_len))
                return TCP_APP_LEAVE;
        }
        else if (handshake)
            return TCP_APP_LEAVE; /* a later record's server name, maybe */
        return TCP_APP_TLS;
    }
    if (rich_http_ports[k->sport] || rich_http_ports[k->dport] || rich_looks_like_http(p, n)) {
        /* apps.py's _http reads the line that ends within the first 8192 bytes, if any */
        const uint8_t *nl = memchr(p, '\n', (size_t)(n < 8192 ? n : 8192));
        if (nl == NULL || !http_parse(p, nl - p, words, h, uri_start, uri_len))
            return TCP_APP_NONE;
        *layer_end = nl - p + 1;
        return TCP_APP_HTTP;
    }
    unsigned decoder = rich_tcp_decoder(k->sport, k->dport);
    if (decoder == RICH_TCP_NBSS && !rich_nbss_header(p, n))
        return TCP_APP_NONE; /* a continuation */
    if (decoder != RICH_TCP_SSH)
        return TCP_APP_LEAVE;
    *layer_end = n; /* apps.py's _ssh: the layer takes the segment, banner or not */
    return TCP_APP_SSH;
}

/* --- DNS: dpkt's parse (protocols/headers.py's DNS), checked whole ----------------------------------------
 * The rich decoder's DNS layer is dpkt's DNS message: the frame is malformed wherever dpkt raises, and the
 * table takes its ID, RCODE and first question's name. dns_parse walks the message as dpkt does and
 * answers 1 only where dpkt reads it whole; 0 (the Python decides) where dpkt would raise, and where a
 * name or text holds a byte past ASCII (dpkt decodes it as UTF-8). */

/* Whether dpkt reads the DNS message m of n bytes whole (see above); its first question's name into
 * qname (320 bytes of room), *has_question 0 where it has none. */
static int
dns_parse(const uint8_t *m, Py_ssize_t n, char *qname, Py_ssize_t *qname_len, int *has_question)
{
    if (n < 12)
        return 0;
    unsigned counts[4] = {u16(m + 4), u16(m + 6), u16(m + 8), u16(m + 10)};
    Py_ssize_t off = 12;
    *has_question = counts[0] > 0;
    for (unsigned i = 0; i < counts[0]; i++) {
        if (!rich_dns_name(m, n, off, &off, rich_ascii, i == 0 ? qname : NULL, i == 0 ? qname_len : NULL))
            return 0;
        if (off + 4 > n)
            return 0;
        off += 4;
    }
    for (int section = 1; section < 4; section++)
        for (unsigned i = 0; i < counts[section]; i++) {
            if (!rich_dns_name(m, n, off, &off, rich_ascii, NULL, NULL) || off + 10 > n)
                return 0;
            unsigned type = u16(m + off);
            Py_ssize_t rdlen = (Py_ssize_t)u16(m + off + 8);
            off += 10;
            Py_ssize_t have = off + rdlen <= n ? rdlen : n - off, skip;
            switch (type) {
            case 2:  /* NS */
            case 5:  /* CNAME */
            case 12: /* PTR */
                if (!rich_dns_name(m, n, off, &skip, rich_ascii, NULL, NULL))
                    return 0;
                break;
            case 6: /* SOA: two names, then five 32-bit numbers */
                if (!rich_dns_name(m, n, off, &skip, rich_ascii, NULL, NULL) || !rich_dns_name(m, n, skip, &skip, rich_ascii, NULL, NULL) ||
                    skip + 20 > n)
                    return 0;
                break;
            case 15: /* MX */
                if (have < 2 || !rich_dns_name(m, n, off + 2, &skip, rich_ascii, NULL, NULL))
                    return 0;
                break;
            case 33: /* SRV */
                if (have < 6 || !rich_dns_name(m, n, off + 6, &skip, rich_ascii, NULL, NULL))
                    return 0;
                break;
            case 13: /* HINFO */
            case 16: /* TXT: character-strings decoded as UTF-8 */
                for (Py_ssize_t i2 = 0; i2 < have; i2++)
                    if (m[off + i2] >= 0x80)
                        return 0;
                break;
            default: /* A, AAAA, NULL, OPT as raw data; types dpkt does not know kept raw by headers.py */
                break;
            }
            off += rdlen;
        }
    return 1;
}

/* --- ICMP --------------------------------------------------------------------------------------------- */

/* community_id.py's counterpart types, -1 for none (Columns' init sets them) */
static int icmp4_counterpart[256], icmp6_counterpart[256];

/* The bytes Neighbor Discovery's fixed part takes after type, code and checksum (icmp.py's _ND_FIXED), 0
 * for another type. */
static inline Py_ssize_t
nd_fixed(unsigned type)
{
    switch (type) {
    case 133:
        return 4;
    case 134:
        return 12;
    case 135:
    case 136:
        return 20;
    case 137:
        return 36;
    }
    return 0;
}

/* The bytes icmp.py's _neighbor_discovery takes of the message m of n bytes (its fixed part and whole
 * options), or -1 where it raises (a part too short, an option of length 0 or past the end). */
static Py_ssize_t
nd_length(const uint8_t *m, Py_ssize_t n, unsigned type)
{
    Py_ssize_t fixed = nd_fixed(type), pos = 4 + fixed;
    if (n - 4 < fixed)
        return -1;
    while (pos + 2 <= n) {
        Py_ssize_t size = (Py_ssize_t)m[pos + 1] * 8;
        if (size == 0 || pos + size > n)
            return -1;
        pos += size;
    }
    return pos;
}

/* --- the rows ---------------------------------------------------------------------------------------- */

/* GCC cannot see that walked_row reads only the fields walk_ethernet wrote on the frame's path, as with
 * walk_line; zeroing the Walk would cost a store per field per packet. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/* The row of the walked Ethernet frame f (n bytes), after its frame columns, as the rich decoder's row
 * (reader.py's _fill_walked for plain TCP and UDP; _fill for the rest): 1, or 0 (nothing written) for a
 * frame it leaves to the Python, -1 on an error. Taken: TCP and UDP with no application, or with one whose
 * layer the checks above follow (TLS records other than handshakes, HTTP lines, DNS, NTP), ICMP and
 * ICMPv6 echoes and Neighbor Discovery. */
static int
walked_row(Columns *b, const uint8_t *f, Py_ssize_t n, const Walk *k, char *scratch)
{
    unsigned proto = k->proto;
    int v4 = k->ip_version == 4;
    int icmp = v4 ? proto == 1 : proto == 58;
    if (proto != 6 && proto != 17 && !icmp)
        return 0;
    Py_ssize_t o = k->network, t = k->transport, end, payload, app_start = 0, layer_end = 0;
    Py_ssize_t qname_len = 0, uri_start = 0, uri_len = 0;
    long left = -1;
    int size, app = 0, has_question = 0, one_way = 0;
    unsigned sport = k->sport, dport = k->dport;
    const char *app_name = NULL;
    HttpLine http;
    if (v4) {
        if ((long)u16(f + o + 2) != k->ip_payload + 20)
            return 0;
        end = o + 20 + k->ip_payload;
        size = 4;
    }
    else {
        if (k->ip_payload == 0)
            return 0;
        end = o + 40 + k->ip_payload;
        size = 16;
    }
    if (end > n)
        end = n;
    if (proto == 6) {
        Py_ssize_t hl = k->tcp_header;
        app_start = t + hl;
        payload = end - app_start;
        if (payload > 0 && rich_tcp_app(sport, dport, f + app_start, payload)) {
            app = tcp_app_row(k, f + app_start, payload, &layer_end, &http, scratch, &uri_start, &uri_len);
            if (app == TCP_APP_LEAVE)
                return 0;
            app_name = app == TCP_APP_TLS ? ":tls" : app == TCP_APP_HTTP ? ":http" : app == TCP_APP_SSH ? ":ssh" : NULL;
        }
        if (hl > 20 && !tcp_options_whole(f + t + 20, hl - 20))
            return 0;
        left = k->ip_payload - (long)hl;
    }
    else if (end - t < 8)
        return 0;
    else if (proto == 17) {
        unsigned ulen = u16(f + t + 4);
        if (ulen < 8)
            return 0;
        Py_ssize_t stop = t + (Py_ssize_t)ulen < end ? t + (Py_ssize_t)ulen : end;
        app_start = t + 8;
        payload = stop - app_start;
        if (payload > 0 && rich_udp_app(sport, dport)) {
            unsigned decoder = rich_udp_decoder(sport, dport);
            const uint8_t *m = f + app_start;
            if (decoder == RICH_UDP_DNS) {
                if (!dns_parse(m, payload, scratch, &qname_len, &has_question))
                    return 0;
                app_name = ":dns";
                layer_end = payload; /* apps.py's _dns: the whole datagram */
            }
            else if (decoder == RICH_UDP_NTP) {
                /* apps.py's _ntp: a control or private message's first byte, or a 48-byte header */
                if ((m[0] & 7) >= 6)
                    layer_end = 1;
                else if (payload >= 48)
                    layer_end = 48;
                else
                    return 0;
                app_name = ":ntp";
            }
            else
                return 0;
        }
        left = k->ip_payload - 8;
    }
    else {
        unsigned type = k->icmp_type;
        app_start = t;
        payload = end - t;
        if (type == (v4 ? 0u : 128u) || type == (v4 ? 8u : 129u))
            layer_end = 8; /* an echo */
        else if (!v4 && nd_fixed(type)) {
            layer_end = nd_length(f + t, payload, type);
            if (layer_end < 0)
                return 0;
        }
        else
            return 0; /* errors quote a packet; the rest have fields of their own */
        int counterpart = (v4 ? icmp4_counterpart : icmp6_counterpart)[type];
        sport = type;
        dport = counterpart >= 0 ? (unsigned)counterpart : k->icmp_code;
        one_way = counterpart < 0;
        app_name = v4 ? ":icmp" : ":icmpv6";
    }
    if (b->cols[C_ETH_DST].on && put_mac(b, C_ETH_DST, f) < 0)
        return -1;
    if (b->cols[C_ETH_SRC].on && put_mac(b, C_ETH_SRC, f + 6) < 0)
        return -1;
    put_int(b, C_ETH_TYPE, u16(f + 12));
    if (k->vlan >= 0)
        put_int(b, C_VLAN_ID, (uint64_t)(k->vlan & 0xFFF));
    put_int(b, C_IP_VERSION, k->ip_version);
    const uint8_t *src = f + k->addresses, *dst = src + size;
    char text[64];
    if (b->cols[C_IP_SRC].on && put_str(b, C_IP_SRC, text, put_address(text, src, size) - text) < 0)
        return -1;
    if (b->cols[C_IP_DST].on && put_str(b, C_IP_DST, text, put_address(text, dst, size) - text) < 0)
        return -1;
    put_int(b, C_IP_PROTO, proto);
    put_int(b, C_IP_TTL, k->ttl);
    char layers[48];
    char *w = layers;
    w = put(w, k->vlan >= 0 ? "eth:vlan:" : "eth:", k->vlan >= 0 ? 9 : 4);
    if (v4) {
        put_int(b, C_IP_ID, k->ip_ident);
        put_int(b, C_IP_FRAG_OFFSET, 0);
        put_int(b, C_IP_MORE_FRAGMENTS, (k->fragment & 0x2000) != 0);
        w = put(w, "ip", 2);
    }
    else
        w = put(w, "ipv6", 4);
    if (icmp) {
        put_int(b, C_ICMP_TYPE, k->icmp_type);
        put_int(b, C_ICMP_CODE, k->icmp_code);
    }
    else {
        put_int(b, C_SRC_PORT, sport);
        put_int(b, C_DST_PORT, dport);
        if (proto == 6) {
            put_int(b, C_TCP_FLAGS, u16(f + t + 12) & 0x0FFF);
            put_int(b, C_TCP_SEQ, k->seq);
            put_int(b, C_TCP_ACK, k->ack);
            put_int(b, C_TCP_WINDOW, k->window);
            w = put(w, ":tcp", 4);
        }
        else
            w = put(w, ":udp", 4);
        if (left >= 0)
            put_int(b, C_PAYLOAD_LEN, (uint64_t)left);
    }
    if (app_name != NULL) {
        w = put(w, app_name, strlen(app_name));
        payload -= layer_end;
    }
    if (app_name != NULL && app_name[1] == 'd') { /* ":dns" */
        const uint8_t *m = f + app_start;
        put_int(b, C_DNS_ID, u16(m));
        put_int(b, C_DNS_RCODE, m[3] & 0x0F);
        if (has_question && put_str(b, C_DNS_QRY_NAME, scratch, qname_len) < 0)
            return -1;
    }
    else if (app == TCP_APP_TLS && uri_len >= 0) {
        if (put_str(b, C_TLS_SNI, scratch, uri_len) < 0)
            return -1;
    }
    else if (app == TCP_APP_HTTP && http.request) {
        if (put_str(b, C_HTTP_METHOD, http.method, http.method_len) < 0 ||
            put_str(b, C_HTTP_URI, scratch + uri_start, uri_len) < 0 ||
            put_http_host(b, f + app_start + layer_end, payload) < 0)
            return -1;
    }
    if (payload > 0)
        w = put(w, ":data", 5);
    if (put_str(b, C_PROTOCOLS, layers, w - layers) < 0)
        return -1;
    if (b->cols[C_COMMUNITY_ID].on) {
        char id[COMMUNITY_ID_LEN];
        community_id_ports(src, dst, size, proto, sport, dport, one_way, id);
        if (put_str(b, C_COMMUNITY_ID, id, COMMUNITY_ID_LEN) < 0)
            return -1;
    }
    return 1;
}

/* The row of an ARP packet on Ethernet (after at most one 802.1Q tag) as network.py's _arp gives it: 1, or 0
 * (nothing written) where the walk and this leave the frame to the Python. */
static int
arp_row(Columns *b, const uint8_t *f, Py_ssize_t n)
{
    Py_ssize_t o;
    long vlan;
    unsigned etype = ether_type(f, n, &o, &vlan);
    if (etype != 0x0806 || n - o < 8 || n - o < 8 + 2 * ((Py_ssize_t)f[o + 4] + f[o + 5]))
        return 0;
    if ((b->cols[C_ETH_DST].on && put_mac(b, C_ETH_DST, f) < 0) ||
        (b->cols[C_ETH_SRC].on && put_mac(b, C_ETH_SRC, f + 6) < 0))
        return -1;
    put_int(b, C_ETH_TYPE, u16(f + 12));
    if (vlan >= 0)
        put_int(b, C_VLAN_ID, (uint64_t)(vlan & 0xFFF));
    return put_str(b, C_PROTOCOLS, vlan >= 0 ? "eth:vlan:arp" : "eth:arp", vlan >= 0 ? 12 : 7) < 0 ? -1 : 1;
}

/* One record's row: 1 appended, 0 left to the Python (nothing appended), -1 on an error. scratch: room
 * for n bytes and a DNS name. */
static int
record_row(Columns *b, uint64_t number, int has_ts, int64_t ts, uint64_t length, const uint8_t *f, Py_ssize_t n,
           int ethernet, char *scratch)
{
    Walk k;
    int walked = 0;
    if (b->decoded) {
        if (!ethernet)
            return 0;
        walked = walk_ethernet(f, n, &k);
        if (!walked && (n < 14 || (u16(f + 12) != 0x0806 && u16(f + 12) != 0x8100)))
            return 0;
    }
    if (frame_row(b, number, has_ts, ts, length, (uint64_t)n) < 0)
        return -1;
    if (b->decoded) {
        int done = walked ? walked_row(b, f, n, &k, scratch) : arp_row(b, f, n);
        if (done <= 0) {
            drop_row(b);
            return done;
        }
    }
    return end_row(b) < 0 ? -1 : 1;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/* --- the type -------------------------------------------------------------------------------------- */

static void
columns_free(Columns *b)
{
    for (int i = 0; i < C_COUNT; i++) {
        PyMem_RawFree(b->cols[i].valid);
        PyMem_RawFree(b->cols[i].data);
        PyMem_RawFree(b->cols[i].offsets);
        b->cols[i].valid = b->cols[i].data = NULL;
        b->cols[i].offsets = NULL;
        b->cols[i].used = b->cols[i].room = 0;
    }
    b->rows = b->room = 0;
}

static void
columns_dealloc(Columns *b)
{
    columns_free(b);
    PyMem_RawFree(b->scratch);
    PyMem_Free(b->file);
    PyMem_Free(b->linktype);
    PyMem_Free(b->interface);
    Py_TYPE(b)->tp_free((PyObject *)b);
}

/* community_id.py's counterpart types (type: type) into table, -1 for the others. */
static int
counterparts_from(int *table, PyObject *types)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    for (int i = 0; i < 256; i++)
        table[i] = -1;
    while (PyDict_Next(types, &pos, &key, &value)) {
        long a = PyLong_AsLong(key), z = PyLong_AsLong(value);
        if (a < 0 || a > 255 || z < 0 || z > 255) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "an ICMP type must be in 0..255");
            return -1;
        }
        table[a] = (int)z;
    }
    return 0;
}

static int
columns_init(Columns *b, PyObject *args, PyObject *kwds)
{
    PyObject *kinds, *wanted, *counterparts4, *counterparts6, *names;
    if (!not_busy(b))
        return -1;
    if (!PyArg_ParseTuple(args, "OOO!O!O", &kinds, &wanted, &PyDict_Type, &counterparts4, &PyDict_Type,
                          &counterparts6, &names))
        return -1;
    Py_ssize_t nn = PySequence_Length(names);
    if (nn < 0)
        return -1;
    for (Py_ssize_t i = 0; i < nn && i < C_COUNT; i++) {
        PyObject *name = PySequence_GetItem(names, i);
        if (name == NULL)
            return -1;
        int same = PyUnicode_Check(name) && PyUnicode_CompareWithASCIIString(name, column_names[i]) == 0;
        Py_DECREF(name);
        if (!same) {
            PyErr_Format(PyExc_ValueError, "column %zd of the schema is not %s, as this build expects", i,
                         column_names[i]);
            return -1;
        }
    }
    if (counterparts_from(icmp4_counterpart, counterparts4) < 0 ||
        counterparts_from(icmp6_counterpart, counterparts6) < 0)
        return -1;
    Py_ssize_t nk = PySequence_Length(kinds), nw = PySequence_Length(wanted);
    if (nk < 0 || nw < 0)
        return -1;
    if (nk != C_COUNT || nw != C_COUNT || nn != C_COUNT) {
        PyErr_Format(PyExc_ValueError, "the schema has %d columns", C_COUNT);
        return -1;
    }
    columns_free(b);
    b->decoded = 0;
    for (int i = 0; i < C_COUNT; i++) {
        PyObject *kind = PySequence_GetItem(kinds, i), *on = PySequence_GetItem(wanted, i);
        if (kind == NULL || on == NULL) {
            Py_XDECREF(kind);
            Py_XDECREF(on);
            return -1;
        }
        long value = PyLong_AsLong(kind);
        int flag = PyObject_IsTrue(on);
        Py_DECREF(kind);
        Py_DECREF(on);
        if ((value == -1 && PyErr_Occurred()) || flag < 0)
            return -1;
        if (value != 1 && value != 2 && value != 4 && value != 8 && value != COL_BOOL && value != COL_STR) {
            PyErr_Format(PyExc_ValueError, "column %d: unknown kind %ld", i, value);
            return -1;
        }
        b->cols[i].kind = (int)value;
        b->cols[i].on = flag;
        if (flag && i != C_FILE && i != C_FRAME_NUMBER && i != C_TS && i != C_LEN && i != C_CAP_LEN &&
            i != C_LINKTYPE && i != C_INTERFACE)
            b->decoded = 1;
    }
    if (columns_grow(b) < 0) {
        raise_error(b);
        return -1;
    }
    return 0;
}

static int
utf8_copy(PyObject *value, char **text, Py_ssize_t *len)
{
    PyMem_Free(*text);
    *text = NULL;
    *len = 0;
    if (value == Py_None)
        return 0;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(value, &n);
    if (s == NULL)
        return -1;
    *text = PyMem_Malloc((size_t)n + 1);
    if (*text == NULL)
        return PyErr_NoMemory(), -1;
    memcpy(*text, s, (size_t)n);
    *len = n;
    return 0;
}

PyDoc_STRVAR(columns_set_input_doc,
"set_input(file, linktype, interface)\n\nThe constant columns of the rows that follow (str or None each).");

static PyObject *
columns_set_input(Columns *b, PyObject *args)
{
    PyObject *file, *linktype, *interface;
    if (!not_busy(b) || !PyArg_ParseTuple(args, "OOO", &file, &linktype, &interface))
        return NULL;
    if (utf8_copy(file, &b->file, &b->file_len) < 0 || utf8_copy(linktype, &b->linktype, &b->linktype_len) < 0 ||
        utf8_copy(interface, &b->interface, &b->interface_len) < 0)
        return NULL;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(columns_records_doc,
"records(buf, pos, max_caplen, number, scale, ethernet, limit) -> (pos, count, stopped_at_frame)\n\n"
"Append the rows of the classic pcap records (native byte order) of buf from byte pos on, numbered from\n"
"number + 1, timestamps' fractions times scale in nanoseconds, until limit rows are held, a record does not\n"
"fit in buf or exceeds max_caplen (stopped_at_frame False), or a whole record's row is left to the Python\n"
"(stopped_at_frame True; pos is that record's).");

static PyObject *
columns_records(Columns *b, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, max_caplen, limit;
    unsigned long long number;
    long long scale;
    int ethernet;
    if (!not_busy(b) ||
        !PyArg_ParseTuple(args, "y*nnKLpn", &view, &pos, &max_caplen, &number, &scale, &ethernet, &limit))
        return NULL;
    const uint8_t *buf = view.buf;
    Py_ssize_t end = view.len, count = 0;
    int stopped = 0, failed = 0;
    if (pos < 0)
        pos = 0;
    b->busy = 1;
    /* the rows are C's alone: let other threads (a Parquet writer compressing the last batch) run */
    Py_BEGIN_ALLOW_THREADS
    PcapRecord r;
    while (b->rows < limit && pcap_record(buf, end, pos, max_caplen, &r)) {
        Py_ssize_t caplen = (Py_ssize_t)r.caplen;
        int64_t ts = (int64_t)r.sec * 1000000000 + (int64_t)r.frac * scale;
        int done = scratch_for(b, caplen);
        if (done == 0)
            done = record_row(b, number + (uint64_t)count + 1, 1, ts, r.length, r.data, caplen, ethernet, b->scratch);
        if (done < 0) {
            failed = 1;
            break;
        }
        if (done == 0) {
            stopped = 1;
            break;
        }
        pos += 16 + caplen;
        count++;
    }
    Py_END_ALLOW_THREADS
    b->busy = 0;
    PyBuffer_Release(&view);
    if (failed)
        return raise_error(b);
    return Py_BuildValue("(nnO)", pos, count, stopped ? Py_True : Py_False);
}

PyDoc_STRVAR(columns_batch_doc,
"batch(records, start, number, scale, ethernet, limit) -> index\n\n"
"Append the rows of records[start:] (tuples (sec, frac, length, data)), numbered from number + 1, until\n"
"limit rows are held or a record's row is left to the Python: the index of the first record not appended.");

static PyObject *
columns_batch(Columns *b, PyObject *args)
{
    PyObject *records;
    Py_ssize_t start, limit;
    unsigned long long number;
    long long scale;
    int ethernet;
    if (!not_busy(b) ||
        !PyArg_ParseTuple(args, "O!nKLpn", &PyList_Type, &records, &start, &number, &scale, &ethernet, &limit))
        return NULL;
    Py_ssize_t total = PyList_GET_SIZE(records), i = start < 0 ? 0 : start;
    for (; i < total && b->rows < limit; i++) {
        PyObject *record = PyList_GET_ITEM(records, i);
        if (!PyTuple_Check(record) || PyTuple_GET_SIZE(record) != 4 || !PyBytes_Check(PyTuple_GET_ITEM(record, 3)))
            break;
        int overflow;
        long long sec = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 0), &overflow);
        if (overflow || (sec == -1 && PyErr_Occurred()))
            break;
        long long frac = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 1), &overflow);
        if (overflow || (frac == -1 && PyErr_Occurred()))
            break;
        long long length = PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(record, 2), &overflow);
        if (overflow || length < 0 || PyErr_Occurred())
            break;
        long long ts = 0;
        int has_ts = 1;
#if defined(__GNUC__)
        long long whole, part;
        if (__builtin_mul_overflow(sec, 1000000000LL, &whole) || __builtin_mul_overflow(frac, scale, &part) ||
            __builtin_add_overflow(whole, part, &ts) || ts == INT64_MIN)
            break; /* the Python decides the row of a time past Arrow's range */
#else
        if (sec > 9000000000LL || sec < -9000000000LL || frac > 1000000000000LL || frac < 0)
            break;
        ts = sec * 1000000000LL + frac * scale;
#endif
        PyObject *data = PyTuple_GET_ITEM(record, 3);
        if (scratch_for(b, PyBytes_GET_SIZE(data)) < 0)
            return raise_error(b);
        int done = record_row(b, number + (uint64_t)(i - start) + 1, has_ts, ts, (uint64_t)length,
                              (const uint8_t *)PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), ethernet,
                              b->scratch);
        if (done < 0)
            return raise_error(b);
        if (done == 0)
            break;
    }
    PyErr_Clear();
    return PyLong_FromSsize_t(i);
}

PyDoc_STRVAR(columns_append_row_doc,
"append_row(row)\n\nAppend one row made in Python: a list of one value per column (None for null).");

static PyObject *
columns_append_row(Columns *b, PyObject *row)
{
    if (!not_busy(b))
        return NULL;
    if (!PyList_Check(row) || PyList_GET_SIZE(row) != C_COUNT) {
        PyErr_Format(PyExc_TypeError, "a row must be a list of %d values", C_COUNT);
        return NULL;
    }
    for (int i = 0; i < C_COUNT; i++) {
        Col *c = &b->cols[i];
        PyObject *value = PyList_GET_ITEM(row, i);
        if (!c->on || value == Py_None)
            continue;
        if (c->kind == COL_STR) {
            Py_ssize_t n;
            const char *s = PyUnicode_AsUTF8AndSize(value, &n);
            if (s == NULL || put_str(b, i, s, n) < 0)
                goto error;
        }
        else if (c->kind == COL_BOOL) {
            int truth = PyObject_IsTrue(value);
            if (truth < 0)
                goto error;
            put_int(b, i, (uint64_t)truth);
        }
        else {
            if (!PyLong_Check(value)) {
                PyErr_Format(PyExc_TypeError, "column %d: an int, not %.100s", i, Py_TYPE(value)->tp_name);
                goto error;
            }
            int overflow;
            long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
            uint64_t u = (uint64_t)v;
            if (overflow > 0) {
                u = PyLong_AsUnsignedLongLong(value);
                if (u == (uint64_t)-1 && PyErr_Occurred())
                    goto error;
            }
            else if (overflow < 0 || (v == -1 && PyErr_Occurred())) {
                if (!PyErr_Occurred())
                    PyErr_Format(PyExc_OverflowError, "column %d: value out of range", i);
                goto error;
            }
            put_int(b, i, u);
        }
    }
    if (end_row(b) < 0)
        return raise_error(b);
    Py_RETURN_NONE;
error:
    drop_row(b);
    return b->error ? raise_error(b) : NULL;
}

static Py_ssize_t
count_valid(const uint8_t *bits, Py_ssize_t rows)
{
    Py_ssize_t valid = 0, whole = rows / 8;
    for (Py_ssize_t i = 0; i < whole; i++) {
#if defined(__GNUC__)
        valid += __builtin_popcount(bits[i]);
#else
        for (uint8_t v = bits[i]; v; v &= (uint8_t)(v - 1))
            valid++;
#endif
    }
    for (Py_ssize_t r = whole * 8; r < rows; r++)
        valid += (bits[r >> 3] >> (r & 7)) & 1;
    return valid;
}

PyDoc_STRVAR(columns_finish_doc,
"finish() -> list\n\nThe rows held, handed over and forgotten: for each wanted column in the schema's order,\n"
"(rows, null_count, validity, values, offsets) as bytes (offsets None but for a string column).");

static PyObject *
columns_finish(Columns *b, PyObject *unused)
{
    if (!not_busy(b))
        return NULL;
    Py_ssize_t rows = b->rows, bits = (rows + 7) / 8;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (int i = 0; i < C_COUNT; i++) {
        Col *c = &b->cols[i];
        if (!c->on)
            continue;
        Py_ssize_t valid = count_valid(c->valid, rows);
        PyObject *item;
        if (c->kind == COL_STR)
            item = Py_BuildValue("(nny#y#y#)", rows, rows - valid, (const char *)c->valid, bits,
                                 (const char *)(c->data ? c->data : (uint8_t *)""), c->used,
                                 (const char *)c->offsets, (Py_ssize_t)((rows + 1) * sizeof(int32_t)));
        else
            item = Py_BuildValue("(nny#y#O)", rows, rows - valid, (const char *)c->valid, bits, (const char *)c->data,
                                 c->kind == COL_BOOL ? bits : rows * c->kind, Py_None);
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(item);
    }
    /* start again, keeping the room */
    for (int i = 0; i < C_COUNT; i++) {
        Col *c = &b->cols[i];
        if (!c->on)
            continue;
        memset(c->valid, 0, (size_t)((b->room + 7) / 8));
        if (c->kind == COL_STR) {
            c->used = 0;
            c->offsets[0] = 0;
        }
        else
            memset(c->data, 0, (size_t)(c->kind == COL_BOOL ? (b->room + 7) / 8 : b->room * c->kind));
    }
    b->rows = 0;
    return out;
}

static Py_ssize_t
columns_len(Columns *b)
{
    return b->rows;
}

static PyMethodDef columns_methods[] = {
    {"set_input", (PyCFunction)columns_set_input, METH_VARARGS, columns_set_input_doc},
    {"records", (PyCFunction)columns_records, METH_VARARGS, columns_records_doc},
    {"batch", (PyCFunction)columns_batch, METH_VARARGS, columns_batch_doc},
    {"append_row", (PyCFunction)columns_append_row, METH_O, columns_append_row_doc},
    {"finish", (PyCFunction)columns_finish, METH_NOARGS, columns_finish_doc},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods columns_as_sequence = {
    .sq_length = (lenfunc)columns_len,
};

static PyTypeObject ColumnsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "pycapture.output.tcpdump._fastline.Columns",
    .tp_doc = PyDoc_STR("Columns(kinds, wanted, icmp_counterparts, icmpv6_counterparts, names): the Arrow buffers "
                        "of a table's rows as they are appended."),
    .tp_basicsize = sizeof(Columns),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)columns_init,
    .tp_dealloc = (destructor)columns_dealloc,
    .tp_methods = columns_methods,
    .tp_as_sequence = &columns_as_sequence,
};

#define TABLE_SINK_METHODS
