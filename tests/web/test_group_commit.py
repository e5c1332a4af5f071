"""Writes that arrive together commit together (facetpath.group_commit), each still all or nothing."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django import db
from django.db import DatabaseError, IntegrityError, connection, transaction
from test_diary import start
from webfactories import World

from facetpath import group_commit
from facetpath.audit.models import AuditEvent
from facetpath.diary import services
from facetpath.diary.models import Entry

NO_SUCH_PATIENT = 987_654_321
grouped = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's writers run at once (the test below)"
)
writers = group_commit._writers


@pytest.fixture(autouse=True)
def writers_idle() -> Iterator[None]:
    """Each test starts and ends with nobody writing or queued (a leftover would hang the next one)."""
    assert not writers._writing and not writers._queued
    yield
    stuck = writers._writing or writers._queued
    writers._writing, writers._queued = False, []
    assert not stuck, "a test left the writers busy"


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


def at_once(*calls: Callable[[Callable[[], None]], Any]) -> list[tuple[Any, int, bool]]:
    """Each call on a thread of its own. The first is given `hold`, to call inside its write: it holds
    the turn until all the others have queued behind it. For each: what the caller got back or raised,
    its thread, and whether its own connection saw its row the moment the call returned."""
    outcomes: list[Any] = [None] * len(calls)
    callers = [0] * len(calls)
    seen = [False] * len(calls)

    def hold() -> None:
        _wait_for(lambda: len(writers._queued) == len(calls) - 1)

    def call(index: int) -> None:
        callers[index] = threading.get_ident()
        try:
            outcomes[index] = calls[index](hold if index == 0 else lambda: None)
            if isinstance(outcomes[index], int):
                seen[index] = AuditEvent.objects.filter(pk=outcomes[index]).exists()
        except BaseException as error:  # the test looks at what each caller got
            outcomes[index] = error
        finally:
            db.connections.close_all()

    first = threading.Thread(target=call, args=(0,))
    first.start()
    _wait_for(lambda: writers._writing)
    others = [threading.Thread(target=call, args=(n,)) for n in range(1, len(calls))]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a writer is stuck"
    return list(zip(outcomes, callers, seen, strict=True))


def write_at_once(*writes: Callable[[], Any]) -> list[tuple[Any, int, bool]]:
    """`at_once` for plain writes through `group_commit.run`."""

    def first(hold: Callable[[], None]) -> Any:
        return group_commit.run(lambda: (hold(), writes[0]())[1])

    return at_once(first, *(lambda _hold, w=w: group_commit.run(w) for w in writes[1:]))


def group_with(
    name: str, fail: Callable[[], None], ran_on: dict[str, list[int]]
) -> list[tuple[Any, int, bool]]:
    """The first write, and queued behind it "a", `name` (which calls `fail` after writing its row), "c"."""
    return write_at_once(
        writer("first", ran_on), writer("a", ran_on), writer(name, ran_on, fail=fail), writer("c", ran_on)
    )


def saved_but_the_third(outcomes: list[tuple[Any, int, bool]]) -> bool:
    """Every caller but the third got its row's id, and its own connection saw the row on return."""
    return all(isinstance(got, int) and seen for n, (got, _c, seen) in enumerate(outcomes) if n != 2)


def stored(*names: str) -> list[str]:
    return sorted(AuditEvent.objects.filter(username__in=names).values_list("username", flat=True))


@grouped
@pytest.mark.django_db(transaction=True)
def test_writes_that_queue_behind_one_are_written_together_and_each_caller_gets_its_own() -> None:
    ran_on: dict[str, list[int]] = {}
    names = ["first", "a", "b", "c", "d"]
    outcomes = write_at_once(*(writer(name, ran_on) for name in names))
    ids = {AuditEvent.objects.get(username=name).pk: name for name in names}
    assert [ids[got] for got, _caller, _seen in outcomes] == names  # each caller its own row's id
    assert all(seen for _got, _caller, seen in outcomes)  # committed before any caller heard "saved"
    assert ran_on["first"] == [outcomes[0][1]]  # the first wrote alone, on its own thread
    queued = {thread for name in names[1:] for thread in ran_on[name]}
    assert len(queued) == 1 and queued <= {caller for _got, caller, _seen in outcomes[1:]}  # one write


