"""The `facetpath` command as a user runs it: exit codes, JSON and text, batches, bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from facetpath import cli
from tests.clinical.builders import block, case, cyst, rfa

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "facetpath" / "examples" / "spec-example.json"
DOCUMENTED = json.loads((Path(__file__).parent / "spec-example.evaluation.json").read_text())
FACETPATH = Path(sys.executable).parent / "facetpath"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FACETPATH), *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_the_spec_example_prints_the_documented_result() -> None:
    done = run("evaluate", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == DOCUMENTED


def test_the_spec_example_as_text_says_what_happened_and_what_is_next() -> None:
    done = run("evaluate", str(EXAMPLE), "--format", "text")
    assert done.returncode == 0
    for words in (
        "Response: positive",
        "64493-50-KX x1",
        "MCD-LEVELS",
        "peak 87.5 %",
        "second block at L4-L5, L5-S1 on or after 2025-01-20",
    ):
        assert words in done.stdout


def test_standard_input_is_read_with_a_dash() -> None:
    done = run("evaluate", "-", stdin=EXAMPLE.read_text())
    assert done.returncode == 0 and json.loads(done.stdout) == DOCUMENTED


def test_bad_input_exits_2_with_the_field_named_and_no_traceback() -> None:
    bad = case(block("a", "2025-01-06"), block("b", "2025-01-20", joints=["L6-S1"]))
    done = run("evaluate", "-", stdin=json.dumps(bad))
    assert done.returncode == 2
    assert 'procedures[1].joints[0]: "L6-S1" is not a facet joint' in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["evaluate", "/nonexistent/case.json"], "no such file"),
        (["evaluate", str(EXAMPLE), "--policy", "aetna"], "--policy: unknown policy 'aetna'"),
        (
            ["evaluate", str(EXAMPLE), "--param", "dx_interval_days=two"],
            "--param dx_interval_days: 'two' is not a int",
        ),
        (["evaluate", str(EXAMPLE), "--param", "nonsense=1"], "--param nonsense=1: expected NAME=VALUE"),
        (["plan", "L4-L6", "--side", "left", "--type", "mbb"], 'JOINT: "L4-L6" is not a facet joint'),
        (
            ["plan", "L4-L5", "--side", "left", "--type", "rfa", "--intent", "diagnostic"],
            "always therapeutic",
        ),
        (["policies", "aetna"], "unknown policy"),
    ],
)
def test_each_bad_argument_exits_2_with_a_message(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(args) == 2
    assert fragment in capsys.readouterr().err


def test_argparse_errors_also_exit_2() -> None:
    done = run("plan", "L4-L5", "--side", "up", "--type", "mbb")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_not_json_exits_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("{not json"))
    assert cli.main(["evaluate", "-"]) == 2
    assert "case: not valid JSON" in capsys.readouterr().err


def test_a_policy_parameter_can_be_changed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(json.dumps(case(block("a", "2025-01-06"), block("b", "2025-01-20"))))
    assert cli.main(["evaluate", str(path), "--param", "dx_interval_days=15"]) == 0
    second = json.loads(capsys.readouterr().out)["procedures"][1]
    assert second["meets_criteria"] is False
    assert any(f["rule"] == "MCD-DX2-INTERVAL" and f["severity"] == "deny" for f in second["findings"])


def write_cases(folder: Path, documents: dict[str, Any]) -> None:
    folder.mkdir()
    for name, document in documents.items():
        (folder / name).write_text(document if isinstance(document, str) else json.dumps(document))


def test_a_directory_is_evaluated_as_ndjson_skipping_bad_cases(tmp_path: Path) -> None:
    write_cases(
        tmp_path / "cases",
        {
            "a.json": case(block("a", "2025-01-06")),
            # No relief through the first hour: negative (a diary that stops sooner is pending).
            "b.json": case(
                block("b", "2025-01-06", diary=[{"minutes": 30, "pain": 7}, {"minutes": 60, "pain": 7}])
            ),
            "c.json": "{broken",
            "d.json": case(rfa("r", "2025-01-06")),
            "notes.txt": "not a case",
        },
    )
    done = run("evaluate", str(tmp_path / "cases"))
    assert done.returncode == 2  # a case failed; the rest still ran
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["procedures"][0]["id"] for r in results] == ["a", "b", "r"]
    assert "skipped" in done.stderr and "c.json" in done.stderr
    assert "4 cases: 3 evaluated, 1 failed" in done.stderr
    assert "positive 1" in done.stderr and "negative 1" in done.stderr
    assert "meets criteria 2" in done.stderr and "does not meet criteria 1" in done.stderr


def test_an_ndjson_file_gives_one_result_line_per_case(tmp_path: Path) -> None:
    lines = [json.dumps(case(block(f"p{i}", "2025-01-06"))) for i in range(5)]
    path = tmp_path / "cases.ndjson"
    path.write_text("\n".join(lines) + "\n\n")
    done = run("evaluate", str(path))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 5
    assert "5 cases: 5 evaluated, 0 failed" in done.stderr


def test_ndjson_on_standard_input_is_a_batch_and_names_the_bad_line() -> None:
    good = json.dumps(case(block("a", "2025-01-06")))
    bad = json.dumps(case(block("b", "2025-01-06", side="up")))
    done = run("evaluate", "-", stdin=f"{good}\n{bad}\n{good}\n")
    assert done.returncode == 2
    assert len(done.stdout.splitlines()) == 2
    assert '<stdin>:2: procedures[0].side: "up" is not one of left, right, bilateral' in done.stderr


def test_the_progress_bar_draws_counts_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    bar = cli.Progress(total=4)
    for _ in range(4):
        bar.step()
    bar.finish()
    assert "[" + "#" * 30 + "] 4/4" in err.getvalue()


def test_plan_prints_nerves_and_codes_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "L4-5", "L5/S1", "--side", "bilateral", "--type", "mbb"]) == 0
    text = capsys.readouterr().out
    assert "L5 dorsal ramus" in text and "64494-50-KX x1" in text and "M47.817" in text
    assert cli.main(["plan", "C2-C3", "--side", "left", "--type", "rfa", "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["nerves"][0]["name"] == "third occipital nerve" and plan["codes"][0]["code"] == "64633"


def test_policies_list_every_rule_with_id_citation_and_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["policies", "--format", "json"]) == 0
    policies = json.loads(capsys.readouterr().out)
    assert [p["name"] for p in policies] == ["medicare-lcd", "consensus-2020", "sis"]
    for policy in policies:
        assert policy["rules"] and policy["parameters"]
        assert all(
            rule["id"] and rule["citation"] and rule["severity"] in ("deny", "warn", "info")
            for rule in policy["rules"]
        )
        ids = [rule["id"] for rule in policy["rules"]]
        assert len(ids) == len(set(ids))
    assert cli.main(["policies", "medicare-lcd"]) == 0
    text = capsys.readouterr().out
    assert "MCD-DX2-INTERVAL" in text and "dx_interval_days = 14" in text and "unclear" in text


def test_a_changed_parameter_shows_in_the_listing_and_the_next_step(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert cli.main(["policies", "medicare-lcd", "--param", "repeat_tx_months=1"]) == 0
    listing = capsys.readouterr().out
    assert "at least 50 % relief for at least 1 month after the last" in listing
    assert "repeat_tx_months = 1" in listing
    document = tmp_path / "cyst.json"
    document.write_text(json.dumps(case(cyst("c", "2025-01-06"), facet_synovial_cyst=True)))
    assert cli.main(["evaluate", str(document), "--format", "text", "--param", "repeat_tx_months=1"]) == 0
    assert (
        "Next: follow up: a repeat needs at least 50 % improvement for 1 month\n" in capsys.readouterr().out
    )
    assert cli.main(["policies", "--param", "repeat_tx_months=1"]) != 0


def test_the_safety_screen_lists_its_rules_as_the_policies_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["safety", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert len({rule["id"] for rule in rules}) == len(rules) == 11
    assert all(rule["citation"].startswith("clinical-guidelines §6") for rule in rules)
    assert {rule["severity"] for rule in rules} == {"deny", "warn"}
    pregnancy = next(rule for rule in rules if rule["id"] == "SAFE-PREGNANCY")
    assert (pregnancy["severity"], pregnancy["grade"], pregnancy["confidence"]) == (
        "deny",
        "override",
        "unclear",
    )
    assert cli.main(["safety"]) == 0
    assert "SAFE-FUSION" in capsys.readouterr().out


def test_every_unclear_rule_is_a_warning_never_a_denial() -> None:
    from facetpath.clinical import POLICIES

    for policy_class in POLICIES.values():
        for rule in policy_class().rules.values():
            if rule.confidence == "unclear":
                assert rule.severity != "deny", rule.id
