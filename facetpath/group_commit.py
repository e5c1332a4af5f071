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

Queued writers also start as soon as the one before them commits: SQLite's own sleep-and-retry (1, 2,
5 … 100 ms) made one answer in a hundred wait 230 ms or more under eight phones at once.

The thread whose turn it is writes the others' work as well (Django's connection is per thread), then
hands the next turn to the first thread that queued behind it. So a work must not depend on its thread:
no active language or time zone, no lock its caller holds; its `on_commit` hooks run on the writing
thread, and its queries are logged on that thread's connection. On PostgreSQL, which lets its writers run
at once and already groups their commits' syncs, and inside a transaction already open, `run` is just
`transaction.atomic()`. The diary answer (`diary.services.submit_entry`) writes this way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)


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


def _refuse_a_silent_rollback() -> None:
    # A work that caught a database error inside its transaction (or savepoint) leaves it marked for
    # rollback, and `atomic()` would then roll back on leaving without an error: no "saved" for it.
    if transaction.get_rollback():
        raise DatabaseError("the transaction was marked for rollback")


class _Turn:
    """One caller's write, waiting for its turn or for the write that carried it."""

    __slots__ = ("called", "done", "error", "result", "work", "written")

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work = work
        self.called = threading.Event()  # set when done, or when the next write is this caller's to do
        self.done = self.written = False
        self.result: Any = None
        self.error: BaseException | None = None

    def take(self, work: Callable[[], Any]) -> None:
        """Runs `work`, keeping what it returns or raises for the caller."""
        self.result, self.error = None, None
        try:
            self.result = work()
        except BaseException as error:  # any: atomic() undoes the work for any, and its caller raises it
            self.error = error

    def finish(self, failure: BaseException | None = None) -> None:
        if not self.written and self.error is None:
            self.error = failure or DatabaseError("not written: the write that carried it was interrupted")
        self.done = True
        self.called.set()

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
            try:
                turn.called.wait()
            except BaseException:  # interrupted while queued: leave the queue, or pass the turn on
                self._leave(turn)
                raise
            if turn.done:
                return turn.outcome()
        batch: list[_Turn] = []
        try:
            with self._guard:
                batch, self._queued = self._queued, []
            _write(batch)
        finally:
            for carried in batch:
                if not carried.done:
                    carried.finish()
            self._pass_the_turn()
        return turn.outcome()

    def _leave(self, turn: _Turn) -> None:
        with self._guard:
            if turn not in self._queued:
                return  # already in a write: it goes on without its caller
            called = turn.called.is_set()
            self._queued.remove(turn)
        if called:
            self._pass_the_turn()

    def _pass_the_turn(self) -> None:
        with self._guard:
            if self._queued:
                self._queued[0].called.set()
            else:
                self._writing = False


_writers = _Writers()


def _write(batch: list[_Turn]) -> None:
    if len(batch) == 1 or not _together(batch):
        for turn in batch:
            _alone(turn)
    for turn in batch:
        turn.finish()


def _alone(turn: _Turn) -> None:
    turn.take(partial(_atomic, turn.work))
    turn.written = turn.error is None


def _together(batch: list[_Turn]) -> bool:
    """Writes the batch in one transaction, each work in a savepoint; False, with nothing kept, if that
    transaction failed to commit (a deferred constraint), so that each is written again alone."""
    committed, reached_commit = False, False

    def note_commit() -> None:
        nonlocal committed
        committed = True

    try:
        with transaction.atomic():
            transaction.on_commit(note_commit)  # first: runs before any hook the works add
            for turn in batch:
                turn.take(partial(_atomic, turn.work))  # a savepoint: a failure undoes it alone
            _refuse_a_silent_rollback()
            reached_commit = True
    except Exception as error:
        if not committed and reached_commit:
            return False
        if not committed:  # not any one write's fault (the database was busy): each caller is told
            for turn in batch:
                turn.result, turn.written = None, False
                turn.finish(error)
            return True
        # Committed, and then a work's on-commit hook failed: the writes stand.
        logger.exception("an on-commit hook failed after a group of writes committed")
    for turn in batch:
        turn.written = turn.error is None
    return True