@grouped
@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_is_undone_alone_and_raises_in_its_own_caller() -> None:
    ran_on: dict[str, list[int]] = {}
    outcomes = group_with("bad", refuse, ran_on)
    assert isinstance(outcomes[2][0], ValueError)
    assert saved_but_the_third(outcomes)
    assert stored("first", "a", "bad", "c") == ["a", "c", "first"]
    assert len({thread for name in ("a", "bad", "c") for thread in ran_on[name]}) == 1  # still together


@grouped
@pytest.mark.django_db(transaction=True)
def test_an_interruption_in_one_carried_write_reaches_only_its_own_caller() -> None:
    ran_on: dict[str, list[int]] = {}

    def stop() -> None:
        raise Stop

    outcomes = write_at_once(writer("first", ran_on), writer("a", ran_on), writer("b", ran_on, fail=stop))
    assert isinstance(outcomes[2][0], Stop)
    assert isinstance(outcomes[0][0], int) and isinstance(outcomes[1][0], int)  # "a" carried "b"
    assert stored("first", "a", "b") == ["a", "first"]


@grouped
@pytest.mark.django_db(transaction=True)
def test_a_carried_write_that_swallows_a_database_error_is_not_reported_saved() -> None:
    ran_on: dict[str, list[int]] = {}

    def swallow() -> None:
        transaction.set_rollback(True)  # as code that caught a database error inside the block would

    outcomes = group_with("marked", swallow, ran_on)
    assert isinstance(outcomes[2][0], DatabaseError)
    got = [outcomes[n][0] for n in (0, 1, 3)]
    assert stored("first", "a", "marked", "c") == ["a", "c", "first"]
    assert sorted(got) == sorted(
        AuditEvent.objects.filter(username__in=["first", "a", "c"]).values_list("pk", flat=True)
    )


@grouped
@pytest.mark.django_db(transaction=True)
def test_when_the_group_cannot_commit_each_write_is_done_again_alone() -> None:
    """A row pointing at no patient passes its savepoint (foreign keys are checked at commit) and fails
    the whole transaction: the others are then written alone, once each, and only that one fails."""
    ran_on: dict[str, list[int]] = {}

    def dangling() -> None:
        AuditEvent.objects.create(username="dangling", action="test", patient_id=NO_SUCH_PATIENT)

    outcomes = group_with("bad", dangling, ran_on)
    assert isinstance(outcomes[2][0], IntegrityError)
    assert saved_but_the_third(outcomes)
    assert stored("first", "a", "bad", "c", "dangling") == ["a", "c", "first"]
    assert [len(ran_on[name]) for name in ("a", "bad", "c")] == [2, 2, 2]  # together, then alone


@grouped
@pytest.mark.django_db(transaction=True)
def test_a_hook_that_fails_after_the_group_committed_does_not_write_it_again() -> None:
    ran_on: dict[str, list[int]] = {}

    def failing_hook() -> None:
        transaction.on_commit(refuse)

    outcomes = group_with("hook", failing_hook, ran_on)
    assert all(isinstance(got, int) and seen for got, _caller, seen in outcomes)  # the writes stand
    assert stored("first", "a", "hook", "c") == ["a", "c", "first", "hook"]  # once each
    assert [len(ran_on[name]) for name in ("a", "hook", "c")] == [1, 1, 1]


@grouped
@pytest.mark.django_db(transaction=True)
def test_a_caller_interrupted_while_queued_leaves_the_queue_and_the_others_go_on() -> None:
    """The main thread queues behind a write in progress and is interrupted (a signal) while it waits."""
    ran_on: dict[str, list[int]] = {}
    main_left = threading.Event()
    outcome: list[Any] = []

    def leader() -> None:
        def write() -> int:
            _wait_for(lambda: len(writers._queued) == 1)
            assert main_left.wait(timeout=10)
            return writer("leader", ran_on)()

        try:
            outcome.append(group_commit.run(write))
        finally:
            db.connections.close_all()

    def interrupt(_signum: int, _frame: object) -> None:
        raise Stop

    thread = threading.Thread(target=leader)
    thread.start()
    _wait_for(lambda: writers._writing)
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Stop):
            group_commit.run(writer("main", ran_on))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        main_left.set()
    thread.join(timeout=30)
    assert not thread.is_alive() and isinstance(outcome[0], int)
    assert stored("leader", "main") == ["leader"] and "main" not in ran_on
    assert not writers._writing and not writers._queued  # the turn was not lost …
    assert isinstance(group_commit.run(writer("after", ran_on)), int)  # … so the next can write


@grouped
@pytest.mark.django_db(transaction=True)
def test_diary_answers_written_together_keep_their_keys(world: World) -> None:
    """Through `submit_entry`: an answer, its retry and another answer in one group (sent at 1 h, made
    offline at 15, 30 and 45 min, each inside its own time's window)."""
    diary, _token = start(world)
    created: list[bool] = []

    def answer(key: str, minutes: int, hold: Callable[[], None]) -> Any:
        at = diary.starts_at + timedelta(minutes=minutes)
        data = services.EntryData(key, 4, None, {}, None, "", at)
        sent = diary.starts_at + timedelta(hours=1)
        return services.submit_entry(
            diary, data, now=sent, record=lambda _entry, new: (hold(), created.append(new))
        )

    outcomes = at_once(
        lambda hold: answer("key-first-0001", 15, hold),
        lambda _hold: answer("key-grouped-01", 30, lambda: None),
        lambda _hold: answer("key-grouped-01", 30, lambda: None),
        lambda _hold: answer("key-grouped-02", 45, lambda: None),
    )
    (first, _), (one, new_one), (again, new_again), (two, new_two) = (got for got, _c, _s in outcomes)
    assert (new_one, new_again, new_two) == (True, False, True) and sorted(created) == [
        False,
        True,
        True,
        True,
    ]
    assert again.pk == one.pk and len({first.pk, one.pk, two.pk}) == 3
    entries = Entry.objects.filter(diary=diary)
    assert entries.count() == 3 and len({entry.slot_id for entry in entries}) == 3


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
                refuse()
            return row.pk

        start_together.wait()
        try:
            outcomes[index] = group_commit.run(write)
        except BaseException as error:  # the test looks at what each caller got
            outcomes[index] = error
        finally:
            db.connections.close_all()

    threads = [threading.Thread(target=call, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a writer is stuck"
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


@grouped
@pytest.mark.django_db(transaction=True)
def test_a_group_that_cannot_begin_tells_each_caller_and_writes_nothing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another connection takes the database's write lock just as the group is to begin (the first write's
    commit hook does it): each caller of the group gets the error at once, none is tried again alone (each
    try would wait out the busy timeout again)."""
    ran_on: dict[str, list[int]] = {}
    other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, check_same_thread=False)
    other.isolation_level = None
    written_alone: list[object] = []
    alone = group_commit._alone
    monkeypatch.setattr(group_commit, "_alone", lambda turn: (written_alone.append(turn), alone(turn))[1])
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)  # the writers' new connections

    def lock_the_database() -> None:
        transaction.on_commit(lambda: other.execute("BEGIN IMMEDIATE"))

    try:
        outcomes = write_at_once(
            writer("first", ran_on, fail=lock_the_database), writer("a", ran_on), writer("b", ran_on)
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert isinstance(outcomes[0][0], int) and len(written_alone) == 1  # the first only
    assert all(isinstance(got, DatabaseError) for got, _caller, _seen in outcomes[1:])
    assert stored("first", "a", "b") == ["first"] and "a" not in ran_on and "b" not in ran_on
