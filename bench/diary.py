"""Benchmark: diary submissions through the full path against a bare view inserting one row, same server.

    .venv/bin/python bench/diary.py [--diaries 400] [--requests 1000] [--rounds 3] [--concurrency 8] [--keep]

1. Builds a fresh SQLite database (or DATABASE_URL's PostgreSQL, emptied first, only with --reset-database)
   with one clinic and `--diaries` patients, each with today's diagnostic block and a started diary (13 times,
   SMS consent, so every answer also cancels a queued reminder).
2. Starts `facetpath serve` (granian, WSGI, one worker) on a free local port, with one extra URL:
     bare   POST /bench/bare/ : middleware stack, then one INSERT (an audit row), "ok"  (the floor)
     diary  POST /d/<token>/entry/ (JSON): token check, form validation, and in one transaction under
            the diary's lock (diary.actions.record_answer): binding to a time's window (an answer before
            the next window is sent confirmed, so it is kept as an extra point), INSERT entry, its score
            at the true minute, reminder cancellation, the patient's stage recomputed, audit row; JSON answer
3. A second process sends `--requests` of each per round, `--concurrency` keep-alive connections at once,
   bare then diary, `--rounds` times after a warm-up: alternating, so that a slower spell of a shared
   machine falls on both paths. 10 % of diary requests are retries of an answer already stored.
4. Reports requests/s of each per round and over all rounds, the ratio, and each path's wait for its
   answer (median, 99th percentile, longest), then checks that the database holds exactly one entry per
   distinct key (nothing lost, nothing duplicated) and that every retry got the stored entry back.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_SETTINGS = """from facetpath.settings import *  # noqa: F403
ROOT_URLCONF = "diary_bench_urls"
"""
BENCH_URLS = """from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from facetpath.audit.models import AuditEvent
from facetpath.urls import urlpatterns as facetpath_urls


