"""Benchmark: batch evaluation against only parsing and validating the same input, in one run.

    .venv/bin/python bench/evaluate.py [--cases 100000] [--seed 7] [--policy medicare-lcd] [--repeat 3]

Generates varied synthetic cases (every region, 1-3 levels, both sides, positive / negative /
discordant / pending diaries, second blocks, therapeutic injections, RFA with follow-ups, bad
intervals), serialises them as NDJSON text, then times:

  parse     json.loads + validation into the case model (the floor)
  evaluate  parse + evaluation under the policy + the result document serialised to JSON

and reports cases/s for each and the ratio of evaluation's own cost to the floor. Each pass runs
`--repeat` times; the fastest is reported (the least disturbed by other work on the machine).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

from facetpath.cli import Progress
from facetpath.clinical import JOINTS, evaluate_case, get_policy, parse_case

REGION_JOINTS = {
    region: [j.name for j in JOINTS if j.region.value == region]
    for region in ("cervical", "thoracic", "lumbar")
}
AGENTS = [("lidocaine", 2), ("bupivacaine", 0.5), ("ropivacaine", 0.5)]


def diary(rng: random.Random, pre: int, kind: str) -> list[dict[str, Any]]:
    minutes = [15, 30, 45, 60, 120, 180, 240, 300, 360, 420, 480, 1440, 2880]
    if kind == "positive":
        low, last = 0, rng.choice([120, 240, 360])
    elif kind == "discordant":
        low, last = 1, 30
    else:
        low, last = max(pre - 3, 0), 0
    points = []
    for m in minutes[: rng.randint(6, len(minutes))]:
        pain = (
            rng.randint(low, low + 1)
            if m <= last or kind == "negative"
            else rng.randint(max(pre - 2, 0), pre)
        )
        points.append({"minutes": m, "pain": min(pain, 10)})
    return points


def procedure(
    rng: random.Random, pid: str, day: date, joints: list[str], side: str, kind: str, **extra: Any
) -> dict[str, Any]:
    agent, concentration = rng.choice(AGENTS)
    pre = rng.randint(5, 9)
    doc: dict[str, Any] = {
        "id": pid, "date": day.isoformat(), "type": "mbb", "intent": "diagnostic", "joints": joints, "side": side,
        "guidance": rng.choice(["fluoroscopy"] * 9 + ["ct", "ultrasound"]),
        "sedation": rng.choice(["none"] * 8 + ["moderate", "mac"]),
        "agent": {"name": agent, "concentration_percent": concentration, "volume_ml_per_nerve": 0.5},
        "pre_pain": pre,
    }  # fmt: skip
    if kind != "pending":
        doc["diary"] = diary(rng, pre, kind)
    doc.update(extra)
    return doc


def make_case(rng: random.Random, n: int) -> dict[str, Any]:
    region = rng.choice(["lumbar"] * 6 + ["cervical"] * 3 + ["thoracic"])
    names = REGION_JOINTS[region]
    levels = rng.choice([1, 2, 2, 2, 3])
    start = rng.randrange(0, len(names) - levels + 1)
    joints = names[start : start + levels]
    side = rng.choice(["bilateral", "left", "right"])
    assessed = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 900))
    kinds = ["positive", "positive", "negative", "discordant", "pending"]
    day = assessed + timedelta(days=rng.randint(7, 40))
    procedures = [procedure(rng, "mbb1", day, joints, side, rng.choice(kinds))]
    steps = rng.randint(0, 4)
    for i in range(steps):
        day += timedelta(days=rng.choice([10, 14, 21, 28]))
        choice = rng.random()
        if choice < 0.45:
            procedures.append(procedure(rng, f"mbb{i + 2}", day, joints, side, rng.choice(kinds)))
        elif choice < 0.8:
            follow = [
                {"date": (day + timedelta(days=30 * m)).isoformat(), "pain": rng.randint(1, 6)}
                for m in (1, 3, 6, 9)
            ]
            procedures.append({"id": f"rfa{i}", "date": day.isoformat(), "type": "rfa", "joints": joints, "side": side,
                               "guidance": "fluoroscopy", "sedation": "none", "pre_pain": 7,
                               "rfa": {"technique": rng.choice(["thermal"] * 9 + ["pulsed"]), "temperature_c": 85},
                               "follow_up": follow[: rng.randint(0, 4)]})  # fmt: skip
            day += timedelta(days=rng.choice([120, 200, 400]))
        else:
            procedures.append(procedure(rng, f"ia{i}", day, joints[:1], side, "pending", type="ia", intent="therapeutic",
                                        rfa_unsuitable_reason="pacemaker"))  # fmt: skip
    return {
        "format": "facetpath.case/1",
        "patient": {"id": f"B-{n:06d}", "birth_date": "1960-05-05", "sex": rng.choice(["female", "male"])},
        "assessment": {
            "date": assessed.isoformat(), "region": region, "pain_duration_months": rng.choice([2, 4, 8, 24]),
            "axial_predominant": rng.random() < 0.9, "pain_scale": "NRS-11", "baseline_pain": rng.randint(3, 9),
            "disability": {"instrument": "NDI" if region == "cervical" else "ODI", "score": rng.randint(20, 60)},
            "conservative_care": [{"modality": "physical therapy", "weeks": rng.choice([4, 8, 12]), "failed": rng.random() < 0.95}],
            "untreated_radiculopathy": rng.random() < 0.05, "neurogenic_claudication": False,
            "non_facet_cause": rng.random() < 0.03, "facet_synovial_cyst": False,
        },
        "procedures": procedures,
    }  # fmt: skip


def timed(label: str, lines: list[str], work: Callable[[str], object], repeat: int) -> float:
    best = float("inf")
    for attempt in range(repeat):
        progress = Progress(len(lines)) if sys.stderr.isatty() else None
        gc.collect()
        started = time.perf_counter()
        for line in lines:
            work(line)
            if progress:
                progress.step()
        elapsed = time.perf_counter() - started
        if progress:
            progress.finish()
        best = min(best, elapsed)
        print(f"  {label} pass {attempt + 1}: {elapsed:.2f} s", file=sys.stderr)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--policy", default="medicare-lcd")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    rng = random.Random(options.seed)
    lines = [json.dumps(make_case(rng, n)) for n in range(options.cases)]
    procedures = sum(line.count('"id"') - 1 for line in lines)
    policy = get_policy(options.policy)
    print(f"{options.cases:,} cases, {procedures:,} procedures, policy {policy.name}", file=sys.stderr)

    def parse(line: str) -> object:
        return parse_case(json.loads(line))

    def evaluate(line: str) -> object:
        return json.dumps(evaluate_case(parse_case(json.loads(line)), policy).to_json())

    parse_s = timed("parse", lines, parse, options.repeat)
    full_s = timed("evaluate", lines, evaluate, options.repeat)
    ratio = (full_s - parse_s) / parse_s
    print(
        f"python {sys.version.split()[0]}, {options.cases:,} cases ({procedures:,} procedures), best of {options.repeat}"
    )
    print(f"parse+validate:            {parse_s:6.2f} s  {options.cases / parse_s:10,.0f} cases/s")
    print(f"parse+validate+evaluate:   {full_s:6.2f} s  {options.cases / full_s:10,.0f} cases/s")
    print(f"evaluation alone / parse:  {ratio:6.2f}x  (goal: at most 2x)")


if __name__ == "__main__":
    main()
