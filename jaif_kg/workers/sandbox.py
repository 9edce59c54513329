"""The query workers' kernel sandbox and memory limit: promises that no query text can talk round.

* **No network** (:func:`confine`): a seccomp filter, loaded through libseccomp (``pyseccomp``),
  makes ``socket()`` fail with ``EACCES`` for every address family but ``AF_UNIX`` (the worker's
  own channel to the server), and refuses ``io_uring_setup`` (io_uring can open sockets without
  the ``socket`` system call) and ``execve`` / ``execveat``. The filter is inherited by every
  process forked afterwards and cannot be removed (``PR_SET_NO_NEW_PRIVS``). The engine may parse
  a ``SERVICE`` clause however it likes: the request it would send cannot leave the process.
* **Bounded memory** (:func:`limit_memory`): ``RLIMIT_AS`` caps the worker's address space at what
  it had when it started (the store it shares copy-on-write with the server, the interpreter)
  plus a budget, so a runaway query fails an allocation instead of taking the machine's memory.

Linux only; elsewhere :func:`confine` raises :class:`SandboxUnavailable`.
"""

from __future__ import annotations

import errno
import os
import resource
import socket
import sys

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Set by :func:`confine` in the process it confines (and so in every process forked from it).
_CONFINED: list[str] = []


class SandboxUnavailable(RuntimeError):
    """The kernel sandbox cannot be installed here (not Linux, no libseccomp, no seccomp)."""


def confine() -> str:
    """Forbid network sockets (and ``exec``) to this process and every process it forks.

    Returns:
        a one-line description of the layer now active.

    Raises:
        SandboxUnavailable: seccomp or libseccomp is missing; nothing was changed.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"seccomp needs Linux, not {sys.platform}")
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # the module loads libseccomp.so.2 when imported
        raise SandboxUnavailable(f"libseccomp is not available ({exc})") from exc
    try:
        filt = seccomp.SyscallFilter(seccomp.ALLOW)
        filt.add_rule(
            seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX)
        )
        for call in ("io_uring_setup", "execve", "execveat"):
            filt.add_rule(seccomp.ERRNO(errno.EPERM), call)
        filt.load()
    except Exception as exc:  # libseccomp reports failures as RuntimeError or OSError
        raise SandboxUnavailable(f"the seccomp filter could not be loaded ({exc})") from exc
    _CONFINED.append("seccomp")
    return "seccomp (no network sockets, no exec) in every query worker"


def confined() -> bool:
    """Whether :func:`confine` ran in this process or in the one it was forked from.

    >>> isinstance(confined(), bool)
    True
    """
    return bool(_CONFINED)


def _statm() -> tuple[int, int]:
    """(address space, resident set) of this process in bytes (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm", "rb") as f:
        size, resident, *_ = f.read().split()
    return int(size) * _PAGE, int(resident) * _PAGE


def resident_bytes() -> int:
    """Resident memory of this process in bytes (0 where ``/proc`` is missing).

    >>> resident_bytes() > 0
    True
    """
    try:
        return _statm()[1]
    except OSError:
        return 0


def limit_memory(budget_mb: int) -> int:
    """Cap this process's address space at its current size plus ``budget_mb`` MiB.

    Returns:
        the limit set, in bytes (0 when ``budget_mb`` is 0 or less: no limit).
    """
    if budget_mb <= 0:
        return 0
    size, _ = _statm()
    limit = size + budget_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit
