"""Writes that arrive together commit together (facetpath.group_commit), each still all or nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django import db
from django.db import DatabaseError, IntegrityError, connection, transaction

from facetpath import group_commit
from facetpath.audit.models import AuditEvent

NO_SUCH_PATIENT = 987_654_321
grouped = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's writers run at once (the test below)"
)


class Stop(BaseException):
    """Stands for what interrupts a thread without being an error of its write (a shutdown)."""


def refuse() -> None:
    raise ValueError("refused")


def writer(name: str, ran_on: dict[str, list[int]], fail: Callable[[], None] = lambda: None) -> Any:
    """A write of one audit row called `name`; each attempt notes the thread it ran on."""

    def write() -> int:
        ran_on.setdefault(name, []).append(threading.get_ident())
        row = AuditEvent.objects.create(username=name, action="test")
        fail()
        return row.pk

    return write


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the writers did not queue"
        time.sleep(0.001)


def write_at_once(*writes: Callable[[], Any]) -> list[tuple[Any, int]]:
    """Each write through `group_commit.run` on a thread of its own, the first holding its turn until all
    the others have queued behind it: (what each caller got back or raised, the caller's thread)."""
    outcomes: list[Any] = [None] * len(writes)
    callers = [0] * len(writes)

    def hold_then(write: Callable[[], Any]) -> Callable[[], Any]:
        def held() -> Any:
            _wait_for(lambda: len(group_commit._writers._queued) == len(writes) - 1)
            return write()

        return held

    def call(index: int, write: Callable[[], Any]) -> None:
        callers[index] = threading.get_ident()
        try:
            outcomes[index] = group_commit.run(write)
        except BaseException as error:  # the test looks at what each caller got
            outcomes[index] = error
        finally:
            db.connections.close_all()

    first = threading.Thread(target=call, args=(0, hold_then(writes[0])))
    first.start()
    _wait_for(lambda: group_commit._writers._writing)
    others = [threading.Thread(target=call, args=(n, w)) for n, w in enumerate(writes) if n]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    return list(zip(outcomes, callers, strict=True))


def stored(*names: str) -> list[str]:
    return sorted(AuditEvent.objects.filter(username__in=names).values_list("username", flat=True))


@grouped
@pytest.mark.django_db(transaction=True)
def test_writes_that_queue_behind_one_are_written_together_and_each_caller_gets_its_own() -> None:
    ran_on: dict[str, list[int]] = {}
    names = ["first", "a", "b", "c", "d"]
    outcomes = write_at_once(*(writer(name, ran_on) for name in names))
    ids = {AuditEvent.objects.get(username=name).pk: name for name in names}
    assert [ids[got] for got, _caller in outcomes] == names  # each caller its own row's id
    assert ran_on["first"] == [outcomes[0][1]]  # the first wrote alone, on its own thread
    queued = {thread for name in names[1:] for thread in ran_on[name]}
    assert len(queued) == 1 and queued <= {caller for _got, caller in outcomes[1:]}  # one write for all
    assert not group_commit._writers._writing and not group_commit._writers._queued


@grouped
@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_is_undone_alone_and_raises_in_its_own_caller() -> None:
    ran_on: dict[str, list[int]] = {}
    outcomes = write_at_once(
        writer("first", ran_on), writer("a", ran_on), writer("bad", ran_on, fail=refuse), writer("c", ran_on)
    )
    assert isinstance(outcomes[2][0], ValueError)
    assert all(isinstance(got, int) for n, (got, _caller) in enumerate(outcomes) if n != 2)
    assert stored("first", "a", "bad", "c") == ["a", "c", "first"]
    assert len({thread for name in ("a", "bad", "c") for thread in ran_on[name]}) == 1  # still together


@grouped
@pytest.mark.django_db(transaction=True)
def test_when_the_group_cannot_commit_each_write_is_done_again_alone() -> None:
    """A row pointing at no patient passes its savepoint (foreign keys are checked at commit) and fails
    the whole transaction: the others are then written alone, once each, and only that one fails."""
    ran_on: dict[str, list[int]] = {}

    def dangling() -> None:
        AuditEvent.objects.create(username="dangling", action="test", patient_id=NO_SUCH_PATIENT)

    outcomes = write_at_once(
        writer("first", ran_on),
        writer("a", ran_on),
        writer("bad", ran_on, fail=dangling),
        writer("c", ran_on),
    )
    assert isinstance(outcomes[2][0], IntegrityError)
    assert all(isinstance(got, int) for n, (got, _caller) in enumerate(outcomes) if n != 2)
    assert stored("first", "a", "bad", "c", "dangling") == ["a", "c", "first"]
    assert [len(ran_on[name]) for name in ("a", "bad", "c")] == [2, 2, 2]  # together, then alone


@grouped
@pytest.mark.django_db(transaction=True)
def test_an_interrupted_writer_tells_every_caller_it_carried_that_nothing_was_written() -> None:
    ran_on: dict[str, list[int]] = {}
    interrupted = {"once": False}

    def stop_once() -> None:  # the write that carries the others stops at its first step
        if not interrupted["once"]:
            interrupted["once"] = True
            raise Stop

    outcomes = write_at_once(
        writer("first", ran_on), writer("a", ran_on, fail=stop_once), writer("b", ran_on)
    )
    assert isinstance(outcomes[0][0], int)
    # "a" carried "b": its own caller sees the interruption, "b" an error, never a false "saved".
    assert isinstance(outcomes[1][0], Stop)
    assert isinstance(outcomes[2][0], DatabaseError) and "not written" in str(outcomes[2][0])
    assert stored("first", "a", "b") == ["first"]
    assert not group_commit._writers._writing and not group_commit._writers._queued  # the next can write
    assert isinstance(group_commit.run(writer("after", ran_on)), int)


@pytest.mark.django_db(transaction=True)
def test_a_write_that_leaves_its_transaction_marked_for_rollback_is_not_reported_saved() -> None:
    def swallow_an_error() -> int:
        row = AuditEvent.objects.create(username="marked", action="test")
        transaction.set_rollback(True)  # as code that caught a database error inside the block would
        return row.pk

    with pytest.raises(DatabaseError):
        group_commit.run(swallow_an_error)
    assert stored("marked") == []


@pytest.mark.django_db(transaction=True)
def test_writers_all_get_their_own_outcome_when_many_arrive_at_once() -> None:
    """On either database: sixteen writers at once, one refused; the fifteen others stored once each."""
    start_together = threading.Barrier(16)
    outcomes: list[Any] = [None] * 16

    def call(index: int) -> None:
        def write() -> int:
            row = AuditEvent.objects.create(username=f"at-once-{index}", action="test")
            if index == 7:
                raise ValueError("refused")
            return row.pk

        start_together.wait()
        try:
            outcomes[index] = group_commit.run(write)
        except ValueError as error:
            outcomes[index] = error
        finally:
            db.connections.close_all()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(outcomes[7], ValueError)
    rows = dict(AuditEvent.objects.filter(username__startswith="at-once-").values_list("username", "pk"))
    assert rows == {f"at-once-{n}": outcomes[n] for n in range(16) if n != 7}


@pytest.mark.django_db
def test_inside_a_transaction_a_write_is_a_savepoint_of_it() -> None:
    with transaction.atomic():
        with pytest.raises(ValueError):
            group_commit.run(writer("undone", {}, fail=refuse))
        kept = group_commit.run(writer("kept", {}))
    assert stored("undone", "kept") == ["kept"] and AuditEvent.objects.get(username="kept").pk == kept
