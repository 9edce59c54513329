"""The counts behind admission control (:mod:`jaif_kg.api.admission`): queries in flight per
client and in all, in one process or shared by every HTTP process of one server.

:class:`LocalCounts` keeps them in dictionaries (one HTTP process). :class:`SharedCounts` keeps
them in a memory file mapped by every HTTP process ``jaif-kg serve`` forks, so that the limits
(``JAIF_CLIENT_QUERIES`` per client, the queue all clients share) hold for the server as a whole,
whichever process the kernel gives a connection to:

* one row per process: its queries in flight, and its count for each client slot; a client's
  count is the sum over the rows, so a process that dies takes only its own counts with it
  (the supervisor zeroes its row: :meth:`SharedCounts.forget`);
* client slots name a client by a 64-bit digest of its address; a slot whose counts are all zero
  is free to take, so the table never fills while the limits hold (at most ``running_limit +
  queue_limit`` clients hold counts at once);
* every read-modify-write holds a POSIX record lock on the memory file (``lockf``): the kernel
  releases it when its process dies, so a process killed in the middle cannot stop the others.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import mmap
import os
from typing import Literal, Protocol

#: Why :meth:`Counts.enter` refused: the client is at its limit, or the server is full.
Refusal = Literal["client", "busy"]


class Counts(Protocol):
    """Queries in flight, per client and in all (what :class:`AdmissionGate` counts)."""

    def enter(self, who: str, per_client: int, total: int) -> Refusal | None:
        """Count one query of ``who`` unless it holds ``per_client`` already ("client") or
        ``total`` queries are in flight ("busy")."""
        ...

    def leave(self, who: str) -> None:
        """Uncount one query of ``who`` (entered in this process)."""
        ...

    def held(self, who: str) -> int:
        """Queries of ``who`` in flight."""
        ...

    def total(self) -> int:
        """Queries in flight, all clients together."""
        ...

    def snapshot(self) -> dict[str, int]:
        """Queries in flight per client that holds any, as far as this process knows its name."""
        ...


class LocalCounts:
    """The counts of one HTTP process, in dictionaries.

    >>> c = LocalCounts()
    >>> c.enter("a", 1, 5), c.enter("a", 1, 5), c.enter("b", 1, 1)
    (None, 'client', 'busy')
    >>> c.leave("a"); c.total(), c.snapshot()
    (0, {})
    """

    def __init__(self) -> None:
        self._per_client: dict[str, int] = {}
        self._total = 0

    def enter(self, who: str, per_client: int, total: int) -> Refusal | None:
        held = self._per_client.get(who, 0)
        if held >= per_client:
            return "client"
        if self._total >= total:
            return "busy"
        self._per_client[who] = held + 1
        self._total += 1
        return None

    def leave(self, who: str) -> None:
        self._total -= 1
        left = self._per_client[who] - 1
        if left:
            self._per_client[who] = left
        else:
            del self._per_client[who]

    def held(self, who: str) -> int:
        return self._per_client.get(who, 0)

    def total(self) -> int:
        return self._total

    def snapshot(self) -> dict[str, int]:
        return dict(self._per_client)


@functools.lru_cache(maxsize=4096)
def _digest(who: str) -> int:
    """A non-zero 64-bit signed name for a client address (0 marks an empty slot)."""
    value = int.from_bytes(hashlib.blake2b(who.encode(), digest_size=8).digest(), "little")
    value = value - (1 << 64) if value >= 1 << 63 else value
    return value or 1


class TableFull(RuntimeError):
    """No free client slot (cannot happen while the limits hold; refused as "busy")."""


class SharedCounts:
    """Counts shared by ``processes`` HTTP processes forked after it was made.

    Each process calls :meth:`attach` with its own index first. Made by the supervisor; the
    memory file lives as long as any process holds it.

    Args:
        processes: HTTP processes (rows).
        slots: client slots (more than the clients that can hold counts at once).
    """

    def __init__(self, processes: int, slots: int = 1024) -> None:
        if processes < 1 or slots < 1:
            raise ValueError("SharedCounts needs at least one process and one slot")
        self.processes = processes
        self.slots = slots
        self._width = slots + 1  # a row: queries in flight, then one count per slot
        size = 8 * (slots + processes * self._width)
        self._fd = os.memfd_create("jaif-kg-admission", os.MFD_CLOEXEC)
        os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size)
        view = memoryview(self._map).cast("q")
        self._keys = view[:slots]
        self._rows = view[slots:]
        self.process = 0
        #: client address -> its slot, as this process last found it
        self._slot_of: dict[str, int] = {}

    def attach(self, process: int) -> None:
        """Say which row this process writes (0 to ``processes - 1``)."""
        if not 0 <= process < self.processes:
            raise ValueError(f"process {process} is not one of the {self.processes}")
        self.process = process
        self._slot_of.clear()

    # -- the lock: a POSIX record lock, released by the kernel if its holder dies

    def _lock(self) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_EX)

    def _unlock(self) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_UN)

    # -- reading (callers hold the lock)

    def _count(self, slot: int) -> int:
        width, rows = self._width, self._rows
        return sum(rows[p * width + 1 + slot] for p in range(self.processes))

    def _total(self) -> int:
        width, rows = self._width, self._rows
        return sum(rows[p * width] for p in range(self.processes))

    def _find(self, who: str, *, claim: bool) -> int | None:
        """The slot of ``who`` (claiming a free one when ``claim``), or None."""
        key = _digest(who)
        slot = self._slot_of.get(who)
        if slot is not None and self._keys[slot] == key:
            return slot
        free = None
        for i in range(self.slots):
            if self._keys[i] == key:
                self._slot_of[who] = i
                return i
            if free is None and (self._keys[i] == 0 or self._count(i) == 0):
                free = i
        if not claim:
            return None
        if free is None:
            raise TableFull("every client slot holds queries")
        self._keys[free] = key
        self._slot_of[who] = free
        return free

    # -- the Counts protocol

    def enter(self, who: str, per_client: int, total: int) -> Refusal | None:
        self._lock()
        try:
            try:
                slot = self._find(who, claim=True)
            except TableFull:
                return "busy"
            assert slot is not None
            if self._count(slot) >= per_client:
                return "client"
            if self._total() >= total:
                return "busy"
            row = self.process * self._width
            self._rows[row] += 1
            self._rows[row + 1 + slot] += 1
            return None
        finally:
            self._unlock()

    def leave(self, who: str) -> None:
        """Without the lock: a process writes only its own row, each count an aligned 8-byte
        word another process reads whole, before or after; and the slot of ``who`` cannot be
        claimed by anyone while this row counts a query in it, so its key is still ``who``'s.
        A reader that sees the count before it drops sees the query a moment longer, as if it
        had left a moment later."""
        slot = self._find(who, claim=False)
        row = self.process * self._width
        if slot is None or self._rows[row + 1 + slot] <= 0:
            raise RuntimeError(f"{who!r} leaves without having entered in this process")
        self._rows[row + 1 + slot] -= 1
        self._rows[row] -= 1

    def held(self, who: str) -> int:
        self._lock()
        try:
            slot = self._find(who, claim=False)
            return 0 if slot is None else self._count(slot)
        finally:
            self._unlock()

    def total(self) -> int:
        self._lock()
        try:
            return self._total()
        finally:
            self._unlock()

    def snapshot(self) -> dict[str, int]:
        self._lock()
        try:
            out = {}
            for who, slot in self._slot_of.items():
                if self._keys[slot] == _digest(who) and (n := self._count(slot)):
                    out[who] = n
            return out
        finally:
            self._unlock()

    def forget(self, process: int) -> None:
        """Zero the row of a process that ended (its queries ended with it)."""
        self._lock()
        try:
            start = process * self._width
            for i in range(start, start + self._width):
                self._rows[i] = 0
        finally:
            self._unlock()
