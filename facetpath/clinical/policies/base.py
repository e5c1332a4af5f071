"""The policy plug-in contract and the machinery every policy shares.

A policy is a class with a stable `name`, a `version`, its `rules` (each with a stable ID, citation,
confidence and severity) and `parameters` (named settings; unclear rules live here and report `warn`).
The engine (`evaluate.evaluate_case`) asks it, procedure by procedure in date order:

1. `assess_patient`: the patient-selection findings (a `deny` makes the patient no candidate);
2. `response`: positive / negative / discordant / placebo / pending / n/a for one procedure;
3. `procedure_findings`: every rule of the policy applied to the procedure in the light of its history;
4. `next_step`: one plain sentence on what follows.

Roles, relief, session levels, caps and codes are computed here, once, for all policies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from string import Formatter
from typing import Any, ClassVar

from ..agents import AGENTS, Acting, steroid_is_particulate
from ..anatomy import BillingRegion, Region, volume_advice
from ..case import Assessment, Case, Procedure
from ..coding import CodingNote, SessionCoding, code_procedure, level_groups
from ..dates import add_months
from ..diary_times import SHORTEST_NEGATIVE_DIARY_MINUTES
from ..findings import Confidence, Finding, Parameter, ParameterValue, Rule, Severity
from ..relief import Exact, ReliefRun, SustainedRelief, exact, peak_relief, relief_run, sustained_relief
from ..results import Action, NextStep, ProcedureResult
from ..scales import NRS_11, rescale_pain

C, L, U, F = Confidence.CERTAIN, Confidence.LIKELY, Confidence.UNCLEAR, Confidence.CONVENTION
DENY, WARN, INFO = Severity.DENY, Severity.WARN, Severity.INFO

GUIDELINES = "clinical-guidelines.md"
LCD = "medicare-lcd.md"

# Rules every policy applies: safety and documentation checks that do not depend on a payer.
COMMON_RULES: tuple[Rule, ...] = (
    Rule("GEN-REGION", "the procedure's joints lie outside the assessed region", "case-format.md §1", F, WARN),
    Rule("GEN-DATE", "the procedure is dated before the assessment", "case-format.md §1", F, WARN),
    Rule("GEN-NO-PRE-PAIN", "no same-day pre-procedure score: relief cannot be measured",
         f"case-format.md derived quantities; {LCD} R7, OQ19", C, WARN),
    Rule("GEN-LOW-PRE-PAIN", "too little pain on the day of a diagnostic block to judge relief",
         f"{GUIDELINES} §2.12, §6.6", C, WARN),
    Rule("GEN-DIARY-OPEN", "the diary ended while relief was still at the threshold", f"{GUIDELINES} §2.15", F, WARN),
    Rule("GEN-DIARY-SHORT", "the diary stops too soon after the block to call it negative",
         f"{GUIDELINES} §2.9, §2.15", F, WARN),
    Rule("GEN-STEROID-DIAGNOSTIC", "steroid in a diagnostic block", f"{GUIDELINES} §4.4; {LCD} R60, R61", C, WARN),
    Rule("GEN-STEROID-CERVICAL", "particulate steroid near the cervical vertebral artery", f"{GUIDELINES} §4.7", L, WARN),
    Rule("GEN-VOLUME", "more volume per nerve than advised for the region", f"{GUIDELINES} §1.9, §1.27, §3.5", C, WARN),
    Rule("GEN-THORACIC", "thoracic targets rest on convention, not settled anatomy", f"{GUIDELINES} §3.2, §2.17", C, INFO),
    Rule("CODE-UNLISTED", "no facet code fits: reported as unlisted 64999", f"{LCD} §4.2, R33, R37", L, WARN),
    Rule("CODE-ULTRASOUND", "ultrasound-guided facet injection codes 0213T-0218T", f"{LCD} §4.2", U, WARN),
    Rule("CODE-BUNDLED", "an IA injection and an MBB at one joint in one session are one level", f"{LCD} R56", C, INFO),
    Rule("CODE-CYST", "no settled code for facet cyst aspiration or rupture", f"{LCD} R33, OQ13", U, WARN),
)  # fmt: skip

COMMON_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("moderate_pain_nrs", 4, "lowest NRS-11 score read as moderate pain (VAS-100: ten times this)",
              f"{LCD} OQ2; {GUIDELINES} §2.12", U),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Context:
    """What a policy may look at when judging one procedure: the case and everything evaluated before it."""

    case: Case
    gate: tuple[Finding, ...]  # the patient-selection findings
    prior: tuple[ProcedureResult, ...]  # earlier procedures, in date order
    session: tuple[Procedure, ...]  # every procedure of the case on this date, this one included
    on: date  # the date being judged: nothing recorded after it counts

    @property
    def assessment(self) -> Assessment:
        return self.case.assessment

    @property
    def candidate(self) -> bool:
        return not any(finding.severity is Severity.DENY for finding in self.gate)

    def at_site(self, site: tuple[str, str]) -> Iterator[ProcedureResult]:
        """Earlier procedures at a (joint, side), newest first."""
        return (r for r in reversed(self.prior) if site in r.procedure.sites)

    def diagnostic_blocks_since_rfa(self, site: tuple[str, str]) -> list[ProcedureResult]:
        """Diagnostic blocks at a site after its latest RFA, newest first."""
        blocks: list[ProcedureResult] = []
        for result in self.at_site(site):
            if result.procedure.type == "rfa":
                break
            if result.procedure.is_diagnostic_block:
                blocks.append(result)
        return blocks

    def sustained(
        self, earlier: ProcedureResult, threshold: Exact, strict: bool = False
    ) -> SustainedRelief | None:
        """Sustained relief after an earlier procedure, from the follow-ups known on this date."""
        return sustained_relief(earlier.procedure, self.assessment, threshold, strict, as_of=self.on)

    def latest(self, site: tuple[str, str], kind: str, intent: str | None = None) -> ProcedureResult | None:
        return next(
            (
                r
                for r in self.at_site(site)
                if r.procedure.type == kind and (intent is None or r.procedure.intent == intent)
            ),
            None,
        )


def billing_regions(procedure: Procedure, t12_l1_region: str) -> set[str]:
    regions = set()
    for joint in procedure.joints:
        regions.add(t12_l1_region if joint.name == "T12-L1" else joint.billing_region.value)
    return regions


def category(procedure: Procedure) -> str:
    """What a session counts as for frequency caps: diagnostic, therapeutic, rfa or cyst."""
    if procedure.type in ("rfa", "cyst"):
        return procedure.type
    return procedure.intent


DIARY_STEP = NextStep(
    Action.RECORD_DIARY, "record the pain diary: the usual pain before the block and at each time after it"
)


def count_text(count: Exact | float, unit: str) -> str:
    """`1 month`, `3 months`, `1.5 hours`: a number a parameter set, with its unit in the right number."""
    return f"{float(count):g} {unit}" + ("" if count == 1 else "s")


def percent_text(value: Exact | float) -> str:
    return f"{float(value):g} %"


class _ParameterText(Formatter):
    """Formats parameter values for people: numbers without trailing zeros, a unit after the colon."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, int | Fraction | float) and not isinstance(value, bool):
            if format_spec == "%":
                return percent_text(value)
            return count_text(value, format_spec) if format_spec else f"{float(value):g}"
        return str(value)