@csrf_exempt
@login_not_required
def bare(request):
    AuditEvent.objects.create(username="bench", action="bench", path=request.path)
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *facetpath_urls]
"""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--diaries", type=int, default=400)
    parser.add_argument("--requests", type=int, default=1000, help="requests per path per round (1000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    parser.add_argument("--reset-database", action="store_true", help="with DATABASE_URL: empty it first")
    return parser.parse_args()


def build(args: argparse.Namespace, data_dir: Path) -> list[str]:
    """Migrates and fills the database in this process; returns the diary tokens."""
    os.environ["FACETPATH_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "facetpath.settings")
    if os.environ.get("DATABASE_URL") and not args.reset_database:
        sys.exit("bench/diary.py: with DATABASE_URL, pass --reset-database (it empties that database)")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    if os.environ.get("DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    from facetpath.clinics.models import Clinic
    from facetpath.diary import actions
    from facetpath.diary.models import DiarySettings
    from facetpath.patients.models import Assessment, Patient
    from facetpath.procedures.models import Procedure

    clinic = Clinic.objects.create(name="Bench Clinic", time_zone="UTC", phone="555-0100")
    DiarySettings.for_clinic(clinic)
    DiarySettings.objects.filter(clinic=clinic).update(quiet_start="00:00", quiet_end="00:00")
    ended = (timezone.now() - timedelta(minutes=10)).time().replace(microsecond=0)
    tokens = []
    for n in range(args.diaries):
        patient = Patient.objects.create(
            clinic=clinic, mrn=f"B-{n}", given_name="Bench", family_name=f"Patient {n}", sex="female",
            phone="+15550100", sms_consent=True,
        )  # fmt: skip
        Assessment.objects.create(
            patient=patient, date=clinic.today() - timedelta(days=30), region="lumbar", index_pain="low back",
            pain_duration_months=6, axial_predominant=True, pain_scale="NRS-11", baseline_pain=8,
            conservative_care=[{"modality": "physical therapy", "weeks": 8, "failed": True}],
        )  # fmt: skip
        block = Procedure.objects.create(
            patient=patient, date=clinic.today(), type="mbb", intent="diagnostic", joints=["L4-L5"],
            side="bilateral", agent_name="lidocaine", agent_concentration_percent=2,
            agent_volume_ml_per_nerve=0.5, pre_pain=8, status="done", end_time=ended,
        )  # fmt: skip
        _diary, token = actions.start_diary(block, None)
        tokens.append(token)
    return tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    (data_dir / "diary_bench_settings.py").write_text(BENCH_SETTINGS)
    (data_dir / "diary_bench_urls.py").write_text(BENCH_URLS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "diary_bench_settings",
        "PYTHONPATH": f"{data_dir}{os.pathsep}{ROOT}",
        "FACETPATH_DATA_DIR": str(data_dir),
        "FACETPATH_SECURE_COOKIES": "0",
    }
    command = [
        sys.executable,
        "-c",
        "import sys; from facetpath.webcli import main; sys.exit(main('serve', sys.argv[1:]))",
    ]
    log = (data_dir / "server.log").open("wb")  # kept with --keep: the server's errors, if any
    server = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("bench/diary.py: the server did not start")


def load(port: int, tokens: list[str], requests: int, rounds_wanted: int, concurrency: int, out: Any) -> None:
    """Runs in a second process: bare then diary, `rounds_wanted` times; puts the figures on `out`."""

    resent = [0]

    def run(jobs: list[tuple[str, dict[str, str]]], answers: list[Any]) -> float:
        lock = threading.Lock()
        position = [0]

        def worker() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    if position[0] >= len(jobs):
                        break
                    index = position[0]
                    position[0] += 1
                path, form = jobs[index]
                body = urlencode(form)
                headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
                sent = time.perf_counter()
                for attempt in range(3):
                    try:
                        connection.request("POST", path, body, headers)
                        response = connection.getresponse()
                        answers[index] = (response.status, response.read(), time.perf_counter() - sent)
                        break
                    except (http.client.HTTPException, OSError):
                        # The server closed a kept-alive connection: send again, as a phone would (the
                        # entry's key makes that safe); counted, so that the report shows it.
                        connection.close()
                        with lock:
                            resent[0] += 1
                        if attempt == 2:
                            answers[index] = (0, b"no answer after 3 tries", time.perf_counter() - sent)
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    rng = random.Random(7)
    run([("/bench/bare/", {"n": str(i)}) for i in range(50)], [None] * 50)  # warm-up
    rounds, diary = [], []
    waits: dict[str, list[float]] = {"bare": [], "diary": []}  # each request's time to its answer
    for round_ in range(rounds_wanted):
        bare_jobs = [("/bench/bare/", {"n": str(i)}) for i in range(requests)]
        bare_answers: list[Any] = [None] * requests
        bare_seconds = run(bare_jobs, bare_answers)
        fresh = int(requests * 0.9)
        first = round_ * fresh
        diary_jobs = [
            (
                f"/d/{tokens[(first + i) % len(tokens)]}/entry/",
                {"key": f"bench-key-{first + i:08d}", "pain": str(rng.randint(0, 10)), "confirm_early": "on"},
            )
            for i in range(fresh)
        ]
        # Retries of answers sent earlier in the round (a phone that did not see the first reply).
        diary_jobs += [diary_jobs[rng.randrange(fresh // 2)] for _ in range(requests - fresh)]
        diary_answers: list[Any] = [None] * len(diary_jobs)
        diary_seconds = run(diary_jobs, diary_answers)
        rounds.append(
            {
                "bare_seconds": bare_seconds,
                "bare_ok": sum(1 for status, _, _ in bare_answers if status == 200),
                "diary_seconds": diary_seconds,
            }
        )
        diary += [
            (path, form["key"], status, text.decode())
            for (path, form), (status, text, _) in zip(diary_jobs, diary_answers, strict=True)
        ]
        waits["bare"] += [seconds for _, _, seconds in bare_answers]
        waits["diary"] += [seconds for _, _, seconds in diary_answers]
    out.put({"rounds": rounds, "diary": diary, "resent": resent[0], "waits": waits})


def main() -> int:
    args = arguments()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="facetpath-diary-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"building {args.diaries} diaries in {data_dir} …", flush=True)
    tokens = build(args, data_dir)
    port = free_port()
    server = serve(data_dir, port)
    try:
        queue: Any = multiprocessing.get_context("spawn").Queue()
        client = multiprocessing.get_context("spawn").Process(
            target=load, args=(port, tokens, args.requests, args.rounds, args.concurrency, queue)
        )
        client.start()
        result = None
        while result is None:
            try:
                result = queue.get(timeout=5)
            except Empty:
                if not client.is_alive():
                    sys.exit(f"bench/diary.py: the load process died (exit {client.exitcode})")
        client.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(result, args)
    if not args.keep and args.data_dir is None:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    from facetpath.diary.models import Entry

    first_answer: dict[str, int] = {}
    problems = []
    for _path, key, status, text in result["diary"]:
        if status != 200:
            problems.append(f"{key}: HTTP {status}")
            continue
        answer = json.loads(text)
        if key in first_answer and answer.get("entry") != first_answer[key]:
            problems.append(f"{key}: a retry got entry {answer.get('entry')}, not {first_answer[key]}")
        first_answer.setdefault(key, answer.get("entry"))
    stored = Entry.objects.filter(idempotency_key__startswith="bench-key-")
    keys = set(stored.values_list("idempotency_key", flat=True))
    if stored.count() != len(keys) or keys != set(first_answer):
        problems.append(f"stored {stored.count()} entries for {len(keys)} keys; {len(first_answer)} answered")
    for n, round_ in enumerate(result["rounds"], 1):
        bare_rate = args.requests / round_["bare_seconds"]
        diary_rate = args.requests / round_["diary_seconds"]
        print(
            f"round {n}  bare {bare_rate:,.0f} req/s ({round_['bare_ok']} ok)  diary {diary_rate:,.0f} req/s"
            f"  ratio {diary_rate / bare_rate:.2f}"
        )
    sent = args.requests * len(result["rounds"])
    bare_seconds = sum(round_["bare_seconds"] for round_ in result["rounds"])
    diary_seconds = sum(round_["diary_seconds"] for round_ in result["rounds"])
    print(f"bare   {sent} POSTs in {bare_seconds:.2f} s: {sent / bare_seconds:,.0f} req/s")
    print(f"diary  {sent} POSTs in {diary_seconds:.2f} s: {sent / diary_seconds:,.0f} req/s")
    if result["resent"]:
        print(f"resent {result['resent']} requests after the server closed a connection")
    print(f"ratio  diary / bare = {bare_seconds / diary_seconds:.2f}  (goal >= 0.3, issue 13)")
    for path, seconds in result["waits"].items():
        ordered = sorted(seconds)
        p50, p99 = (ordered[int(len(ordered) * q)] * 1000 for q in (0.5, 0.99))
        print(f"wait   {path:5}  p50 {p50:.1f} ms  p99 {p99:.1f} ms  max {ordered[-1] * 1000:.1f} ms")
    print(
        f"check  {len(keys)} entries for {len(first_answer)} distinct keys: "
        + ("OK" if not problems else "PROBLEMS")
    )
    for line in problems[:10]:
        print("   ", line)


if __name__ == "__main__":
    sys.exit(main())
