"""Giving up root once the capture is open: tcpdump's -Z USER."""

from __future__ import annotations

import os
import pwd

from ..errors import PrivilegeError


def drop_privileges(user: str) -> str | None:
    """Become ``user``, as tcpdump's droproot does: initgroups, setgid to its group, setuid.

    Called after the capture handle is open and before any -w file is created, so the files belong
    to ``user``. Root's capabilities go with the user id. Does nothing when not running as root
    (tcpdump's rule) and returns a note saying so; raises :class:`PrivilegeError` for an unknown user
    or a change the system refuses.
    """
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise PrivilegeError(f"-Z {user}: no such user") from None
    if os.geteuid() != 0:
        if entry.pw_uid == os.geteuid():
            return None
        return f"not running as root, so -Z {user} changes nothing"
    if entry.pw_uid == 0:
        return None
    try:
        os.initgroups(entry.pw_name, entry.pw_gid)
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)
    except OSError as exc:
        raise PrivilegeError(f"-Z {user}: cannot change to that user: {exc.strerror}") from exc
    try:  # as tcpdump's droproot checks: root must not come back
        os.setuid(0)
    except PermissionError:
        return None
    raise PrivilegeError(f"-Z {user}: root privileges could not be given up")
