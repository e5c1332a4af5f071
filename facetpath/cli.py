"""The `facetpath` command.

Exit status: 0 done; 2 bad input (the message names the field); 1 an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from .clinical import (
    DEFAULT_POLICY,
    POLICY_NAMES,
    CaseError,
    JointError,
    Policy,
    UnknownPolicy,
    evaluate_case,
    get_policy,
    load_case_json,
    plan_procedure,
)
from .clinical.findings import ParameterValue
from .clinical.text import (
    evaluation_json,
    evaluation_text,
    plan_text,
    policy_json,
    policy_text,
    safety_json,
    safety_text,
)

WEB_COMMANDS = ("demo", "serve", "manage", "worker")
DATA_COMMANDS = ("audit", "backup", "restore")  # facetpath.datacli
REPORT_COMMANDS = ("report",)  # facetpath.reportcli
FHIR_COMMANDS = ("fhir",)  # facetpath.fhir.cli
EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Input the user must fix; the message says which and how."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in (*WEB_COMMANDS, *DATA_COMMANDS, *REPORT_COMMANDS, *FHIR_COMMANDS):
        return _web(args[0], args[1:])
    parser = _parser()
    options = parser.parse_args(args)
    try:
        return int(options.run(options))
    except BadInput as exc:
        print(f"facetpath: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `facetpath evaluate … | head` is fine
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("FACETPATH_DEBUG"):
            raise
        print(f"facetpath: internal error, please report it: {exc!r}", file=sys.stderr)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="facetpath", description="Facet-joint pathway: evaluate cases, plan procedures, list policies."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    evaluate = commands.add_parser(
        "evaluate", help="evaluate a case file, a directory of them, or an NDJSON file"
    )
    evaluate.add_argument(
        "path",
        metavar="PATH|-",
        help="case JSON file, directory of .json case files, .ndjson file, or - for standard input",
    )
    evaluate.add_argument(
        "--policy",
        default=DEFAULT_POLICY,
        help=f"one of {', '.join(POLICY_NAMES)} (default {DEFAULT_POLICY})",
    )
    evaluate.add_argument("--format", choices=("json", "text"), default="json")
    evaluate.add_argument(
        "--fhir",
        action="store_true",
        help="PATH is a FHIR R4 Bundle (Patient, Procedure, Observation, QuestionnaireResponse): read it as a case",
    )
    evaluate.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change a policy parameter (see `facetpath policies`)",
    )
    evaluate.set_defaults(run=_evaluate)

    plan = commands.add_parser("plan", help="nerves, targets, volumes and codes for a procedure")
    plan.add_argument(
        "joints", nargs="+", metavar="JOINT", help="facet joints, e.g. L4-L5 L5-S1 (L4-5, L4/5 also read)"
    )
    plan.add_argument("--side", required=True, choices=("left", "right", "bilateral"))
    plan.add_argument("--type", required=True, choices=("mbb", "ia", "rfa", "cyst"))
    plan.add_argument(
        "--intent",
        choices=("diagnostic", "therapeutic"),
        default=None,
        help="default: diagnostic for mbb and ia",
    )
    plan.add_argument("--format", choices=("json", "text"), default="text")
    plan.set_defaults(run=_plan)

    policies = commands.add_parser("policies", help="the policies, their rules and parameters")
    policies.add_argument("name", nargs="?", help=f"one of {', '.join(POLICY_NAMES)}; all when omitted")
    policies.add_argument("--format", choices=("json", "text"), default="text")
    policies.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="show the rules as this parameter changes them (needs a policy name)",
    )
    policies.set_defaults(run=_policies)

    safety = commands.add_parser("safety", help="the safety screen's rules (contraindications)")
    safety.add_argument("--format", choices=("json", "text"), default="text")
    safety.set_defaults(run=_safety)

    for name in WEB_COMMANDS:
        commands.add_parser(name, help=f"web application: {name} (see README)")
    commands.add_parser("audit", help="audit verify [--clinic SLUG]: check the audit trail's hash chains")
    commands.add_parser("backup", help="backup --out FILE: the whole database, while it serves")
    commands.add_parser("restore", help="restore FILE [--force]: into an empty data dir")
    commands.add_parser(
        "report", help="report block|prior-auth ID --out FILE.pdf, report blocks --from --to --out FILE.csv"
    )
    commands.add_parser(
        "fhir", help="fhir export --out DIR [--clinic SLUG]: FHIR R4 NDJSON per resource type"
    )
    return parser


_COMMAND_MODULES = {
    **dict.fromkeys(DATA_COMMANDS, "facetpath.datacli"),
    **dict.fromkeys(REPORT_COMMANDS, "facetpath.reportcli"),
    **dict.fromkeys(FHIR_COMMANDS, "facetpath.fhir.cli"),
}


def _web(command: str, argv: list[str]) -> int:
    # Imported only for these commands: the clinical commands must not pay for loading Django.
    try:
        webcli = importlib.import_module(_COMMAND_MODULES.get(command, "facetpath.webcli"))
    except ImportError as exc:
        print(f"facetpath: the web application is not available: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    return int(webcli.main(command, argv))


# --- policies ---------------------------------------------------------------------------------------


def _load_policy(name: str, params: list[str]) -> Policy:
    try:
        policy = get_policy(name)
    except UnknownPolicy as exc:
        raise BadInput(f"--policy: {exc.args[0]}") from None
    overrides = dict(_parse_param(policy, item) for item in params)
    return get_policy(name, overrides) if overrides else policy


def _parse_param(policy: Policy, item: str) -> tuple[str, ParameterValue]:
    name, sep, text = item.partition("=")
    if not sep or name not in policy.parameters:
        known = ", ".join(policy.parameters)
        raise BadInput(f"--param {item}: expected NAME=VALUE with NAME one of {known}")
    default = policy.parameters[name].default
    try:
        return name, _convert(text, default)
    except ValueError:
        raise BadInput(f"--param {name}: {text!r} is not a {type(default).__name__}") from None


def _convert(text: str, like: ParameterValue) -> ParameterValue:
    if isinstance(like, bool):
        if text.lower() not in ("true", "false", "yes", "no", "1", "0"):
            raise ValueError(text)
        return text.lower() in ("true", "yes", "1")
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    if isinstance(like, date):
        return date.fromisoformat(text)
    return text


def _policies(options: argparse.Namespace) -> int:
    if options.param and not options.name:
        raise BadInput("--param: name the policy it belongs to")
    names = [options.name] if options.name else list(POLICY_NAMES)
    policies = [_load_policy(name, options.param) for name in names]
    if options.format == "json":
        docs = [policy_json(p) for p in policies]
        _write_json(docs[0] if options.name else docs)
    else:
        sys.stdout.write("\n".join(policy_text(p) for p in policies))
    return EXIT_OK


def _safety(options: argparse.Namespace) -> int:
    if options.format == "json":
        _write_json(safety_json())
    else:
        sys.stdout.write(safety_text())
    return EXIT_OK


# --- plan -------------------------------------------------------------------------------------------


def _plan(options: argparse.Namespace) -> int:
    if options.type in ("rfa", "cyst") and options.intent == "diagnostic":
        raise BadInput(f"--intent: a {options.type} is always therapeutic")
    try:
        plan = plan_procedure(options.joints, options.side, options.type, options.intent)
    except JointError as exc:
        raise BadInput(f"JOINT: {exc}") from None
    if options.format == "json":
        _write_json(plan.to_json())
    else:
        sys.stdout.write(plan_text(plan))
    return EXIT_OK


# --- evaluate ---------------------------------------------------------------------------------------


def _evaluate(options: argparse.Namespace) -> int:
    policy = _load_policy(options.policy, options.param)
    if options.fhir:
        source = "<stdin>" if options.path == "-" else options.path
        text = sys.stdin.read() if options.path == "-" else _read(Path(options.path))
        return _single(_case_from_bundle(text, source), source, policy, options.format)
    if options.path == "-":
        text = sys.stdin.read()
        if _looks_like_ndjson(text):
            return _batch(_ndjson_lines(text.splitlines(), "<stdin>"), policy, options.format, total=None)
        return _single(text, "<stdin>", policy, options.format)
    path = Path(options.path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
        return _batch(_files(files), policy, options.format, total=len(files))
    if path.suffix in (".ndjson", ".jsonl"):
        total = _count_lines(path)
        return _batch(_ndjson_file(path), policy, options.format, total=total)
    return _single(_read(path), str(path), policy, options.format)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file or directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read: {exc}") from None


def _single(text: str, source: str, policy: Policy, fmt: str) -> int:
    try:
        case = load_case_json(text)
    except CaseError as exc:
        raise BadInput(f"{source}: invalid case:\n  " + "\n  ".join(exc.errors)) from None
    evaluation = evaluate_case(case, policy)
    if fmt == "json":
        sys.stdout.write(evaluation_json(evaluation))
    else:
        sys.stdout.write(evaluation_text(evaluation, policy))
    return EXIT_OK


def _case_from_bundle(text: str, source: str) -> str:
    """The case a FHIR Bundle describes, as JSON text; bad input names the resource and element."""
    from .fhir.imports import BundleError, case_from_bundle  # no Django: the case reader is pure

    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{source}: not JSON: {exc}") from None
    try:
        return json.dumps(case_from_bundle(bundle))
    except BundleError as exc:
        problems = "\n  ".join(str(problem) for problem in exc.problems)
        raise BadInput(f"{source}: cannot map the Bundle to a case:\n  {problems}") from None


def _write_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _looks_like_ndjson(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.msg == "Extra data"
    return False


Item = tuple[str, str]  # (where it came from, the JSON text)


def _files(files: list[Path]) -> Iterator[Item]:
    for path in files:
        try:
            yield str(path), path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            yield str(path), f"\0cannot read: {exc}"


def _ndjson_file(path: Path) -> Iterator[Item]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from _ndjson_lines(handle, str(path))
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file or directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read: {exc}") from None


def _ndjson_lines(lines: Iterator[str] | list[str] | TextIO, source: str) -> Iterator[Item]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield f"{source}:{number}", line


def _count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return None


@dataclass
class BatchSummary:
    cases: int = 0
    failed: int = 0
    responses: Counter[str] = field(default_factory=Counter)
    decisions: Counter[str] = field(default_factory=Counter)
    candidates: Counter[str] = field(default_factory=Counter)

    def add(self, payload: dict[str, object]) -> None:
        self.cases += 1
        self.candidates["candidate" if payload["candidate"] else "not a candidate"] += 1
        for procedure in payload["procedures"]:  # type: ignore[attr-defined]
            self.responses[procedure["response"]] += 1
            self.decisions["meets criteria" if procedure["meets_criteria"] else "does not meet criteria"] += 1

    def text(self, seconds: float) -> str:
        def counts(counter: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in counter.most_common()) or "none"

        rate = self.cases / seconds if seconds > 0 else 0.0
        return (
            f"{self.cases + self.failed} cases: {self.cases} evaluated, {self.failed} failed ({seconds:.1f} s, {rate:,.0f} cases/s)\n"
            f"  patients: {counts(self.candidates)}\n"
            f"  procedure responses: {counts(self.responses)}\n"
            f"  procedure decisions: {counts(self.decisions)}\n"
        )


def _batch(items: Iterator[Item], policy: Policy, fmt: str, total: int | None) -> int:
    summary = BatchSummary()
    progress = Progress(total) if sys.stderr.isatty() else None
    started = time.perf_counter()
    out = sys.stdout
    for source, text in items:
        try:
            if text.startswith("\0"):
                raise CaseError([f"case: {text[1:]}"])
            evaluation = evaluate_case(load_case_json(text), policy)
        except CaseError as exc:
            summary.failed += 1
            _report_failure(progress, f"{source}: " + "; ".join(exc.errors))
        else:
            payload = evaluation.to_json()
            summary.add(payload)
            out.write(
                evaluation_text(evaluation, policy) + "\n"
                if fmt == "text"
                else json.dumps(payload, ensure_ascii=False) + "\n"
            )
        if progress:
            progress.step()
    if progress:
        progress.finish()
    out.flush()
    sys.stderr.write(summary.text(time.perf_counter() - started))
    return EXIT_BAD_INPUT if summary.failed else EXIT_OK


def _report_failure(progress: Progress | None, message: str) -> None:
    if progress:
        progress.clear()
    print(f"facetpath: skipped {message}", file=sys.stderr)


class Progress:
    """A one-line progress bar on standard error, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, total: int | None) -> None:
        self.total, self.done = total, 0
        self.started = self.drawn = time.perf_counter()

    def step(self) -> None:
        self.done += 1
        now = time.perf_counter()
        if now - self.drawn >= 0.1:
            self.drawn = now
            self.draw(now)

    def draw(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        if self.total:
            filled = int(self.WIDTH * self.done / self.total)
            left = (self.total - self.done) / rate if rate else 0
            line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done:,}/{self.total:,} {rate:,.0f}/s, {left:.0f} s left"
        else:
            line = f"{self.done:,} cases, {rate:,.0f}/s"
        sys.stderr.write("\r" + line + "\033[K")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\033[K")

    def finish(self) -> None:
        self.draw(time.perf_counter())
        sys.stderr.write("\n")


if __name__ == "__main__":
    sys.exit(main())
