"""Benchmark: the JSON API's answers against a bare Django page, same server, same run.

    .venv/bin/python bench/api.py [--patients 1000] [--rounds 200] [--data-dir DIR]

Builds the workspace benchmark's clinic (bench/workspace.py: patients, each with an assessment and 5
procedures with 10 diary scores), makes a read token, starts `facetpath serve` (granian, one worker) and
requests, round-robin over one keep-alive connection:

    bare         /healthz: the full middleware stack, no query of its own (the floor)
    procedures   GET /api/v1/procedures?limit=50: a page of 50 procedures, one audit row per patient on it
    patient      GET /api/v1/patients/<id>: one record, one audit row
    evaluation   GET /api/v1/patients/<id>/evaluation: the record evaluated by the core (cached by case text)
    evaluate     POST /api/v1/evaluate with the spec's example case: parse, evaluate, print as the CLI does

Reports p50 and p95 latency and the p95's ratio to the bare page. The token's throttle is lifted for the run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import workspace  # noqa: E402  (the clinic, the server and the floor come from the workspace benchmark)

EXAMPLE = BENCH.parent / "facetpath" / "examples" / "spec-example.json"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--patients", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--data-dir", type=Path, help="default: a new temporary folder")
    return parser.parse_args()


def time_requests(
    port: int, secret: str, requests: dict[str, tuple[str, str, bytes | None]], rounds: int
) -> dict[str, list[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {secret}", "Host": "127.0.0.1", "Content-Type": "application/json"}
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for round_number in range(rounds + 10):
        for name, (method, path, body) in requests.items():
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                raise SystemExit(f"{method} {path}: HTTP {response.status}")
            if round_number >= 10:  # the first rounds warm caches and the connection pool
                timings[name].append(elapsed * 1000)
    connection.close()
    return timings


def main() -> int:
    args = arguments()
    os.environ["FACETPATH_API_REQUESTS_PER_MINUTE"] = "100000000"
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="facetpath-bench-api-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    workspace.setup_django(data_dir)
    clinic, _physician, patient_id = workspace.build(args.patients, 5)
    from facetpath.clinics.api_tokens import make_api_token

    _token, secret = make_api_token(clinic, "bench", "read")
    requests = {
        "bare": ("GET", "/healthz", None),
        "procedures": ("GET", "/api/v1/procedures?limit=50", None),
        "patient": ("GET", f"/api/v1/patients/{patient_id}", None),
        "evaluation": ("GET", f"/api/v1/patients/{patient_id}/evaluation", None),
        "evaluate": ("POST", "/api/v1/evaluate", EXAMPLE.read_bytes()),
    }
    port = workspace.free_port()
    server = workspace.start_server(port)
    try:
        timings = time_requests(port, secret, requests, args.rounds)
    finally:
        server.terminate()
        server.wait(timeout=10)
    floor = workspace.p95(timings["bare"])
    print(
        f"\n{args.patients:,} patients\n\n| request | requests | p50 ms | p95 ms | p95 / bare |\n|---|---|---|---|---|"
    )
    for name, values in timings.items():
        p95 = workspace.p95(values)
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {p95:.1f} | {p95 / floor:.1f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
