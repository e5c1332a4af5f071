"""Benchmark: the clinic workspace's worklist and patient page against a bare Django page, same server, same run.

    .venv/bin/python bench/workspace.py [--patients 10000] [--rounds 300] [--data-dir DIR] [--keep] [--reuse]

1. Builds a clinic in a fresh SQLite database (or DATABASE_URL's PostgreSQL, emptied first, only with
   --reset-database):
   10,000 patients, each with an assessment and 5 procedures (50,000), each procedure with 10 diary
   scores (500,000); 20 of the blocks are today's, at any size. Stages are assigned in a fixed mix for the worklist's sections (the benchmark times
   pages, not the clinical core, which bench/evaluate.py measures).
2. Starts `facetpath serve` (granian, WSGI, one worker) on a free local port.
3. Signs in, then requests the three pages round-robin over one keep-alive connection:
     bare      /healthz: the full middleware stack, no template, no query of its own (the floor)
     worklist  /staff/ : today's procedures, diaries running and ready, second blocks due, RFA due, overdue
     patient   /staff/patients/<id>/ : a patient with 5 procedures and 50 diary scores, evaluated by the core
4. Reports p50 and p95 latency, the ratio to the bare page, and each page's query count (counted in-process
   with Django's test client against the same database).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STAGE_MIX = (
    ("awaiting-block", 10), ("diary-running", 5), ("ready-for-review", 5), ("second-block-due", 10),
    ("negative", 10), ("discordant", 5), ("rfa-due", 10), ("rfa-done", 30), ("repeat-rfa-due", 5),
    ("not-candidate", 10),
)  # fmt: skip
# A day's list is set by the clinic's rooms and hours, not by the size of its register: the same number of
# blocks today at every --patients, so that 1,000 and 30,000 patients print the same lines and the figures
# compare the cost of a larger register alone. (Until issue 13 every 500th patient had a block today: 2
# lines at 1,000 patients, 60 at 30,000.)
TODAY_BLOCKS = 20
DIARY = ((15, 2), (30, 1), (60, 1), (120, 1), (180, 3), (240, 5), (300, 6), (360, 7), (420, 8), (480, 8))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--procedures-per-patient", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=300, help="requests per page")
    parser.add_argument("--data-dir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --data-dir: time the clinic built there by an earlier --keep run",
    )
    parser.add_argument(
        "--reset-database", action="store_true", help="with DATABASE_URL: allow emptying that database first"
    )
    return parser.parse_args()


def setup_django(data_dir: Path, reset_database: bool = False, reuse: bool = False) -> None:
    os.environ["FACETPATH_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "facetpath.settings"
    os.environ["FACETPATH_SECURE_COOKIES"] = "0"
    os.environ["FACETPATH_ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ.setdefault("FACETPATH_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    if os.environ.get("DATABASE_URL") and not reuse:
        if not reset_database:
            raise SystemExit(
                "DATABASE_URL is set: pass --reset-database to let the benchmark empty that database"
            )
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def build(patients: int, per_patient: int) -> tuple[Any, Any, int]:
    """The clinic, a physician and the id of a patient with the full history; bulk inserts throughout."""
    from django.contrib.auth.models import User

    from facetpath.clinics.models import Clinic, Membership
    from facetpath.patients.models import Assessment, Patient
    from facetpath.procedures.models import DiaryScore, Procedure

    clinic = Clinic.objects.create(name="Bench clinic", time_zone="UTC")
    physician = User.objects.create_user("bench.physician", password="bench-password-123")
    Membership.objects.create(user=physician, clinic=clinic, role="physician")
    today = clinic.today()
    rng = random.Random(11)
    stages = [stage for stage, weight in STAGE_MIX for _ in range(weight)]
    Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic, mrn=f"B-{i:06d}", given_name=f"Given{i}", family_name=f"Family{i % 997}",
                birth_date=date(1940 + i % 50, 1 + i % 12, 1 + i % 28), sex=("female", "male")[i % 2],
                stage=stages[i % len(stages)], next_step="bench",
                follow_up_due=today - timedelta(days=rng.randint(-200, 60)) if i % 3 == 0 else None,
            )
            for i in range(patients)
        ],
        batch_size=2000,
    )  # fmt: skip
    ids = list(Patient.objects.filter(clinic=clinic).order_by("id").values_list("id", flat=True))
    Assessment.objects.bulk_create(
        [
            Assessment(
                patient_id=pid, date=today - timedelta(days=400), region="lumbar", pain_duration_months=9,
                axial_predominant=True, pain_scale="NRS-11", baseline_pain=8, disability_instrument="ODI",
                disability_score=44, conservative_care=[{"modality": "physical therapy", "weeks": 10, "failed": True}],
            )
            for pid in ids
        ],
        batch_size=2000,
    )  # fmt: skip
    procedures = []
    every = max(1, len(ids) // TODAY_BLOCKS)
    for n, pid in enumerate(ids):
        for k in range(per_patient):
            today_block = n % every == 0 and n // every < TODAY_BLOCKS and k == per_patient - 1
            days_ago = 0 if today_block else 380 - k * 60 - n % 7
            procedures.append(
                Procedure(
                    patient_id=pid, date=today - timedelta(days=days_ago), type="mbb", intent="diagnostic",
                    joints=["L4-L5", "L5-S1"], side="bilateral", guidance="fluoroscopy", sedation="none",
                    agent_name="lidocaine", agent_concentration_percent=2, agent_volume_ml_per_nerve=0.5,
                    pre_pain=8, status="done",
                )
            )  # fmt: skip
    Procedure.objects.bulk_create(procedures, batch_size=2000)
    procedure_ids = Procedure.objects.filter(patient__clinic=clinic).values_list("id", flat=True).iterator()
    batch: list[DiaryScore] = []
    for procedure_id in procedure_ids:
        batch.extend(DiaryScore(procedure_id=procedure_id, minutes=m, pain=p) for m, p in DIARY)
        if len(batch) >= 20_000:
            DiaryScore.objects.bulk_create(batch)
            batch = []
    DiaryScore.objects.bulk_create(batch)
    _prior_auth(clinic, ids, today)
    from django.db import connection

    if connection.vendor == "postgresql":
        # A running PostgreSQL has planner statistics from autovacuum; a freshly bulk-loaded one has none yet.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return clinic, physician, ids[len(ids) // 2]


# Prior authorization: every patient has a coverage (one in four Original Medicare at an on-campus hospital
# department), one in ten a request (waiting, or decided at any point of the last 200 days), and a fixed
# schedule of planned RFAs for Medicare patients in the coming weeks (a clinic's list, not its register).
PLANNED_RFAS = 30


def _prior_auth(clinic: Any, ids: list[int], today: date) -> None:
    from facetpath.priorauth.models import Coverage, Request
    from facetpath.procedures.models import Procedure

    Coverage.objects.bulk_create(
        [Coverage(patient_id=pid, payer=("medicare", "commercial", "medicare-advantage", "medicaid")[n % 4],
                  place_of_service="22") for n, pid in enumerate(ids)],
        batch_size=2000,
    )  # fmt: skip
    medicare = ids[::4]
    step = max(1, len(medicare) // PLANNED_RFAS)
    Procedure.objects.bulk_create(
        [Procedure(patient_id=pid, date=today + timedelta(days=1 + n % 28), type="rfa", joints=["L4-L5", "L5-S1"],
                   side="bilateral", status="planned", rfa_technique="thermal")
         for n, pid in enumerate(medicare[::step][:PLANNED_RFAS])],
    )  # fmt: skip
    requests = []
    for n, pid in enumerate(ids[::10]):
        decided = today - timedelta(days=n % 200) if n % 3 else None
        requests.append(
            Request(clinic=clinic, patient_id=pid, date_of_service=today + timedelta(days=n % 40),
                    codes=["64635", "64636"], payer="medicare", place_of_service="22",
                    sent_on=(decided or today) - timedelta(days=n % 12), decided_on=decided,
                    state="affirmed" if decided else "waiting", utn=f"U{n}" if decided else "")
        )  # fmt: skip
    Request.objects.bulk_create(requests, batch_size=2000)


def built() -> tuple[Any, Any, int]:
    """The clinic an earlier run built (--reuse), found as build() returns it."""
    from django.contrib.auth.models import User

    from facetpath.clinics.models import Clinic

    clinic = Clinic.objects.get(name="Bench clinic")
    ids = list(clinic.patients.order_by("id").values_list("id", flat=True))
    return clinic, User.objects.get(username="bench.physician"), ids[len(ids) // 2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-c",
        f"import sys; from facetpath.webcli import main; sys.exit(main('serve', ['--port', '{port}']))",
    ]
    server = subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 30 s")


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def query_counts(user: Any, paths: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        counts[name] = len(captured)
    return counts


def time_pages(port: int, cookie: str, paths: dict[str, str], rounds: int) -> dict[str, list[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}
    timings: dict[str, list[float]] = {name: [] for name in paths}
    for round_number in range(rounds + 10):
        for name, path in paths.items():
            start = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
            if round_number >= 10:  # the first rounds warm caches and the connection pool
                timings[name].append(elapsed * 1000)
    connection.close()
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> int:
    args = arguments()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="facetpath-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_django(data_dir, args.reset_database, args.reuse)
    started = time.perf_counter()
    if args.reuse:
        clinic, physician, patient_id = built()
    else:
        clinic, physician, patient_id = build(args.patients, args.procedures_per_patient)
    from facetpath.procedures.models import DiaryScore, Procedure

    print(
        f"built {clinic.patients.count():,} patients, {Procedure.objects.count():,} procedures, "
        f"{DiaryScore.objects.count():,} diary scores in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    paths = {"bare": "/healthz", "worklist": "/staff/", "patient": f"/staff/patients/{patient_id}/"}
    counts = query_counts(physician, paths)
    port = free_port()
    server = start_server(port)
    try:
        timings = time_pages(port, session_cookie(physician), paths, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    floor = p95(timings["bare"])
    print("\n| page | requests | p50 ms | p95 ms | p95 / bare | queries |\n|---|---|---|---|---|---|")
    for name, values in timings.items():
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {p95(values):.1f} | "
            f"{p95(values) / floor:.1f}x | {counts[name]} |"
        )
    if not args.keep and args.data_dir is None:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
