"""What makes a libpcap handle safe to close from any thread while others read it.

pcapy-ng's ``Reader.next`` (and ctypes' ``pcap_next_ex``) let go of the GIL while libpcap reads, so a
``pcap_close`` from another thread at that moment frees the buffer the read is filling, and the
interpreter dies. Pcap4J guards its handle with a read/write lock for the same reason. Here:

* a read holds :attr:`HandleGuard.reading`, one thread at a time: two threads reading one handle take
  turns instead of sharing libpcap's buffer and its error text;
* a thread waiting for the capture descriptor, or making any other call into libpcap (send, statistics),
  counts as a *user* (:meth:`HandleGuard.use`, :meth:`HandleGuard.wait`);
* :meth:`HandleGuard.close` marks the handle closed, wakes whoever waits, takes ``reading``, waits for
  the users to leave, and only then frees libpcap's handle.

A close that cannot free at once (it runs in a signal handler on the very thread that is reading, or a
read is blocked in libpcap on a pipe) returns and leaves the freeing to the thread inside, which does it
on its way out. No thread is ever inside libpcap while the handle is freed.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import weakref
from collections.abc import Callable, Iterator

from ..errors import NotOpenError

CLOSE_WAIT_SECONDS = 3.0  # how long close() waits for a thread inside libpcap before leaving it the freeing


def _close_fds(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


class HandleGuard:
    """The locks, the wake-up pipe and the closing state of one handle (see the module's docstring).

    ``free`` releases the handle's libpcap resources; it runs once, with no thread inside libpcap. ``owner``
    is the handle, whose lifetime bounds the wake-up pipe's: the pipe stays open until the handle is
    garbage, so a late :meth:`wake` (a break_loop() after close()) never writes into a reused descriptor.
    """

    def __init__(self, owner: object, source: str, free: Callable[[], None], *, wakeable: bool) -> None:
        self.reading = threading.Lock()
        self.closing = False
        self.reader = 0  # the thread ident inside a read, 0 when none
        self._source = source
        self._free: Callable[[], None] | None = free
        self._calls = threading.Condition()
        self._users: list[int] = []
        self.wake_r = self.wake_w = -1
        if wakeable:
            self.wake_r, self.wake_w = os.pipe()
            os.set_blocking(self.wake_w, False)
            weakref.finalize(owner, _close_fds, self.wake_r, self.wake_w)

    # --- the readers' side ----------------------------------------------------------------------------

    def closed_error(self) -> NotOpenError:
        """For a reader that found :attr:`closing` while holding :attr:`reading`: free the handle if the
        close left that to it, and the error that ends the read."""
        self._release()
        return NotOpenError(f"{self._source}: the handle is closed")

    def leave(self) -> None:
        """For a reader ending (a loop's last packet, a generator closed): free a handle whose close was left
        to it. Call without holding :attr:`reading`."""
        if self.closing and self._free is not None and self.reading.acquire(blocking=False):
            try:
                self._release()
            finally:
                self.reading.release()

    @contextlib.contextmanager
    def use(self) -> Iterator[None]:
        """Count the caller as inside libpcap for a call other than a read; NotOpenError once closing."""
        me = threading.get_ident()
        with self._calls:
            if self.closing:
                raise NotOpenError(f"{self._source}: the handle is closed")
            self._users.append(me)
        try:
            yield
        finally:
            with self._calls:
                self._users.remove(me)
                last = not self._users
                self._calls.notify_all()
            if last:
                self.leave()

    def wait(self, fd: int, timeout: float | None) -> bool:
        """Wait until ``fd`` is readable, :meth:`wake` is called or ``timeout`` passes; True if ``fd`` is
        readable and the handle is not closing. Not holding :attr:`reading`, so other calls go on."""
        try:
            with self.use():
                ready, _, _ = select.select([fd, self.wake_r], [], [], timeout)
        except NotOpenError:
            return False
        except (OSError, ValueError):  # the descriptor went away under a close made on this thread
            return False
        if self.wake_r in ready and not self.closing:  # once closing, the byte stays for every waiter
            with contextlib.suppress(BlockingIOError):
                os.read(self.wake_r, 512)
        return fd in ready and not self.closing

    def wake(self) -> None:
        """Wake a thread in :meth:`wait`; safe in a signal handler (no lock is taken)."""
        if self.wake_w >= 0:
            with contextlib.suppress(OSError):  # a full pipe: a wake-up is already pending
                os.write(self.wake_w, b"x")

    # --- closing --------------------------------------------------------------------------------------

    def close(self) -> bool:
        """Close from any thread; False if it was closed already. See the module's docstring."""
        with self._calls:
            if self.closing:
                return False
            self.closing = True
        self.wake()
        me = threading.get_ident()
        if self.reader == me:  # a signal handler on the reading thread: the read frees it on its way out
            return True
        with self._calls:
            if me in self._users:  # likewise, inside this thread's own wait or call
                return True
        if not self.reading.acquire(timeout=CLOSE_WAIT_SECONDS):
            return True  # a read blocked inside libpcap (a pipe): it frees the handle when it returns
        try:
            self._release()
        finally:
            self.reading.release()
        return True

    def _release(self) -> None:
        """Free the handle once no user is left; the caller holds :attr:`reading`."""
        with self._calls:
            if self._free is None:
                return
            if not self._calls.wait_for(lambda: not self._users, CLOSE_WAIT_SECONDS):
                return  # the last user to leave frees it (use() calls leave())
            free, self._free = self._free, None
        free()