_PARAMETER_TEXT = _ParameterText()


def first_denial(result: ProcedureResult) -> str | None:
    """The message of the first finding that denies the procedure, if any."""
    return next((f.message for f in result.findings if f.severity is Severity.DENY), None)


def joint_list(names: Iterable[str]) -> str:
    return ", ".join(names)


def sites_text(sites: Iterable[tuple[str, str]]) -> str:
    """`L4-L5 left, L5-S1 left` → compact words, grouping sides of one joint."""
    by_joint: dict[str, list[str]] = {}
    for joint, side in sorted(sites):
        by_joint.setdefault(joint, []).append(side)
    return ", ".join(
        f"{joint} {'both sides' if len(sides) == 2 else sides[0]}" for joint, sides in by_joint.items()
    )


class Policy:
    """Base class of policy plug-ins. Subclasses set the class attributes and override the hooks."""

    name: ClassVar[str]
    version: ClassVar[str]
    title: ClassVar[str]
    summary: ClassVar[str]
    sources: ClassVar[tuple[str, ...]]
    positive_threshold: Exact  # percent relief that makes a block positive; a policy may set it per instance
    policy_rules: ClassVar[tuple[Rule, ...]]
    policy_parameters: ClassVar[tuple[Parameter, ...]]
    kx_on_diagnostic: ClassVar[bool] = False
    gate_rule: ClassVar[str]  # the rule that denies a procedure for a patient who is no candidate
    cyst_exempt_rules: ClassVar[frozenset[str]] = (
        frozenset()
    )  # selection rules a facet cyst procedure is spared

    def __init__(self, overrides: Mapping[str, ParameterValue] | None = None) -> None:
        self.rules: dict[str, Rule] = {rule.id: rule for rule in (*COMMON_RULES, *self.policy_rules)}
        self.parameters: dict[str, Parameter] = {
            p.name: p for p in (*COMMON_PARAMETERS, *self.policy_parameters)
        }
        self.values: dict[str, ParameterValue] = {name: p.default for name, p in self.parameters.items()}
        for name, value in (overrides or {}).items():
            if name not in self.parameters:
                raise KeyError(f"{self.name} has no parameter {name!r}")
            self.values[name] = value
        self._numbers: dict[str, Exact] = {
            name: exact(value)
            for name, value in self.values.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        self.configure()
        # Rule summaries name the numbers this instance uses, so a changed parameter shows in the listing.
        self.rules = {
            rule_id: replace(rule, summary=self.describe(rule.summary))
            for rule_id, rule in self.rules.items()
        }

    def configure(self) -> None:
        """Settings that follow from the parameters (e.g. a stricter threshold); runs before any text is built."""

    def describe(self, template: str) -> str:
        """A text with `{parameter}` or `{parameter:unit}` filled from this instance's values:
        `{repeat_tx_months:month}` → `3 months`, `{sustained_threshold:%}` → `50 %`."""
        values = {**self.values, **self._numbers, "positive_threshold": self.positive_threshold}
        return _PARAMETER_TEXT.vformat(template, (), values)

    @property
    def summary_text(self) -> str:
        return self.describe(self.summary)

    # -- parameters --

    def number(self, name: str) -> Exact:
        return self._numbers[name]  # KeyError: not a numeric parameter

    def flag(self, name: str) -> bool:
        value = self.values[name]
        assert isinstance(value, bool), name
        return value

    def finding(self, rule_id: str, message: str, severity: Severity | None = None) -> Finding:
        rule = self.rules[rule_id]  # KeyError here means a rule was used without being declared
        return Finding(rule_id, severity or rule.severity, message)

    def moderate_pain(self, assessment: Assessment) -> Exact:
        return rescale_pain(self.number("moderate_pain_nrs"), NRS_11, assessment.pain_scale)

    # -- hooks --

    def assess_patient(self, assessment: Assessment) -> list[Finding]:
        raise NotImplementedError

    def procedure_findings(self, result: ProcedureResult, ctx: Context) -> list[Finding]:
        raise NotImplementedError

    def next_step(self, result: ProcedureResult, ctx: Context) -> NextStep:
        raise NotImplementedError

    def strict_threshold(self, procedure: Procedure) -> bool:
        """Whether relief must exceed the threshold rather than reach it (e.g. "more than 50 %")."""
        return False

    def agent_min_hours(self, agent: str) -> float:
        """Shortest relief that fits the agent; 0 means duration is not judged."""
        return AGENTS[agent].min_hours

    # -- the response to a block --

    def response(self, procedure: Procedure, run: ReliefRun | None, ctx: Context) -> str:
        if not procedure.is_diagnostic_block:
            return "n/a"
        if not procedure.diary or procedure.pre_pain is None or procedure.agent is None:
            return "pending"
        agent = AGENTS[procedure.agent.name]
        if run is None and self.diary_too_short(procedure):
            return "pending"  # no relief yet in answers given minutes after the block: not a negative
        if agent.acting is Acting.PLACEBO:
            return "negative" if run is None else "placebo"
        if run is None:
            return "negative"
        if run.hours >= self.agent_min_hours(agent.name):
            return "positive"
        return "pending" if run.lasts_to_end_of_diary else "discordant"

    def diary_too_short(self, procedure: Procedure) -> bool:
        """The diary's last score comes before the least a diary must cover to show no relief."""
        last = procedure.diary[-1].minutes if procedure.diary else 0
        return last < SHORTEST_NEGATIVE_DIARY_MINUTES

    # -- the engine's per-procedure steps --

    def evaluate(self, procedure: Procedure, ctx: Context, coding: SessionCoding) -> ProcedureResult:
        measurable = bool(procedure.diary) and procedure.pre_pain is not None
        run = None
        if measurable:
            assert procedure.diary is not None and procedure.pre_pain is not None
            run = relief_run(
                procedure.pre_pain, procedure.diary, self.positive_threshold, self.strict_threshold(procedure)
            )
        hours = (run.hours if run else 0.0) if measurable else None
        result = ProcedureResult(
            procedure=procedure,
            role=self.role(procedure, ctx),
            response=self.response(procedure, run, ctx),
            peak_relief_percent=peak_relief(procedure.pre_pain, procedure.diary),
            relief_hours=hours,
            relief_run=run,
        )
        result.codes, notes = code_procedure(
            procedure,
            coding,
            ctx.session,
            kx_on_diagnostic=self.kx_on_diagnostic,
            bilateral_modifier_50=self.values.get("bilateral_modifier", "50") == "50",
        )
        result.findings = [
            *self.gate_findings(procedure, ctx),
            *self.procedure_findings(result, ctx),
            *self.common_findings(result, ctx),
            *self.coding_findings(notes),
        ]
        result.next = self.next_step(result, ctx)
        return result

    def gate_findings(self, procedure: Procedure, ctx: Context) -> list[Finding]:
        """A procedure for a patient who fails selection fails too; a facet cyst procedure is spared only
        the criteria its own indication replaces (radicular pain from the cyst)."""
        exempt = self.cyst_exempt_rules if procedure.type == "cyst" else frozenset()
        failed = [f for f in ctx.gate if f.severity is Severity.DENY and f.rule not in exempt]
        if not failed:
            return []
        reasons = "; ".join(f.message for f in failed)
        return [self.finding(self.gate_rule, f"the patient does not meet the selection criteria: {reasons}")]

    def role(self, procedure: Procedure, ctx: Context) -> str:
        sites = procedure.sites
        if procedure.type == "cyst":
            return "cyst"
        if procedure.type == "rfa":
            repeated = all(ctx.latest(site, "rfa") is not None for site in sites)
            return "rfa-repeat" if repeated else "rfa-initial"
        if procedure.intent == "therapeutic":
            repeated = all(ctx.latest(site, procedure.type, "therapeutic") is not None for site in sites)
            return "therapeutic-repeat" if repeated else "therapeutic"
        counts = [len(ctx.diagnostic_blocks_since_rfa(site)) for site in sites]
        if max(counts) == 0:
            return "diagnostic-1"
        return "diagnostic-extra" if max(counts) >= 2 else "diagnostic-2"

    # -- checks shared by the policies --

    def common_findings(self, result: ProcedureResult, ctx: Context) -> list[Finding]:
        procedure, assessment = result.procedure, ctx.assessment
        found: list[Finding] = []
        outside = [j.name for j in procedure.joints if not _in_region(j.name, j.region, assessment.region)]
        if outside:
            found.append(
                self.finding(
                    "GEN-REGION", f"{joint_list(outside)} outside the assessed {assessment.region} region"
                )
            )
        if procedure.date < assessment.date:
            found.append(
                self.finding(
                    "GEN-DATE", f"dated {procedure.date}, before the assessment on {assessment.date}"
                )
            )
        if procedure.diary and procedure.pre_pain is None:
            found.append(
                self.finding(
                    "GEN-NO-PRE-PAIN",
                    "the diary has no same-day score before the procedure to measure relief against",
                )
            )
        if (
            procedure.is_diagnostic_block
            and procedure.pre_pain is not None
            and exact(procedure.pre_pain) < self.moderate_pain(assessment)
        ):
            found.append(
                self.finding(
                    "GEN-LOW-PRE-PAIN",
                    f"pain {procedure.pre_pain} before the block, below moderate ({float(self.moderate_pain(assessment)):g} on {assessment.pain_scale}): too little to show relief (usual pain is needed)",
                )
            )
        run = result.relief_run
        if (
            result.response == "pending"
            and run is None
            and procedure.diary
            and self.diary_too_short(procedure)
        ):
            found.append(
                self.finding(
                    "GEN-DIARY-SHORT",
                    f"the last score is {procedure.diary[-1].minutes:g} min after the block, before "
                    f"{SHORTEST_NEGATIVE_DIARY_MINUTES} min: too soon to call it negative; add later scores",
                )
            )
        if result.response == "pending" and run is not None and run.lasts_to_end_of_diary:
            found.append(
                self.finding(
                    "GEN-DIARY-OPEN",
                    f"relief was still at {self.threshold_text()} at the last score ({run.hours:g} h): add later scores",
                )
            )
        found.extend(self._steroid_findings(procedure))
        found.extend(self._volume_findings(procedure))
        if any(j.region is Region.THORACIC for j in procedure.joints):
            found.append(
                self.finding(
                    "GEN-THORACIC", "thoracic nerve targets are a convention; a block there is less certain"
                )
            )
        return found

    def _steroid_findings(self, procedure: Procedure) -> Iterator[Finding]:
        if procedure.steroid is None:
            return
        if procedure.is_diagnostic_block:
            yield self.finding(
                "GEN-STEROID-DIAGNOSTIC",
                f"{procedure.steroid.name} in a diagnostic block: relief should come from the local anaesthetic alone",
            )
        if steroid_is_particulate(procedure.steroid.name) and any(
            j.region is Region.CERVICAL for j in procedure.joints
        ):
            yield self.finding(
                "GEN-STEROID-CERVICAL",
                f"{procedure.steroid.name} is particulate: prefer dexamethasone in the neck",
            )

    def _volume_findings(self, procedure: Procedure) -> Iterator[Finding]:
        if procedure.agent is None or procedure.type not in ("mbb", "ia"):
            return
        volume = procedure.agent.volume_ml_per_nerve
        per = "joint" if procedure.type == "ia" else "nerve"
        for region in sorted({j.region for j in procedure.joints}):
            advice = volume_advice(region, procedure.type)
            if advice.max_ml is not None and volume > advice.max_ml:
                yield self.finding(
                    "GEN-VOLUME",
                    f"{volume:g} mL per {per} in the {region} spine is above {advice.max_ml:g} mL ({advice.source})",
                )

    def coding_findings(self, notes: list[CodingNote]) -> list[Finding]:
        rule = {
            "unlisted": "CODE-UNLISTED",
            "ultrasound": "CODE-ULTRASOUND",
            "bundled": "CODE-BUNDLED",
            "cyst": "CODE-CYST",
        }
        unique = dict.fromkeys((rule[n.kind], n.message) for n in notes)
        return [self.finding(rule_id, message) for rule_id, message in unique]

    def threshold_text(self) -> str:
        return percent_text(self.positive_threshold)

    # -- helpers for subclasses --

    def session_levels(self, procedure: Procedure, ctx: Context) -> dict[str, list[str]]:
        """Joint levels of this procedure's kind in its session, by counting region."""
        kind = procedure.type == "rfa"
        same_kind = [p for p in ctx.session if (p.type == "rfa") == kind and p.type != "cyst"]
        groups = level_groups(j for p in same_kind for j in p.joints)
        mine = {j.name for j in procedure.joints}
        return {
            g: [j.name for j in joints] for g, joints in groups.items() if mine & {j.name for j in joints}
        }

    def sessions_in_window(
        self, procedure: Procedure, ctx: Context, t12_l1_region: str
    ) -> dict[str, list[date]]:
        """Session dates of the procedure's category, per billing region, in the 12 months up to its date."""
        start = add_months(procedure.date, -12)
        wanted = category(procedure)
        regions = billing_regions(procedure, t12_l1_region)
        dates: dict[str, set[date]] = {region: {procedure.date} for region in regions}
        for prior in ctx.prior:
            p = prior.procedure
            if category(p) != wanted or not start <= p.date <= procedure.date:
                continue
            for region in billing_regions(p, t12_l1_region) & regions:
                dates[region].add(p.date)
        return {region: sorted(days) for region, days in dates.items()}


def _in_region(joint: str, joint_region: Region, assessed: Region) -> bool:
    # Junctional joints belong to both neighbours: C7-T1 serves neck or upper back pain, T12-L1 low back pain.
    return joint_region is assessed or (joint, assessed) in {
        ("C7-T1", Region.THORACIC),
        ("T12-L1", Region.LUMBAR),
    }


REGION_WORDS = {
    BillingRegion.CERVICAL_THORACIC.value: "cervical/thoracic",
    BillingRegion.LUMBAR_SACRAL.value: "lumbar/sacral",
}
