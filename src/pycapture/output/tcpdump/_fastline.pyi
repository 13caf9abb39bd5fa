"""The interface of the compiled walk and summary-line sink (``_fastline.c``), for the type checker."""

from collections.abc import Callable, Iterable, Mapping, Sequence

def set_flag_texts(texts: Sequence[str], /) -> None: ...
def set_dns_tables(
    types: Mapping[int, str],
    classes: Mapping[int, str],
    opcodes: Mapping[int, str],
    rcodes: Mapping[int, str],
    /,
) -> None: ...
def set_names(
    http_starts: Sequence[str],
    ntp_modes: Sequence[str],
    syslog_facilities: Sequence[str],
    syslog_severities: Sequence[str],
    tcp_options: Sequence[str],
    /,
) -> None: ...
def set_ports(tcp_apps: Mapping[int, int], udp_apps: Mapping[int, int], /) -> None: ...
def walk(linktype: int, data: bytes, /) -> tuple[int, ...] | None: ...
def records(
    buf: bytes | memoryview,
    pos: int,
    max_caplen: int,
    second_prefix: Callable[[int], str | None],
    seqs: dict[bytes, int] | None,
    limit: int,
    /,
) -> tuple[str, int, int, bool]: ...
def batch(
    records: list[tuple[int, int, int, bytes]],
    start: int,
    second_prefix: Callable[[int], str | None],
    seqs: dict[bytes, int] | None,
    limit: int,
    /,
) -> tuple[str, int]: ...
def set_rich_apps(
    udp_decoders: Mapping[int, str],
    http_ports: Iterable[int],
    tls_ports: Iterable[int],
    http_methods: Iterable[bytes],
    request_methods: Iterable[str],
    dns_port: int,
    tcp_ports: Iterable[int] = ...,
    /,
) -> None: ...
def json_records(
    buf: bytes | memoryview,
    pos: int,
    max_caplen: int,
    number: int,
    linktype: str,
    nano: bool,
    second_text: Callable[[int], str | None],
    flag_text: Callable[[int], str],
    /,
) -> tuple[str, int, int, bool]: ...
def json_batch(
    records: list[tuple[int, int, int, bytes]],
    start: int,
    number: int,
    linktype: str,
    nano: bool,
    second_text: Callable[[int], str | None],
    flag_text: Callable[[int], str],
    /,
) -> tuple[str, int]: ...
