"""`consensus-2020`: the ASRA-led multisociety guidelines (lumbar 2020, cervical 2022).

Source: ../shared/reference/clinical-guidelines.md §1A-§1C. One medial branch block with at least 50 %
relief (cervical: more than 50 %) selects a patient for RFA; a repeat RFA needs no new blocks after more
than 30 % relief for at least 3 months.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..anatomy import Region
from ..case import Assessment, Procedure
from ..dates import add_months
from ..findings import Finding, Parameter, Rule
from ..relief import exact
from ..results import Action, NextStep, ProcedureResult
from .base import (
    DENY,
    DIARY_STEP,
    GUIDELINES,
    INFO,
    WARN,
    C,
    Context,
    F,
    L,
    Policy,
    U,
    count_text,
    first_denial,
    joint_list,
    percent_text,
    sites_text,
)


class Consensus2020(Policy):
    name = "consensus-2020"
    version = "2022.1"
    title = "Multisociety consensus practice guidelines (lumbar 2020, cervical 2022)"
    summary = (
        "One diagnostic MBB with at least {positive_threshold:%} relief (cervical: more than {positive_threshold:%}) "
        "is enough for RFA; repeat RFA without new blocks after more than {repeat_rfa_relief:%} relief for at least "
        "{repeat_rfa_months:month}; small volumes; no routine sedation."
    )
    sources = (
        "Cohen SP et al. Reg Anesth Pain Med 2020;45:424-467 (lumbar)",
        "Hurley RW et al. Reg Anesth Pain Med 2022;47:3-59 (cervical)",
    )
    positive_threshold = 50
    gate_rule = "CON-GATE"
    cyst_exempt_rules = frozenset({"CON-GATE-RADICULAR", "CON-GATE-AXIAL"})

    policy_rules: ClassVar[tuple[Rule, ...]] = (
        Rule("CON-GATE", "procedures need a patient who meets the selection criteria", f"{GUIDELINES} §1.5, §1.24, §1.26", C, DENY),
        Rule("CON-GATE-NONFACET", "another cause explains the pain", f"{GUIDELINES} §6.8, §1.26", C, DENY),
        Rule("CON-GATE-CONSERVATIVE", "conservative care before blocks", f"{GUIDELINES} §1.5, §1.24", C, DENY),
        Rule("CON-GATE-DURATION", "conservative treatment preferably for {lumbar_conservative_weeks:week} (lumbar) or about {cervical_conservative_weeks:week} (cervical)", f"{GUIDELINES} §1.5, §1.24", U, WARN),
        Rule("CON-GATE-RADICULAR", "radicular symptoms exclude cervical blocks and predict a negative lumbar block", f"{GUIDELINES} §1.26, §7.2", C, DENY),
        Rule("CON-GATE-AXIAL", "mainly axial pain", f"{GUIDELINES} §7.8, §7.9", C, WARN),
        Rule("CON-GUIDANCE", "image guidance by region and procedure", f"{GUIDELINES} §1.6, §1.25", C, DENY),
        Rule("CON-BLOCK-TYPE", "MBB rather than IA as the prognostic block before RFA", f"{GUIDELINES} §1.8, §1.28", C, WARN),
        Rule("CON-SEDATION", "no routine sedation for diagnostic blocks: it inflates relief", f"{GUIDELINES} §1.10, §1.18, §1.32", C, WARN),
        Rule("CON-CUTOFF", "positive block: at least {positive_threshold:%} relief (cervical: more than {positive_threshold:%})", f"{GUIDELINES} §1.11, §1.29", C, INFO),
        Rule("CON-DUAL", "a second diagnostic block is not routinely needed", f"{GUIDELINES} §1.12, §1.28", C, INFO),
        Rule("CON-RFA-PREREQ", "RFA after a positive diagnostic block at its joints", f"{GUIDELINES} §1.8, §1.11, §1.29", C, DENY),
        Rule("CON-RFA-REPEAT", "repeat RFA after more than {repeat_rfa_relief:%} relief for at least {repeat_rfa_months:month}; no new blocks", f"{GUIDELINES} §1.13, §1.17, §1.30", C, DENY),
        Rule("CON-RFA-TECHNIQUE", "conventional thermal RFA at 80-90 degrees C", f"{GUIDELINES} §1.14", C, WARN),
        Rule("CON-THERAPEUTIC", "facet blocks are not supported as long-term treatment", f"{GUIDELINES} §1.16", L, WARN),
        Rule("CON-CYST", "facet cyst procedures are outside these guidelines", f"{GUIDELINES} §1A, §1B", F, WARN),
    )  # fmt: skip

    policy_parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("lumbar_conservative_weeks", 12, "weeks of conservative care preferred before lumbar and thoracic blocks (3 months)", f"{GUIDELINES} §1.5", C),
        Parameter("cervical_conservative_weeks", 6, "weeks of conservative care before cervical blocks (the guideline also says 3 months)", f"{GUIDELINES} §1.24", U),
        Parameter("repeat_rfa_relief", 30, "percent relief a previous RFA must exceed", f"{GUIDELINES} §1.30", C),
        Parameter("repeat_rfa_months", 3, "months that relief must last before a repeat RFA", f"{GUIDELINES} §1.30", C),
        Parameter("lumbar_pain_months", 3, "months of pain before lumbar and thoracic blocks are preferred", f"{GUIDELINES} §1.5", C),
    )  # fmt: skip

    def assess_patient(self, a: Assessment) -> list[Finding]:
        found: list[Finding] = []
        if a.non_facet_cause:
            found.append(
                self.finding(
                    "CON-GATE-NONFACET",
                    "another cause (fracture, tumour, infection, deformity) explains the pain",
                )
            )
        failed = [care for care in a.conservative_care if care.failed]
        if not failed:
            found.append(self.finding("CON-GATE-CONSERVATIVE", "no failed conservative care is recorded"))
        # §1.5 (lumbar): a 3-month trial of conservative care; §1.24 (cervical): about 6 weeks. Courses
        # usually run side by side, so the trial is as long as its longest failed course.
        wanted = "cervical_conservative_weeks" if a.region is Region.CERVICAL else "lumbar_conservative_weeks"
        weeks = max((exact(care.weeks) for care in failed), default=0)
        if failed and weeks < self.number(wanted):
            found.append(
                self.finding(
                    "CON-GATE-DURATION",
                    f"the longest course of failed conservative care lasted {count_text(weeks, 'week')}; about {count_text(self.number(wanted), 'week')} are advised",
                )
            )
        pain_months = self.number("lumbar_pain_months")
        if a.region is not Region.CERVICAL and exact(a.pain_duration_months) < pain_months:
            found.append(
                self.finding(
                    "CON-GATE-DURATION",
                    f"pain for {a.pain_duration_months:g} months: blocks are preferred after {count_text(pain_months, 'month')}",
                )
            )
        if a.untreated_radiculopathy:
            severity = DENY if a.region is Region.CERVICAL else WARN
            found.append(
                self.finding(
                    "CON-GATE-RADICULAR",
                    "radicular symptoms: "
                    + (
                        "they exclude cervical facet blocks"
                        if severity is DENY
                        else "a lumbar block is less likely to help"
                    ),
                    severity,
                )
            )
        if not a.axial_predominant:
            found.append(self.finding("CON-GATE-AXIAL", "the pain is not mainly axial"))
        return found

    def agent_min_hours(self, agent: str) -> float:
        return 0.0  # the guidelines judge the size of relief, not how long the anaesthetic lasted

    def strict_threshold(self, procedure: Procedure) -> bool:
        return self._cervical(procedure)  # the cervical cut-off is *more than* 50 % (§1.29)

    @staticmethod
    def _cervical(procedure: Procedure) -> bool:
        return any(j.region is Region.CERVICAL for j in procedure.joints)

    def procedure_findings(self, result: ProcedureResult, ctx: Context) -> list[Finding]:
        procedure = result.procedure
        found = list(self._guidance(procedure))
        if procedure.type == "cyst":
            found.append(
                self.finding("CON-CYST", "the consensus guidelines do not cover facet cyst procedures")
            )
        elif procedure.type == "rfa":
            found.extend(self._rfa(procedure, ctx))
        elif procedure.intent == "therapeutic":
            found.append(
                self.finding(
                    "CON-THERAPEUTIC",
                    "facet blocks showed no lasting benefit over placebo (FACTS); RFA is the treatment",
                )
            )
        else:
            found.extend(self._diagnostic(result))
        return found

    def _guidance(self, procedure: Procedure) -> Iterator[Finding]:
        guidance = procedure.guidance
        if guidance == "none":
            yield self.finding("CON-GUIDANCE", "no image guidance")
            return
        cervical = self._cervical(procedure)
        advised = {
            ("mbb", False): {"fluoroscopy", "ct"},
            ("mbb", True): {"fluoroscopy", "ultrasound"},
            ("ia", False): {"ct", "fluoroscopy"},
            ("ia", True): {"fluoroscopy"},
            ("rfa", False): {"fluoroscopy"},
            ("rfa", True): {"fluoroscopy"},
        }.get((procedure.type, cervical), {"fluoroscopy", "ct"})
        if guidance not in advised:
            yield self.finding(
                "CON-GUIDANCE",
                f"{guidance} guidance; the guidelines advise {' or '.join(sorted(advised))} here",
                WARN,
            )

    def _diagnostic(self, result: ProcedureResult) -> Iterator[Finding]:
        procedure = result.procedure
        if procedure.type == "ia":
            yield self.finding(
                "CON-BLOCK-TYPE", "an intra-articular block predicts RFA outcome less well than an MBB"
            )
        if procedure.sedation != "none":
            yield self.finding(
                "CON-SEDATION", f"{procedure.sedation} sedation during a diagnostic block can inflate relief"
            )
        if result.role != "diagnostic-1":
            yield self.finding(
                "CON-DUAL", "a further diagnostic block at the same joints is not routinely needed"
            )

    def _rfa(self, procedure: Procedure, ctx: Context) -> Iterator[Finding]:
        detail = procedure.rfa
        if detail is not None and detail.technique != "thermal":
            yield self.finding(
                "CON-RFA-TECHNIQUE", f"{detail.technique} denervation: the guidelines describe thermal RFA"
            )
        elif detail is not None and detail.temperature_c is not None and not 80 <= detail.temperature_c <= 90:
            yield self.finding("CON-RFA-TECHNIQUE", f"{detail.temperature_c:g} degrees C; 80-90 is advised")
        repeat = {s for s in procedure.sites if ctx.latest(s, "rfa") is not None}
        missing, by_ia = [], []
        for site in procedure.sites - repeat:
            blocks = ctx.diagnostic_blocks_since_rfa(site)
            if not blocks or not blocks[0].positive:
                missing.append(site)
            elif blocks[0].procedure.type == "ia":
                by_ia.append(site)
        if missing:
            yield self.finding("CON-RFA-PREREQ", f"no positive diagnostic block at {sites_text(missing)}")
        if by_ia:
            yield self.finding(
                "CON-BLOCK-TYPE", f"RFA at {sites_text(by_ia)} follows an intra-articular block, not an MBB"
            )
        yield from self._repeat(procedure, ctx, repeat)

    def _repeat(self, procedure: Procedure, ctx: Context, sites: set[tuple[str, str]]) -> Iterator[Finding]:
        relief, needed = self.number("repeat_rfa_relief"), self.number("repeat_rfa_months")
        previous = {r.id: r for s in sites if (r := ctx.latest(s, "rfa")) is not None}
        for prior in previous.values():
            sustained = ctx.sustained(prior, relief, strict=True)
            if sustained is None:
                yield self.finding(
                    "CON-RFA-REPEAT", f"no follow-up recorded after {prior.id} to show how long relief lasted"
                )
            elif sustained.months < needed:
                yield self.finding(
                    "CON-RFA-REPEAT",
                    f"relief above {percent_text(relief)} lasted {count_text(sustained.months, 'month')} after {prior.id}; {count_text(needed, 'month')} are needed",
                )

    def next_step(self, result: ProcedureResult, ctx: Context) -> NextStep:
        procedure = result.procedure
        joints = joint_list(procedure.joint_names)
        if denial := first_denial(result):
            return NextStep(Action.RESOLVE, f"does not meet the guidelines as recorded: {denial}")
        if procedure.type == "rfa":
            again = add_months(procedure.date, int(self.number("repeat_rfa_months")))
            relief = self.number("repeat_rfa_relief")
            return NextStep(
                Action.FOLLOW_UP,
                f"follow up; a repeat RFA may follow from {again} if relief above {percent_text(relief)} lasts until then",
                again,
            )
        if procedure.type == "cyst" or procedure.intent == "therapeutic":
            return NextStep(Action.FOLLOW_UP, "follow up and record relief and function")
        if result.response == "pending":
            return DIARY_STEP
        if result.response == "positive":
            return NextStep(Action.RFA, f"meets criteria for RFA at {joints}")
        if result.response == "placebo":
            return NextStep(Action.LOOK_ELSEWHERE, "relief after saline: the response is not specific")
        return NextStep(Action.LOOK_ELSEWHERE, f"{result.response} at {joints}: look for another source")
