"""tcpdump's one-line NFS over Sun RPC (print-nfs.c, parsenfsfh.c, without -v): calls and replies.

``nfs_text(payload, length, call, src, dst)`` is the text after the UDP ports (``NFS request xid ...``);
``nfs_tcp_text`` the text after a TCP segment's length (``: NFS request xid ...``), after the 4-byte
record mark. A call is remembered (its xid, client and server, procedure and version, a ring of 64 as
print-nfs.c keeps it) so that a reply names the procedure it answers and prints its results;
``reset_nfs_calls`` forgets them (tcpdump starts each run knowing none).
"""

from __future__ import annotations

from ...decode.lean import printable_text

NFS_PORT = 2049
_CALL, _REPLY = 0, 1
_V3 = 3
_XID_MAP_SIZE = 64
_V2FH = 32
_V3FATTR, _V2FATTR = 84, 68

# print-nfs.c's procedure numbers (NFSv3's, to which a v2 procedure is mapped first)
_PROC_NAMES = (
    "null", "getattr", "setattr", "lookup", "access", "readlink", "read", "write", "create", "mkdir",
    "symlink", "mknod", "remove", "rmdir", "rename", "link", "readdir", "readdirplus", "fsstat", "fsinfo",
    "pathconf", "commit", None, None, None, "nop",
)  # fmt: skip
(_NULL, _GETATTR, _SETATTR, _LOOKUP, _ACCESS, _READLINK, _READ, _WRITE, _CREATE, _MKDIR, _SYMLINK, _MKNOD,
 _REMOVE, _RMDIR, _RENAME, _LINK, _READDIR, _READDIRPLUS, _FSSTAT, _FSINFO, _PATHCONF,
 _COMMIT) = range(22)  # fmt: skip
_NOOP = 25
_V2_PROCS = (
    _NULL, _GETATTR, _SETATTR, _NOOP, _LOOKUP, _READLINK, _READ, _NOOP, _WRITE, _CREATE, _REMOVE, _RENAME,
    _LINK, _SYMLINK, _MKDIR, _RMDIR, _READDIR, _FSSTAT, _NOOP, _NOOP, _NOOP, _NOOP, _NOOP, _NOOP, _NOOP,
    _NOOP,
)  # fmt: skip
_STATUS = {
    1: "Operation not permitted", 2: "No such file or directory", 5: "Input/output error",
    6: "Device not configured", 11: "Resource deadlock avoided", 12: "Cannot allocate memory",
    13: "Permission denied", 17: "File exists", 18: "Cross-device link",
    19: "Operation not supported by device", 20: "Not a directory", 21: "Is a directory",
    22: "Invalid argument", 26: "Text file busy", 27: "File too large", 28: "No space left on device",
    30: "Read-only file system", 31: "Too many links", 45: "Operation not supported",
    62: "Too many levels of symbolic links", 63: "File name too long", 66: "Directory not empty",
    69: "Disc quota exceeded", 70: "Stale NFS file handle", 71: "Too many levels of remote in path",
    99: "Write cache flushed to disk", 10001: "Illegal NFS file handle",
    10002: "Update synchronization mismatch", 10003: "READDIR/READDIRPLUS cookie is stale",
    10004: "Operation not supported", 10005: "Buffer or request is too small",
    10006: "Unspecified error on server", 10007: "Object of that type not supported",
    10008: "Request couldn't be completed in time",
}  # fmt: skip
_TYPES = {0: "NON", 1: "REG", 2: "DIR", 3: "BLK", 4: "CHR", 5: "LNK", 7: "FIFO"}
_AUTH = (
    "OK", "Bogus Credentials (seal broken)", "Rejected Credentials (client should begin new session)",
    "Bogus Verifier (seal broken)", "Verifier expired or was replayed", "Credentials are too weak",
    "Bogus response verifier", "Unknown failure",
)  # fmt: skip
_ACCEPT = {1: "PROG_UNAVAIL", 2: "PROG_MISMATCH", 3: "PROC_UNAVAIL", 4: "GARBAGE_ARGS", 5: "SYSTEM_ERR"}
_ACCESS_BITS = ("READ", "LOOKUP", "MODIFY", "EXTEND", "DELETE", "EXECUTE")
_ACCESS_FULL = 0x3F
_SATTR_TOCLIENT = 2


