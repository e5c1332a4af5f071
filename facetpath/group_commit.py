"""Writes that arrive together commit together: one transaction and one sync to disk for all (SQLite).

SQLite has a single writer, and each commit waits for the disk (synchronous=FULL: an answer the phone was
told is saved survives a power cut). When many phones answer their diaries at once, that wait was about a
quarter of each answer's time, and the answers behind it waited too (bench/diary.py). `run(work)` is
`transaction.atomic()` around `work()` for one process's writers in turn, except that the writes which
queued while one was being written are then written in a single transaction:

- each in a savepoint of its own, so a write that fails is undone alone and raises in its own caller;
- no caller returns before the transaction that holds its write has committed;
- if that transaction cannot commit (a deferred constraint, the disk), nothing of it was kept, and each
  write is done again in a transaction of its own, so that only a failing one fails.

The thread whose turn it is writes the others' work as well (Django's connection is per thread), then
hands the next turn to the first thread that queued behind it. On PostgreSQL, which lets its writers run at
once and already groups their commits' syncs, and inside a transaction already open, `run` is just
`transaction.atomic()`. The diary answer (`diary.services.submit_entry`) writes this way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection, transaction


def run[T](work: Callable[[], T]) -> T:
    """`work()` in a transaction, returning what it returns or raising what it raised."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return _atomic(work)
    return _writers.run(work)


def _atomic[T](work: Callable[[], T]) -> T:
    with transaction.atomic():
        result = work()
        _refuse_a_silent_rollback()
    return result


class _Turn:
    """One caller's write, waiting for its turn or for the write that carried it."""

    __slots__ = ("called", "done", "error", "result", "work", "written")

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work = work
        self.called = threading.Event()  # set when done, or when the next write is this caller's to do
        self.done = self.written = False
        self.result: Any = None
        self.error: BaseException | None = None

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class _Writers:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._queued: list[_Turn] = []
        self._writing = False

    def run(self, work: Callable[[], Any]) -> Any:
        turn = _Turn(work)
        with self._guard:
            self._queued.append(turn)
            wait = self._writing
            self._writing = True
        if wait:
            turn.called.wait()
            if turn.done:
                return turn.outcome()
        try:
            with self._guard:
                batch, self._queued = self._queued, []
            _write(batch)
        finally:
            with self._guard:
                if self._queued:
                    self._queued[0].called.set()
                else:
                    self._writing = False
        return turn.outcome()


_writers = _Writers()


def _write(batch: list[_Turn]) -> None:
    try:
        if len(batch) == 1 or not _together(batch):
            for turn in batch:
                _alone(turn)
    finally:
        for turn in batch:
            if not turn.written and turn.error is None:  # only if the writing thread was interrupted
                turn.error = DatabaseError("not written: the write it was grouped with was interrupted")
            turn.done = True
            turn.called.set()


def _alone(turn: _Turn) -> None:
    turn.result, turn.error = None, None
    try:
        turn.result, turn.written = _atomic(turn.work), True
    except Exception as error:
        turn.error = error


def _together(batch: list[_Turn]) -> bool:
    """Writes the batch in one transaction; False, with nothing kept, if that transaction failed."""
    try:
        with transaction.atomic():
            for turn in batch:
                try:
                    with transaction.atomic():
                        turn.result = turn.work()
                except Exception as error:
                    turn.result, turn.error = None, error
            _refuse_a_silent_rollback()
    except Exception:
        return False
    for turn in batch:
        turn.written = turn.error is None
    return True


def _refuse_a_silent_rollback() -> None:
    # A work that caught a database error inside its transaction leaves it marked for rollback, and
    # `atomic()` would then roll back on leaving without an error: the callers must not hear "saved".
    if transaction.get_rollback():
        raise DatabaseError("the transaction was marked for rollback")
