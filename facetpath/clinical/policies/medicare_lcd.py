"""`medicare-lcd`: the Medicare LCD family "Facet Joint Interventions for Pain Management", 2024 revisions.

Source: ../shared/reference/medicare-lcd.md (rules R1-R61, open questions OQ1-OQ20). Rule IDs here are
stable: tools and signed-off interpretations refer to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import ClassVar

from ..agents import AGENTS
from ..anatomy import BillingRegion
from ..case import Assessment, Procedure
from ..dates import add_days, add_months, days_between
from ..findings import Finding, Parameter, Rule
from ..relief import ReliefRun, exact
from ..results import Action, NextStep, ProcedureResult
from .base import (
    DENY,
    DIARY_STEP,
    INFO,
    LCD,
    REGION_WORDS,
    WARN,
    C,
    Context,
    L,
    Policy,
    U,
    category,
    count_text,
    first_denial,
    joint_list,
    percent_text,
    sites_text,
)

CT = BillingRegion.CERVICAL_THORACIC.value


class MedicareLCD(Policy):
    name = "medicare-lcd"
    version = "2024.1"
    title = "Medicare LCD: Facet Joint Interventions for Pain Management (2024 revisions)"
    summary = (
        "Two diagnostic medial branch blocks at the same joints, each with at least {positive_threshold:%} "
        "relief lasting as the anaesthetic predicts, before thermal RFA; caps per region per rolling 12 months; "
        "at most {max_levels:level} per session; fluoroscopy or CT only."
    )
    sources = ("L38765/A58350, L38841/A58477, L34892/A56670, L33930/A57787, L35936/A57826, L38801/A58403, "
               "L38803/A58405, L38773/A58364 and MAC guidance, as summarised in medicare-lcd.md",)  # fmt: skip
    positive_threshold = 80
    kx_on_diagnostic = True
    gate_rule = "MCD-GATE"
    # R5's exception and the cyst path (§9): radicular, not axial, pain from a facet cyst.
    cyst_exempt_rules = frozenset({"MCD-GATE-AXIAL", "MCD-GATE-RADICULOPATHY"})

    policy_rules: ClassVar[tuple[Rule, ...]] = (
        Rule("MCD-GATE-AXIAL", "moderate-to-severe chronic pain, mainly axial", f"{LCD} R1", C, DENY),
        Rule("MCD-GATE-SEVERITY", "pain at least moderate; the LCD gives no number", f"{LCD} R1, OQ2", U, WARN),
        Rule("MCD-GATE-DURATION", "pain for at least {min_pain_months:month}", f"{LCD} R3", C, DENY),
        Rule("MCD-GATE-CONSERVATIVE", "noninvasive conservative care tried and failed", f"{LCD} R4", C, DENY),
        Rule("MCD-GATE-CONSERVATIVE-WEEKS", "how long conservative care must last; the LCD sets no minimum", f"{LCD} R4", U, WARN),
        Rule("MCD-GATE-RADICULOPATHY", "no untreated radiculopathy (radiculopathy from a facet cyst excepted)", f"{LCD} R5", C, DENY),
        Rule("MCD-GATE-CLAUDICATION", "no neurogenic claudication", f"{LCD} R5", C, DENY),
        Rule("MCD-GATE-NONFACET", "no non-facet cause explains the pain", f"{LCD} R6", C, DENY),
        Rule("MCD-GATE-DISABILITY", "baseline disability scale recorded; sources disagree whether it is required", f"{LCD} R8, OQ4", U, WARN),
        Rule("MCD-GATE", "every facet procedure needs the patient-selection criteria met", f"{LCD} R9, R10, §9", C, DENY),
        Rule("MCD-GUIDANCE", "fluoroscopy or CT guidance only", f"{LCD} R37", C, DENY),
        Rule("MCD-LEVELS", "at most {max_levels:joint level} per session per region; further levels non-covered", f"{LCD} R42, R43, R44, R57", C, DENY),
        Rule("MCD-MULTI-REGION", "more than one spinal region in one session", f"{LCD} R40, OQ14", U, WARN),
        Rule("MCD-DX-CAP", "at most {dx_cap:diagnostic session} per region per rolling 12 months", f"{LCD} R15, OQ17", L, DENY),
        Rule("MCD-TX-CAP", "at most {tx_cap:therapeutic IA session} per region per rolling 12 months", f"{LCD} R20", C, DENY),
        Rule("MCD-RFA-CAP", "at most {rfa_cap:RFA session} per region per rolling 12 months", f"{LCD} R30", C, DENY),
        Rule("MCD-WINDOW-BOUNDARY", "a session exactly 12 months earlier decided a cap; the boundary is unclear", f"{LCD} D8, OQ6", U, WARN),
        Rule("MCD-T12L1", "T12-L1 sessions are counted in the cervical/thoracic region", f"{LCD} R54, OQ15", U, WARN),
        Rule("MCD-SEDATION", "general anaesthesia not covered; sedation or MAC not routine for blocks, documented need for RFA", f"{LCD} R45, R46, R47", C, WARN),
        Rule("MCD-AGENT-DURATION", "relief must last as long as the anaesthetic predicts; hours are not quantified", f"{LCD} R10, R61, OQ3", U, WARN),
        Rule("MCD-AGENT-SALINE", "saline is a placebo, not a diagnostic local anaesthetic block", f"{LCD} D6, R10", L, WARN),
        Rule("MCD-DX2-PRIOR", "a confirmatory block needs a positive first block at the same joints", f"{LCD} R10, R11, R13", C, DENY),
        Rule("MCD-DX2-INTERVAL", "the second diagnostic block at least {dx_interval_days:day} after the first, unless a reason is documented", f"{LCD} R12, OQ5", C, DENY),
        Rule("MCD-DX2-SITE", "a block at other joints is a new first block there", f"{LCD} R11, R14", C, WARN),
        Rule("MCD-DX-EXTRA", "more than two diagnostic blocks at the same joints is outside the LCD's pathway", f"{LCD} R14, R48", L, WARN),
        Rule("MCD-DX-AFTER-RFA", "no diagnostic block at joints with a successful RFA in the last {rediagnosis_years:year}", f"{LCD} R28, R41", L, DENY),
        Rule("MCD-TX-MBB", "only intra-articular injections are covered as therapeutic facet procedures", f"{LCD} R16, OQ9", L, DENY),
        Rule("MCD-TX-PREREQ", "a therapeutic IA needs two positive diagnostic blocks at the same joints", f"{LCD} R17", C, DENY),
        Rule("MCD-TX-RFA-REASON", "a therapeutic IA needs a documented reason RFA is unsuitable", f"{LCD} R18, R38", C, DENY),
        Rule("MCD-TX-REPEAT", "a repeat therapeutic IA needs at least {sustained_threshold:%} relief for at least {repeat_tx_months:month} after the last", f"{LCD} R19, OQ8", C, DENY),
        Rule("MCD-RFA-PREREQ", "initial RFA needs two consecutive positive diagnostic MBBs at its joints (IA blocks do not count)", f"{LCD} R21, R22, R23, R24", C, DENY),
        Rule("MCD-RFA-THERMAL", "thermal RFA at {rfa_min_temperature_c} degrees C or more only", f"{LCD} R26, R34", C, DENY),
        Rule("MCD-RFA-REPEAT", "repeat RFA needs at least {sustained_threshold:%} relief (or function) for at least {repeat_rfa_months:month} after the last", f"{LCD} R27, OQ7", C, DENY),
        Rule("MCD-RFA-REDIAGNOSE", "{rediagnosis_years:year} or more after the last RFA, diagnostic blocks must be repeated", f"{LCD} R29", L, DENY),
        Rule("MCD-CYST", "cyst aspiration or rupture needs imaging of a facet cyst compressing a nerve root", f"{LCD} R31", L, DENY),
        Rule("MCD-CYST-REPEAT", "once more per cyst, after at least {sustained_threshold:%} improvement for {repeat_tx_months:month}", f"{LCD} R32", L, DENY),
    )  # fmt: skip

    policy_parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("min_conservative_weeks", 0, "weeks of failed conservative care; the LCD states none (a shortfall warns)", f"{LCD} R4", U),
        Parameter("require_disability_scale", False, "deny, rather than warn, when no baseline disability scale is recorded", f"{LCD} R8, OQ4", U),
        Parameter("lidocaine_min_hours", 1.0, "shortest relief that fits lidocaine", f"{LCD} OQ3; clinical-guidelines.md §2.9", U),
        Parameter("bupivacaine_min_hours", 3.0, "shortest relief that fits bupivacaine", f"{LCD} OQ3; clinical-guidelines.md §2.9", U),
        Parameter("ropivacaine_min_hours", 3.0, "shortest relief that fits ropivacaine", f"{LCD} OQ3; clinical-guidelines.md §4A", U),
        Parameter("rolling_window_inclusive", True, "a session exactly 12 months before counts toward the caps (warned when it decides)", f"{LCD} D8, OQ6", U),
        Parameter("min_pain_months", 3, "pain duration before any facet procedure, months", f"{LCD} R3", C),
        Parameter("dx_interval_days", 14, "days from the first to the second diagnostic block; day 14 passes (warned)", f"{LCD} R12, OQ5", U),
        Parameter("dx_cap", 4, "diagnostic sessions per region per rolling 12 months", f"{LCD} R15", L),
        Parameter("tx_cap", 4, "therapeutic IA sessions per region per rolling 12 months", f"{LCD} R20", C),
        Parameter("rfa_cap", 2, "RFA sessions per region per rolling 12 months", f"{LCD} R30", C),
        Parameter("max_levels", 2, "joint levels per session per region", f"{LCD} R42", C),
        Parameter("third_level_noncovered_from", date(2024, 7, 7), "first date of service of the revised LCDs (3rd+ levels non-covered rather than appeal-only)", f"{LCD} R43, §6", L),
        Parameter("repeat_tx_months", 3, "months of at least 50 % relief before a repeat therapeutic IA", f"{LCD} R19", C),
        Parameter("repeat_rfa_months", 6, "months of at least 50 % relief before a repeat RFA", f"{LCD} R27", C),
        Parameter("sustained_threshold", 50, "percent relief (or function improvement) that counts as sustained", f"{LCD} R19, R27", C),
        Parameter("rediagnosis_years", 2, "years after an RFA when diagnostic blocks must be repeated", f"{LCD} R29", L),
        Parameter("rfa_min_temperature_c", 80, "lowest thermal lesion temperature covered", f"{LCD} R34", L),
        Parameter("t12_l1_region", CT, "billing region T12-L1 sessions count in for caps", f"{LCD} R54, OQ15", U),
        Parameter("bilateral_modifier", "50", "'50' (one line, modifier 50) or 'RT-LT' (two lines)", f"{LCD} R52, OQ11", L),
        Parameter("prolonged_relief_is_discordant", False, "relief far beyond the anaesthetic's usual action counts as discordant (otherwise warned)", f"{LCD} R61, OQ3", U),
    )  # fmt: skip

    # -- patient selection --

    def assess_patient(self, a: Assessment) -> list[Finding]:
        found: list[Finding] = []
        if not a.axial_predominant:
            found.append(self.finding("MCD-GATE-AXIAL", "the pain is not mainly axial (neck or back)"))
        if exact(a.baseline_pain) < self.moderate_pain(a):
            found.append(
                self.finding(
                    "MCD-GATE-SEVERITY",
                    f"baseline pain {a.baseline_pain} is below moderate ({float(self.moderate_pain(a)):g} on {a.pain_scale}); the LCD sets no number",
                )
            )
        months = self.number("min_pain_months")
        if exact(a.pain_duration_months) < months:
            found.append(
                self.finding(
                    "MCD-GATE-DURATION",
                    f"pain for {a.pain_duration_months:g} months; at least {count_text(months, 'month')} are needed",
                )
            )
        failed = [care for care in a.conservative_care if care.failed]
        weeks = sum(exact(care.weeks) for care in failed)
        if not failed:
            found.append(self.finding("MCD-GATE-CONSERVATIVE", "no failed conservative care is recorded"))
        elif weeks < self.number("min_conservative_weeks"):
            found.append(
                self.finding(
                    "MCD-GATE-CONSERVATIVE-WEEKS",
                    f"{count_text(weeks, 'week')} of failed conservative care; this policy asks for {count_text(self.number('min_conservative_weeks'), 'week')}",
                )
            )
        if a.neurogenic_claudication:
            found.append(self.finding("MCD-GATE-CLAUDICATION", "neurogenic claudication"))
        if a.untreated_radiculopathy and not a.facet_synovial_cyst:
            found.append(self.finding("MCD-GATE-RADICULOPATHY", "untreated radiculopathy"))
        elif a.untreated_radiculopathy:
            found.append(
                self.finding(
                    "MCD-GATE-RADICULOPATHY",
                    "radiculopathy from a facet synovial cyst: the LCD's exception applies",
                    INFO,
                )
            )
        if a.non_facet_cause:
            found.append(
                self.finding(
                    "MCD-GATE-NONFACET",
                    "another cause (fracture, tumour, infection, deformity) explains the pain",
                )
            )
        if a.disability is None:
            found.append(
                self.finding(
                    "MCD-GATE-DISABILITY",
                    "no baseline disability scale (ODI, NDI or PROMIS): record one before the first block",
                    DENY if self.flag("require_disability_scale") else WARN,
                )
            )
        return found

    # -- responses --

    def response(self, procedure: Procedure, run: ReliefRun | None, ctx: Context) -> str:
        answer = super().response(procedure, run, ctx)
        if (
            answer == "positive"
            and self.flag("prolonged_relief_is_discordant")
            and self._prolonged(procedure, run)
        ):
            return "discordant"
        return answer

    def agent_min_hours(self, agent: str) -> float:
        key = f"{agent}_min_hours"
        return float(self.number(key)) if key in self.parameters else 0.0

    def _prolonged(self, procedure: Procedure, run: ReliefRun | None) -> bool:
        if procedure.agent is None or run is None:
            return False
        return run.hours > AGENTS[procedure.agent.name].typical_max_hours

    # -- procedures --

    def procedure_findings(self, result: ProcedureResult, ctx: Context) -> list[Finding]:
        procedure = result.procedure
        found = list(self._every_procedure(result, ctx))
        if procedure.type == "cyst":
            found.extend(self._cyst(procedure, ctx))
        elif procedure.type == "rfa":
            found.extend(self._rfa(result, ctx))
        elif procedure.intent == "therapeutic":
            found.extend(self._therapeutic(result, ctx))
        else:
            found.extend(self._diagnostic(result, ctx))
        return found

    def _every_procedure(self, result: ProcedureResult, ctx: Context) -> Iterator[Finding]:
        procedure = result.procedure
        if procedure.guidance not in ("fluoroscopy", "ct"):
            yield self.finding(
                "MCD-GUIDANCE", f"{procedure.guidance} guidance: only fluoroscopy or CT is covered"
            )
        if procedure.type != "cyst":
            yield from self._levels(procedure, ctx)
            yield from self._caps(procedure, ctx)
        yield from self._sedation(procedure)
        if any(j.name == "T12-L1" for j in procedure.joints) and procedure.type != "cyst":
            yield self.finding(
                "MCD-T12L1",
                f"T12-L1 is counted in the {REGION_WORDS[str(self.values['t12_l1_region'])]} region for frequency limits",
            )
        regions = {j.billing_region for p in ctx.session for j in p.joints}
        if len(regions) > 1:
            yield self.finding(
                "MCD-MULTI-REGION",
                "cervical/thoracic and lumbar/sacral joints in one session: one MAC checklist lists this as a limitation",
            )

    def _levels(self, procedure: Procedure, ctx: Context) -> Iterator[Finding]:
        max_levels = int(self.number("max_levels"))
        for joints in self.session_levels(procedure, ctx).values():
            count = len(joints)
            noun = "joint level" if count == 1 else "joint levels"
            if count <= max_levels:
                yield self.finding(
                    "MCD-LEVELS",
                    f"{count} {noun}, {procedure.side}: within the {max_levels}-level limit",
                    INFO,
                )
                continue
            revised_from = self.values["third_level_noncovered_from"]
            assert isinstance(revised_from, date), "third_level_noncovered_from"
            revised = procedure.date >= revised_from
            status = (
                f"not covered since the revised LCDs ({revised_from})"
                if revised
                else "covered only on appeal"
            )
            yield self.finding(
                "MCD-LEVELS",
                f"{count} {noun} in one session ({joint_list(joints)}): levels beyond {max_levels} are {status}; bill them with GA (ABN on file) or GZ",
            )

    CAPS: ClassVar[dict[str, tuple[str, str, str]]] = {
        "diagnostic": ("MCD-DX-CAP", "dx_cap", "diagnostic"),
        "therapeutic": ("MCD-TX-CAP", "tx_cap", "therapeutic"),
        "rfa": ("MCD-RFA-CAP", "rfa_cap", "RFA"),
    }

    def _caps(self, procedure: Procedure, ctx: Context) -> Iterator[Finding]:
        rule, cap_name, noun = self.CAPS[category(procedure)]
        cap = int(self.number(cap_name))
        boundary = add_months(procedure.date, -12)
        inclusive = self.flag("rolling_window_inclusive")
        sessions = self.sessions_in_window(procedure, ctx, str(self.values["t12_l1_region"]))
        for region, dates in sessions.items():
            counted = dates if inclusive else [d for d in dates if d != boundary]
            if len(counted) > cap:
                yield self.finding(
                    rule,
                    f"session {len(counted)} of {noun} in the {REGION_WORDS[region]} region within 12 months (limit {cap}): {', '.join(map(str, counted))}",
                )
            if boundary in dates and (len(dates) > cap) != (len(dates) - 1 > cap):
                verdict = "counted (conservative)" if inclusive else "not counted"
                yield self.finding(
                    "MCD-WINDOW-BOUNDARY",
                    f"the session on {boundary} is exactly 12 months earlier: {verdict}",
                )

    def _sedation(self, procedure: Procedure) -> Iterator[Finding]:
        if procedure.sedation == "none":
            return
        if procedure.sedation == "general":
            yield self.finding(
                "MCD-SEDATION", "general anaesthesia is not covered for facet procedures (R45)"
            )
        elif procedure.type == "rfa":
            if procedure.sedation_reason is None:
                yield self.finding(
                    "MCD-SEDATION",
                    f"{procedure.sedation} sedation for RFA: document why it was medically needed (R47)",
                )
        else:
            reason = (
                "reason documented; payable on appeal only"
                if procedure.sedation_reason
                else "document why it was needed"
            )
            yield self.finding(
                "MCD-SEDATION",
                f"{procedure.sedation} sedation is not routinely covered for blocks: {reason} (R46)",
            )

    def _diagnostic(self, result: ProcedureResult, ctx: Context) -> Iterator[Finding]:
        procedure = result.procedure
        if procedure.agent is not None and procedure.agent.name == "saline":
            yield self.finding(
                "MCD-AGENT-SALINE", "a saline block does not count as a diagnostic local anaesthetic block"
            )
        yield from self._duration(result)
        yield from self._after_rfa(procedure, ctx)
        if result.role == "diagnostic-extra":
            yield self.finding(
                "MCD-DX-EXTRA",
                f"a further diagnostic block at {joint_list(procedure.joint_names)}: the LCD describes two; expect review",
            )
        if result.role != "diagnostic-2":
            return
        firsts: dict[str, ProcedureResult] = {}
        new_sites = []
        for site in sorted(procedure.sites):
            blocks = ctx.diagnostic_blocks_since_rfa(site)
            if blocks:
                firsts[blocks[0].id] = blocks[0]
            else:
                new_sites.append(site)
        if new_sites:
            yield self.finding(
                "MCD-DX2-SITE", f"no earlier block at {sites_text(new_sites)}: this is the first block there"
            )
        for first in firsts.values():
            yield from self._confirms(procedure, first)

    def _confirms(self, procedure: Procedure, first: ProcedureResult) -> Iterator[Finding]:
        if first.response != "positive":
            state = "has no diary result yet" if first.response == "pending" else f"was {first.response}"
            yield self.finding(
                "MCD-DX2-PRIOR",
                f"the first block ({first.id}, {first.procedure.date}) {state}: a confirmatory block needs at least {self.threshold_text()} relief lasting as the anaesthetic predicts",
            )
        days = days_between(first.procedure.date, procedure.date)
        needed = int(self.number("dx_interval_days"))
        if days < needed and procedure.early_repeat_reason is None:
            yield self.finding(
                "MCD-DX2-INTERVAL",
                f"{days} days after the first block ({first.id}); at least {needed} are needed unless a reason is documented (earliest {add_days(first.procedure.date, needed)})",
            )
        elif days < needed:
            yield self.finding(
                "MCD-DX2-INTERVAL",
                f"{days} days after the first block, with the documented reason: {procedure.early_repeat_reason}",
                WARN,
            )
        elif days == needed:
            yield self.finding(
                "MCD-DX2-INTERVAL",
                f"exactly {needed} days after the first block: read as 'at least {_days_text(needed)}' (the boundary is unclear)",
                WARN,
            )

    def _duration(self, result: ProcedureResult) -> Iterator[Finding]:
        procedure, run = result.procedure, result.relief_run
        if procedure.agent is None or run is None:
            return
        agent = AGENTS[procedure.agent.name]
        minimum = self.agent_min_hours(agent.name)
        if result.response == "discordant" and run.hours < minimum:
            yield self.finding(
                "MCD-AGENT-DURATION",
                f"relief at {self.threshold_text()} lasted {run.hours:g} h; {agent.name} is expected to give at least {minimum:g} h",
            )
        elif self._prolonged(procedure, run) and result.response in ("positive", "discordant"):
            verdict = (
                "counted as discordant"
                if result.response == "discordant"
                else "may be read as not fitting the agent"
            )
            yield self.finding(
                "MCD-AGENT-DURATION",
                f"relief lasted {run.hours:g} h, beyond {agent.name}'s usual {agent.typical_max_hours:g} h: {verdict}",
            )

    def _after_rfa(self, procedure: Procedure, ctx: Context) -> Iterator[Finding]:
        seen: set[str] = set()
        for site in sorted(procedure.sites):
            rfa = ctx.latest(site, "rfa")
            if rfa is None or rfa.id in seen or self._rfa_is_stale(rfa, procedure.date):
                continue
            seen.add(rfa.id)
            months = self._sustained_months(rfa, ctx)
            if months is None:
                yield self.finding(
                    "MCD-DX-AFTER-RFA",
                    f"RFA {rfa.id} ({rfa.procedure.date}) at these joints has no follow-up recorded",
                    WARN,
                )
            elif months >= self.number("repeat_rfa_months"):
                yield self.finding(
                    "MCD-DX-AFTER-RFA",
                    f"RFA {rfa.id} ({rfa.procedure.date}) gave {count_text(months, 'month')} of relief: repeat the RFA without new blocks",
                )

    def _therapeutic(self, result: ProcedureResult, ctx: Context) -> Iterator[Finding]:
        procedure = result.procedure
        if procedure.type == "mbb":
            yield self.finding(
                "MCD-TX-MBB",
                "a therapeutic medial branch block has no covered category; only intra-articular injections",
            )
            return
        if procedure.rfa_unsuitable_reason is None:
            yield self.finding(
                "MCD-TX-RFA-REASON", "document why the patient cannot have RFA (rfa_unsuitable_reason)"
            )
        # Each side is judged on its own history: a first injection there needs the two blocks (R17),
        # a repeat needs the last injection's relief (R19).
        repeat_sites = {s for s in procedure.sites if ctx.latest(s, "ia", "therapeutic") is not None}
        missing = [
            s for s in procedure.sites - repeat_sites if not self._two_positive(ctx, s, mbb_only=False)
        ]
        if missing:
            yield self.finding(
                "MCD-TX-PREREQ", f"no two consecutive positive diagnostic blocks at {sites_text(missing)}"
            )
        if repeat_sites:
            yield from self._repeat(
                procedure,
                ctx,
                kind="ia",
                rule="MCD-TX-REPEAT",
                months_param="repeat_tx_months",
                sites=repeat_sites,
            )

    def _rfa(self, result: ProcedureResult, ctx: Context) -> Iterator[Finding]:
        procedure = result.procedure
        detail = procedure.rfa
        if detail is None:
            yield self.finding(
                "MCD-RFA-THERMAL", "the RFA technique is not recorded: only thermal RFA is covered", WARN
            )
        elif detail.technique != "thermal":
            yield self.finding(
                "MCD-RFA-THERMAL", f"{detail.technique} denervation is not covered; only thermal RFA"
            )
        elif detail.temperature_c is not None and exact(detail.temperature_c) < self.number(
            "rfa_min_temperature_c"
        ):
            yield self.finding(
                "MCD-RFA-THERMAL",
                f"{detail.temperature_c:g} degrees C is low-grade thermal; {float(self.number('rfa_min_temperature_c')):g} or more is covered",
            )
        repeat_sites = {s for s in procedure.sites if ctx.latest(s, "rfa") is not None}
        initial_sites = procedure.sites - repeat_sites
        missing = [s for s in initial_sites if not self._two_positive(ctx, s, mbb_only=True)]
        if missing:
            yield self.finding(
                "MCD-RFA-PREREQ", f"no two consecutive positive diagnostic MBBs at {sites_text(missing)}"
            )
        stale = {s for s in repeat_sites if self._rfa_is_stale(ctx.latest(s, "rfa"), procedure.date)}
        undiagnosed = [s for s in stale if not self._two_positive(ctx, s, mbb_only=True)]
        if undiagnosed:
            years = self.number("rediagnosis_years")
            yield self.finding(
                "MCD-RFA-REDIAGNOSE",
                f"the last RFA at {sites_text(undiagnosed)} was {count_text(years, 'year')} or more ago: repeat two diagnostic MBBs first",
            )
        if repeat_sites - stale:
            yield from self._repeat(
                procedure,
                ctx,
                kind="rfa",
                rule="MCD-RFA-REPEAT",
                months_param="repeat_rfa_months",
                sites=repeat_sites - stale,
            )

    def _cyst(self, procedure: Procedure, ctx: Context) -> Iterator[Finding]:
        if not ctx.assessment.facet_synovial_cyst:
            yield self.finding("MCD-CYST", "no facet synovial cyst on imaging is recorded in the assessment")
        earlier = {r.id: r for s in procedure.sites for r in ctx.at_site(s) if r.procedure.type == "cyst"}
        if len(earlier) >= 2:
            yield self.finding(
                "MCD-CYST-REPEAT", "the cyst has already been treated twice: once more is the limit"
            )
        elif earlier:
            (previous,) = earlier.values()
            months = self._sustained_months(previous, ctx)
            if months is None or months < self.number("repeat_tx_months"):
                got = "no follow-up recorded" if months is None else count_text(months, "month")
                yield self.finding(
                    "MCD-CYST-REPEAT",
                    f"a repeat needs {self._sustained_text('repeat_tx_months', 'improvement')} after {previous.id}: {got}",
                )

    # -- shared pieces --

    def _sustained_text(self, months_param: str, what: str = "relief") -> str:
        """`at least 50 % relief for 3 months`, from the policy's parameters."""
        threshold = percent_text(self.number("sustained_threshold"))
        return f"at least {threshold} {what} for {count_text(self.number(months_param), 'month')}"

    def _two_positive(self, ctx: Context, site: tuple[str, str], *, mbb_only: bool) -> bool:
        """The two latest diagnostic blocks at a site (two in a row) are positive, medically necessary blocks."""
        latest_two = ctx.diagnostic_blocks_since_rfa(site)[:2]
        return len(latest_two) == 2 and all(
            r.positive and r.meets_criteria and (r.procedure.type == "mbb" or not mbb_only)
            for r in latest_two
        )

    def _rfa_is_stale(self, rfa: ProcedureResult | None, on: date) -> bool:
        return rfa is not None and on >= add_months(
            rfa.procedure.date, 12 * int(self.number("rediagnosis_years"))
        )

    def _sustained_months(self, previous: ProcedureResult, ctx: Context) -> int | None:
        sustained = ctx.sustained(previous, self.number("sustained_threshold"))
        return None if sustained is None else sustained.months

    def _repeat(self, procedure: Procedure, ctx: Context, *, kind: str, rule: str, months_param: str,
                sites: set[tuple[str, str]] | None = None) -> Iterator[Finding]:  # fmt: skip
        needed = self.number(months_param)
        previous = {
            r.id: r
            for s in (sites or procedure.sites)
            if (r := ctx.latest(s, kind, "therapeutic")) is not None
        }
        for prior in previous.values():
            sustained = ctx.sustained(prior, self.number("sustained_threshold"))
            if sustained is None:
                yield self.finding(
                    rule,
                    f"no follow-up recorded after {prior.id} ({prior.procedure.date}) to show how long relief lasted",
                )
                continue
            months = sustained.months
            if months < needed:
                threshold = percent_text(self.number("sustained_threshold"))
                yield self.finding(
                    rule,
                    f"relief of at least {threshold} lasted {count_text(months, 'month')} after {prior.id}; {count_text(needed, 'month')} are needed",
                )
            elif sustained.by_pain_months < needed:
                yield self.finding(
                    rule,
                    f"{count_text(months, 'month')} qualify through function improvement, not pain relief alone (OQ7, OQ8)",
                    WARN,
                )

    # -- next step --

    def next_step(self, result: ProcedureResult, ctx: Context) -> NextStep:
        procedure = result.procedure
        joints = joint_list(procedure.joint_names)
        if denial := first_denial(result):
            return NextStep(Action.RESOLVE, f"not covered as recorded: {denial}")
        if result.role == "cyst":
            again = add_months(procedure.date, int(self.number("repeat_tx_months")))
            return NextStep(
                Action.FOLLOW_UP,
                f"follow up: a repeat needs {self._sustained_text('repeat_tx_months', 'improvement')}",
                again,
            )
        if procedure.type == "rfa" or procedure.intent == "therapeutic":
            months = "repeat_rfa_months" if procedure.type == "rfa" else "repeat_tx_months"
            again = add_months(procedure.date, int(self.number(months)))
            what = f"a repeat RFA at {joints}" if procedure.type == "rfa" else "a repeat injection"
            return NextStep(
                Action.FOLLOW_UP,
                f"follow up; {what} may follow from {again} if relief of at least {percent_text(self.number('sustained_threshold'))} lasts until then",
                again,
            )
        return self._diagnostic_next(result, joints)

    def _diagnostic_next(self, result: ProcedureResult, joints: str) -> NextStep:
        procedure = result.procedure
        if result.response == "pending":
            return DIARY_STEP
        if result.response in ("negative", "placebo"):
            return NextStep(
                Action.LOOK_ELSEWHERE,
                f"{result.response} at {joints}: look for another source (other levels or another diagnosis)",
            )
        if result.response == "discordant":
            return NextStep(
                Action.RECONSIDER,
                f"relief did not fit the anaesthetic at {joints}: repeat the first block or reconsider the diagnosis",
            )
        if result.role == "diagnostic-1":
            earliest = add_days(procedure.date, int(self.number("dx_interval_days")))
            return NextStep(Action.SECOND_BLOCK, f"second block at {joints} on or after {earliest}", earliest)
        if procedure.type == "mbb":
            return NextStep(Action.RFA, f"meets criteria for RFA at {joints}")
        return NextStep(
            Action.THERAPEUTIC_INJECTION,
            f"meets criteria for a therapeutic IA injection at {joints} if RFA is unsuitable; RFA needs two positive MBBs",
        )


def _days_text(days: int) -> str:
    """`2 weeks` for 14 days (the LCD's words), `10 days` otherwise."""
    return count_text(days // 7, "week") if days % 7 == 0 else count_text(days, "day")