class _Cut(Exception):
    """A read past the capture (tcpdump's GET macros): `` [|nfs]``, always."""


class _Null(Exception):
    """A parser returning NULL (tcpdump's ``goto trunc``): `` [|nfs]`` unless an error was printed."""


class _Nfs:
    """One message's bytes and the text printed so far."""

    def __init__(self, p: bytes) -> None:
        self.p = p
        self.parts: list[str] = []
        self.error = False

    def out(self, text: str) -> None:
        self.parts.append(text)

    def need(self, at: int, n: int) -> None:
        if at < 0 or at + n > len(self.p):
            raise _Cut

    def u32(self, at: int) -> int:
        self.need(at, 4)
        return int.from_bytes(self.p[at : at + 4], "big")

    def u64(self, at: int) -> int:
        self.need(at, 8)
        return int.from_bytes(self.p[at : at + 8], "big")

    def test(self, at: int, n: int) -> None:
        """ND_TCHECK_LEN: the bytes are there, or the parser returns NULL."""
        if at + n > len(self.p):
            raise _Null

    # --- the call's arguments ----------------------------------------------------------------

    def request(self, length: int) -> int:
        """parsereq: the offset of the arguments after the credentials and the verifier."""
        at = 24
        if length < 8:
            raise _Null
        size = self.u32(at + 4)
        rounded = (size + 3) & ~3 & 0xFFFFFFFF
        self.test(at + 8, rounded)
        if 8 + rounded > length:
            raise _Null
        at += 4 * ((size + 11) // 4)
        length -= 8 + rounded
        if length < 8:
            raise _Null
        size = self.u32(at + 4)
        rounded = (size + 3) & ~3 & 0xFFFFFFFF
        self.test(at + 8, rounded)
        if 8 + rounded >= length:
            raise _Null
        return at + 4 * ((size + 11) // 4)

    def fh(self, at: int, v3: bool) -> int:
        """parsefh: print the file handle at ``at``, return the offset after it."""
        if v3:
            words = self.u32(at) // 4
            at += 4
        else:
            words = _V2FH // 4
        if at + 4 * words > len(self.p):
            raise _Null
        self.out(_fh_text(self.p[at : at + 4 * words], words))
        return at + 4 * words

    def fn(self, at: int) -> int:
        """parsefn: print the quoted file name at ``at``, return the offset after its padding."""
        size = self.u32(at)
        at += 4
        if size > 0xFFFFFFFC:
            self.out("[cannot pad to 32-bit boundaries] (invalid)")
            raise _Null
        rounded = (size + 3) & ~3
        self.test(at, rounded)
        self.out('"' + printable_text(bytes(self.p[at : at + size])) + '"')
        return at + rounded

    def fhn(self, at: int, v3: bool) -> int:
        at = self.fh(at, v3)
        self.out(" ")
        return self.fn(at)

    def sattr3(self, at: int) -> int:
        """parse_sattr3: read the settable attributes (printed only with -v), return the offset after."""
        for _field in range(4):  # mode, uid, gid, size: a flag and the value it says is set
            if self.u32(at):
                self.u32(at + 4)
                at += 4
            at += 4
        for _time in range(2):  # atime, mtime: a kind, and the time when the client sets it
            if self.u32(at) == _SATTR_TOCLIENT:
                self.u64(at + 4)
                at += 8
            at += 4
        return at

    # --- the reply's results -----------------------------------------------------------------

    def status(self, at: int) -> tuple[int, int]:
        error = self.u32(at)
        if error:
            self.out(f" ERROR: {_STATUS.get(error, f'unk {error}')}")
            self.error = True
        return at + 4, error

    def fattr(self, at: int, verbose: bool, v3: bool) -> int:
        self.test(at + 16, 4)
        if verbose:
            kind = self.u32(at)
            uid, gid = self.u32(at + 12), self.u32(at + 16)
            uid -= (uid & 0x80000000) << 1
            gid -= (gid & 0x80000000) << 1
            self.out(f" {_TYPES.get(kind, f'unk-ft {kind} ')} {self.u32(at + 4):o} ids {uid}/{gid}")
            self.out(f" sz {self.u64(at + 20) if v3 else self.u32(at + 20)}")
        return at + (_V3FATTR if v3 else _V2FATTR)

    def attrstat(self, at: int, verbose: bool, v3: bool) -> None:
        at, error = self.status(at)
        if not error:
            self.fattr(at, verbose, v3)

    def diropres(self, at: int) -> None:
        at, error = self.status(at)
        if not error:
            self.fattr(self.fh(at, False), False, False)

    def post_op_attr(self, at: int) -> int:
        return at + 4 + _V3FATTR if self.u32(at) else at + 4

    def wcc_data(self, at: int) -> int:
        if self.u32(at):  # pre-op attributes: size, mtime, ctime
            self.test(at + 4, 24)
            at += 24
        return self.post_op_attr(at + 4)

    def createopres(self, at: int) -> None:
        at, error = self.status(at)
        if error:
            self.wcc_data(at)
        elif self.u32(at):
            self.fh(at + 4, True)


def _is_ucx(fh: bytes, words: int) -> bool:
    if words < 7:
        return False
    seen_null = False
    for c in fh[1:14]:
        if 0x20 <= c <= 0x7E:
            if seen_null:
                return False
        elif c == 0:
            seen_null = True
        else:
            return False
    return True


def _fh_text(fh: bytes, words: int) -> str:
    """nfs_printfh with Parse_fh's guess of the server's handle layout: `` fh major,minor/inode``,
    `` fh Unknown/<hex>`` or a VMS device name."""
    be = int.from_bytes
    kind = "unknown"
    if words >= 4:
        b = fh
        if b[0] == 0 and b[1] == 0:
            if b[2] == 0 and b[3] == 0:
                kind = "auspex"
            elif b[4] != 0 and b[5] == 0 and b[8] == 12 and b[9] == 0:
                kind = "decosf"
            elif b[4] == 0 and b[5] == 8 and b[6] == 0 and b[7] == 0:
                kind = "irix4"
            else:
                kind = "sunos4"
        elif b[2] == 0 and b[3] == 0:
            if b[6] == 0 and b[7] == 0:
                kind = "bsd44"
            elif words >= 6 and b[21] == 0 and b[23] == 0:
                kind = "ultrix"
            elif b[9] == 10:
                kind = "sunos5"
        elif b[8] == 12 and b[9] == 0:
            kind = "decosf"
        elif b[8] == 0 and b[9] == 10:
            kind = "hpux9" if b[4:8] == b"\0\0\0\0" else "sunos5"
        elif _is_ucx(b, words):
            kind = "vms"
    name = None
    major = minor = ino = 0
    if kind == "auspex":
        minor, major, ino = fh[7], fh[6], be(fh[12:16], "big")
    elif kind == "bsd44":
        minor, major, ino = fh[0], fh[1], be(fh[12:16], "little")
    elif kind == "decosf":
        temp = be(fh[0:4], "little")
        minor, major, ino = temp & 0xFFFFF, (temp >> 20) & 0xFFF, be(fh[12:16], "little")
    elif kind == "irix4":
        minor, major, ino = fh[3], fh[2], be(fh[8:12], "big")
    elif kind == "sunos4":
        minor, major, ino = fh[3], fh[2], be(fh[12:16], "big")
    elif kind == "sunos5":
        major = (be(fh[0:2], "big") >> 2) & 0x3FFF
        minor, ino = be(fh[1:4], "big") & 0x3FFFF, be(fh[12:16], "big")
    elif kind == "ultrix":
        minor, major, ino = fh[0], fh[1], be(fh[4:8], "little")
    elif kind == "hpux9":
        major, minor, ino = fh[0], be(fh[1:4], "big"), be(fh[12:16], "big")
    elif kind == "vms":
        minor, major = be(fh[0:4], "little"), be(fh[4:8], "little")
        ino = fh[26] << 24 | fh[27] << 16 | be(fh[22:24], "little")
        name = fh[1:].split(b"\0", 1)[0].decode("latin-1")
    else:
        name = "Unknown"
    if name is not None:
        name = name[: min(words, 64)].split(" ", 1)[0]
        head = f" fh {name}/"
    else:
        head = f" fh {major},{minor}/"
    if kind == "unknown":
        return head + fh[:32].hex().upper()
    return head + str(ino)


# the calls seen: (xid, client, server, procedure, version), newest at _next, searched from _hint
_calls: list[tuple[bytes, bytes, bytes, int, int]] = [(b"", b"", b"", 0, 0)] * _XID_MAP_SIZE
_next = 0
_hint = 0


def reset_nfs_calls() -> None:
    """Forget the NFS calls seen (tcpdump starts each run with none)."""
    global _next, _hint
    _calls[:] = [(b"", b"", b"", 0, 0)] * _XID_MAP_SIZE
    _next = _hint = 0


def _find(xid: bytes, src: bytes, dst: bytes) -> tuple[int, int] | None:
    """xid_map_find: the procedure and version of the call this reply (from ``src`` to ``dst``)
    answers."""
    global _hint
    i = _hint
    while True:
        entry = _calls[i]
        if entry[0] == xid and entry[1] == dst and entry[2] == src:
            _hint = i
            return entry[3], entry[4]
        i = (i + 1) % _XID_MAP_SIZE
        if i == _hint:
            return None


def _call(m: _Nfs, length: int, src: bytes, dst: bytes) -> None:
    """nfsreq_noaddr_print."""
    global _next
    p = m.p
    m.out(f"{length}")
    if len(p) < 24:
        raise _Null
    version, proc = m.u32(16), m.u32(20)
    _calls[_next] = (p[0:4], src, dst, proc, version)
    _next = (_next + 1) % _XID_MAP_SIZE
    v3 = version == _V3
    if not v3 and proc < len(_V2_PROCS):
        proc = _V2_PROCS[proc]
    name = _PROC_NAMES[proc] if proc < len(_PROC_NAMES) else None
    m.out(f" {name or f'proc-{proc}'}")
    if proc in (_GETATTR, _SETATTR, _READLINK, _FSSTAT, _FSINFO, _PATHCONF):
        m.fh(m.request(length), v3)
    elif proc in (_LOOKUP, _CREATE, _MKDIR, _REMOVE, _RMDIR):
        m.fhn(m.request(length), v3)
    elif proc == _ACCESS:
        flags = m.u32(m.fh(m.request(length), v3))
        if flags & ~_ACCESS_FULL:
            m.out(f" {flags:04x}")
        elif flags == _ACCESS_FULL:
            m.out(" NFS_ACCESS_FULL")
        else:
            names = [f"NFS_ACCESS_{bit}" for i, bit in enumerate(_ACCESS_BITS) if flags >> i & 1]
            if names:
                m.out(" " + "|".join(names))
    elif proc == _READ:
        at = m.fh(m.request(length), v3)
        if v3:
            m.out(f" {m.u32(at + 8)} bytes @ {m.u64(at)}")
        else:
            m.out(f" {m.u32(at + 4)} bytes @ {m.u32(at)}")
    elif proc == _WRITE:
        at = m.fh(m.request(length), v3)
        if v3:
            m.out(f" {m.u32(at + 16)} ({m.u32(at + 8)}) bytes @ {m.u64(at)}")
        else:
            m.out(f" {m.u32(at + 12)} ({m.u32(at + 8)}) bytes @ {m.u32(at + 4)} ({m.u32(at)})")
    elif proc == _SYMLINK:
        at = m.fhn(m.request(length), v3)
        m.out(" ->")
        if v3:
            at = m.sattr3(at)
        m.fn(at)
    elif proc == _MKNOD:
        at = m.fhn(m.request(length), v3)
        kind = m.u32(at)
        m.sattr3(at + 4)
        m.out(f" {_TYPES.get(kind, f'unk-ft {kind}')}")
    elif proc == _RENAME:
        at = m.fhn(m.request(length), v3)
        m.out(" ->")
        m.fhn(at, v3)
    elif proc == _LINK:
        at = m.fh(m.request(length), v3)
        m.out(" ->")
        m.fhn(at, v3)
    elif proc == _READDIR:
        at = m.fh(m.request(length), v3)
        if v3:
            cookie = m.u64(at)
            m.out(f" {m.u32(at + 16)} bytes @ {cookie - (cookie >> 63 << 64)}")
        else:
            m.out(f" {m.u32(at + 4)} bytes @ {m.u32(at)}")
    elif proc == _READDIRPLUS:
        at = m.fh(m.request(length), v3)
        cookie = m.u64(at)
        m.out(f" {m.u32(at + 16)} bytes @ {cookie - (cookie >> 63 << 64)}")
    elif proc == _COMMIT:
        at = m.fh(m.request(length), v3)
        m.out(f" {m.u32(at + 8)} bytes @ {m.u64(at)}")


def _results(m: _Nfs, length: int) -> int:
    """parserep: the offset of the results of an accepted reply."""
    size = m.u32(16)
    if size >= length:
        raise _Null
    at = 12 + 4 * ((size + 11) // 4)
    accepted = m.u32(at)
    if accepted:
        m.out(f" {_ACCEPT.get(accepted, f'ar_stat {accepted}')}")
        m.error = True
        raise _Null
    return at + 4


def _interp(m: _Nfs, proc: int, version: int, length: int) -> None:
    """interp_reply."""
    v3 = version == _V3
    if not v3 and proc < len(_V2_PROCS):
        proc = _V2_PROCS[proc]
    name = _PROC_NAMES[proc] if proc < len(_PROC_NAMES) else None
    m.out(f" {name or f'proc-{proc}'}")
    if proc > _COMMIT or proc == _NULL:
        return
    at = _results(m, length)
    if proc == _GETATTR:
        m.attrstat(at, True, v3)
    elif proc == _SETATTR:
        if v3:
            m.wcc_data(m.status(at)[0])
        else:
            m.attrstat(at, True, False)
    elif proc == _LOOKUP:
        if v3:
            at, error = m.status(at)
            if not error:
                m.post_op_attr(m.fh(at, True))
        else:
            m.diropres(at)
    elif proc == _ACCESS:
        at, error = m.status(at)
        at = m.post_op_attr(at)
        if not error:
            m.out(f" c {m.u32(at):04x}")
    elif proc == _READLINK:
        at, error = m.status(at)
        if not error:
            if v3:
                at = m.post_op_attr(at)
            m.out(" ")
            m.fn(at)
    elif proc == _READ:
        if v3:
            m.post_op_attr(m.status(at)[0])
        else:
            m.attrstat(at, False, False)
    elif proc == _WRITE:
        if v3:
            m.wcc_data(m.status(at)[0])
        else:
            m.attrstat(at, False, False)
    elif proc in (_CREATE, _MKDIR):
        if v3:
            m.createopres(at)
        else:
            m.diropres(at)
    elif proc == _SYMLINK:
        if v3:
            m.createopres(at)
        else:
            m.status(at)
    elif proc == _MKNOD:
        m.createopres(at)
    elif proc in (_REMOVE, _RMDIR, _COMMIT):
        if v3 or proc == _COMMIT:
            m.wcc_data(m.status(at)[0])
        else:
            m.status(at)
    elif proc in (_RENAME, _LINK):
        m.status(at)
    elif proc == _READDIR and not v3:
        at, error = m.status(at)
        if not error:
            m.out(f" offset 0x{m.u32(at):x} size {m.u32(at + 4)} ")
            if m.u32(at + 8):
                m.out(" eof")
    elif proc in (_READDIR, _READDIRPLUS):
        m.post_op_attr(m.status(at)[0])
    elif proc == _FSSTAT:
        at, error = m.status(at)
        if not v3 and error:
            return
        if v3:
            at = m.post_op_attr(at)
        m.test(at, 52 if v3 else 20)
        if v3:
            m.out(f" tbytes {m.u64(at)} fbytes {m.u64(at + 8)} abytes {m.u64(at + 16)}")
        else:
            sizes = [m.u32(at + 4 * i) for i in range(5)]
            m.out(" tsize {} bsize {} blocks {} bfree {} bavail {}".format(*sizes))
    elif proc == _FSINFO:
        at, error = m.status(at)
        at = m.post_op_attr(at)
        if not error:
            m.test(at, 48)
            sizes = [m.u32(at + 4 * i) for i in (0, 1, 3, 4, 6)]
            m.out(" rtmax {} rtpref {} wtmax {} wtpref {} dtpref {}".format(*sizes))
    elif proc == _PATHCONF:
        at, error = m.status(at)
        at = m.post_op_attr(at)
        if not error:
            m.test(at, 24)
            flags = " ".join(
                word if m.u32(at + 8 + 4 * i) else ""
                for i, word in enumerate(("notrunc", "chownres", "igncase", "keepcase"))
            )
            m.out(f" linkmax {m.u32(at)} namemax {m.u32(at + 4)} {flags}")


def _reply(m: _Nfs, length: int, src: bytes, dst: bytes) -> None:
    """nfsreply_noaddr_print."""
    state = m.u32(8)
    if state == 0:
        m.out(f"reply ok {length}")
        found = _find(m.p[0:4], src, dst)
        if found is not None:
            _interp(m, found[0], found[1], length)
    elif state == 1:
        m.out(f"reply ERR {length}: ")
        reason = m.u32(12)
        if reason == 0:
            m.out(f"RPC Version mismatch ({m.u32(16)}-{m.u32(20)})")
        elif reason == 1:
            why = m.u32(16)
            m.out(f"Auth {_AUTH[why] if why < len(_AUTH) else f'Invalid failure code {why}'}")
        else:
            m.out(f"Unknown reason for rejecting rpc message {reason}")
    else:
        m.out(f"reply Unknown rpc response code={state} {length}")


def nfs_text(payload: bytes, length: int, call: bool, src: bytes, dst: bytes) -> str:
    """``NFS request xid N ...`` or ``NFS reply xid N ...``: the RPC message ``payload`` (what the
    capture holds of its ``length`` bytes) between the IP addresses ``src`` and ``dst``."""
    m = _Nfs(payload)
    xid = int.from_bytes(payload[0:4], "big")
    m.out(f"NFS {'request' if call else 'reply'} xid {xid} ")
    try:
        if call:
            _call(m, length, src, dst)
        else:
            _reply(m, length, src, dst)
    except _Cut:
        m.out(" [|nfs]")
    except _Null:
        if not m.error:
            m.out(" [|nfs]")
    return "".join(m.parts)


def nfs_udp_kind(payload: bytes, sport: int, dport: int) -> str | None:
    """What print-udp.c hands an RPC message to before its port tests: ``"nfs-request"`` (a call to
    port 2049), ``"nfs-reply"`` (a reply from it), or None."""
    if len(payload) < 8:
        return None
    direction = int.from_bytes(payload[4:8], "big")
    if dport == NFS_PORT and direction == _CALL:
        return "nfs-request"
    if sport == NFS_PORT and direction == _REPLY:
        return "nfs-reply"
    return None


def nfs_tcp_text(payload: bytes, length: int, sport: int, dport: int, src: bytes, dst: bytes) -> str:
    """print-tcp.c's NFS over TCP: after the record mark, a call to port 2049 or a reply from it
    (``: NFS request xid ...``); nothing else."""
    if length < 4 or len(payload) < 4:
        return ""
    size = min(int.from_bytes(payload[0:4], "big") & 0x7FFFFFFF, length - 4)
    kind = nfs_udp_kind(payload[4:], sport, dport)
    if kind is None:
        return ""
    return ": " + nfs_text(payload[4:], size, kind == "nfs-request", src, dst)


__all__ = ["NFS_PORT", "nfs_tcp_text", "nfs_text", "nfs_udp_kind", "reset_nfs_calls"]
