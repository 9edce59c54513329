"""The query workers' kernel sandbox and memory limit: promises that no query text can talk round.

* **No network** (:func:`confine`): a seccomp filter, loaded through libseccomp (``pyseccomp``),
  makes ``socket()`` fail with ``EACCES`` for every address family but ``AF_UNIX`` (the worker's
  own channel to the server), and refuses ``io_uring_setup`` (io_uring can open sockets without
  the ``socket`` system call) and ``execve`` / ``execveat``. The filter is inherited by every
  process forked afterwards and cannot be removed (``PR_SET_NO_NEW_PRIVS``). The engine may parse
  a ``SERVICE`` clause however it likes: the request it would send cannot leave the process.
* **Federation workers** (``confine(connect_ports=...)``, only when ``--allow-service`` lists
  endpoints): the same filter, but ``socket()`` is allowed for ``AF_INET`` and ``AF_INET6`` too
  (seccomp cannot see the address a ``connect`` goes to: it is behind a pointer). Underneath, a
  Landlock ruleset (Linux 6.7+, Landlock ABI 4) lets TCP ``connect`` reach only the ports of the
  allowed endpoints and forbids TCP ``bind``. Landlock cannot tell hosts apart: an allowed port is
  open on every host, which is why the structural check decides which host a query may name.
* **Bounded memory** (:func:`limit_memory`): ``RLIMIT_AS`` caps the worker's address space at what
  it had when it started (the store it shares copy-on-write with the server, the interpreter)
  plus a budget, so a runaway query fails an allocation instead of taking the machine's memory.

Linux only; elsewhere :func:`confine` raises :class:`SandboxUnavailable`.
"""

from __future__ import annotations

import ctypes
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


#: Linux system call numbers of Landlock (the same on every architecture: added after 5.1).
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_NET_PORT = 2
_ACCESS_NET_BIND_TCP, _ACCESS_NET_CONNECT_TCP = 1, 2
_PR_SET_NO_NEW_PRIVS = 38


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def landlock_abi() -> int:
    """The Landlock ABI version of the running kernel (0: none, or not Linux).

    >>> landlock_abi() >= 0
    True
    """
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(
        _LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), _LANDLOCK_CREATE_RULESET_VERSION
    )
    return max(0, int(version))


def restrict_tcp(connect_ports: frozenset[int]) -> None:
    """Let TCP ``connect`` reach only ``connect_ports`` and forbid TCP ``bind``, for this process
    and every process it forks (Landlock, ABI 4 or later). UDP (name resolution) is untouched.

    Raises:
        SandboxUnavailable: the kernel has no Landlock network rules; nothing was changed.
    """
    abi = landlock_abi()
    if abi < 4:
        raise SandboxUnavailable(f"Landlock TCP rules need Linux 6.7 (Landlock ABI 4), have {abi}")
    libc = ctypes.CDLL(None, use_errno=True)
    attr = _RulesetAttr(0, _ACCESS_NET_BIND_TCP | _ACCESS_NET_CONNECT_TCP)
    fd = libc.syscall(
        _LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), 0
    )
    if fd < 0:
        raise SandboxUnavailable(f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        for port in sorted(connect_ports):
            rule = _NetPortAttr(_ACCESS_NET_CONNECT_TCP, port)
            if libc.syscall(_LANDLOCK_ADD_RULE, fd, _LANDLOCK_RULE_NET_PORT, ctypes.byref(rule), 0):
                raise SandboxUnavailable(
                    f"landlock_add_rule (port {port}): {os.strerror(ctypes.get_errno())}"
                )
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) or libc.syscall(
            _LANDLOCK_RESTRICT_SELF, fd, 0
        ):
            raise SandboxUnavailable(f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)


def confine(connect_ports: frozenset[int] | None = None) -> str:
    """Forbid network sockets (and ``exec``) to this process and every process it forks.

    Args:
        connect_ports: for a federation worker: allow IPv4 and IPv6 sockets, with TCP connections
            to these ports only where the kernel has Landlock network rules (:func:`restrict_tcp`;
            the description returned says when it has not). ``None``: no network socket at all.

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
        refused = seccomp.ERRNO(errno.EACCES)
        if connect_ports is None:
            filt.add_rule(refused, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        else:
            # libseccomp takes one comparison per argument and rule: every family value but
            # AF_UNIX (1), AF_INET (2) and AF_INET6 (10) is covered by one of these rules
            assert (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6) == (1, 2, 10)
            for family in (0, *range(3, 10)):
                filt.add_rule(refused, "socket", seccomp.Arg(0, seccomp.EQ, family))
            filt.add_rule(refused, "socket", seccomp.Arg(0, seccomp.GT, socket.AF_INET6))
        for call in ("io_uring_setup", "execve", "execveat"):
            filt.add_rule(seccomp.ERRNO(errno.EPERM), call)
        filt.load()
    except Exception as exc:  # libseccomp reports failures as RuntimeError or OSError
        raise SandboxUnavailable(f"the seccomp filter could not be loaded ({exc})") from exc
    _CONFINED.append("seccomp")
    if connect_ports is None:
        return "seccomp (no network sockets, no exec) in every query worker"
    ports = ", ".join(str(port) for port in sorted(connect_ports))
    try:
        restrict_tcp(connect_ports)
    except SandboxUnavailable as exc:
        return f"seccomp (IPv4/IPv6 sockets, no exec); no port restriction ({exc})"
    return f"seccomp (IPv4/IPv6 sockets, no exec) and Landlock (TCP connect to port {ports} only)"


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
