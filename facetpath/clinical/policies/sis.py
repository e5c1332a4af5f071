"""`sis`: Spine Intervention Society (Bogduk) comparative local anaesthetic blocks.

Source: ../shared/reference/clinical-guidelines.md §2. The same joints are blocked twice with agents of
different duration; both must give at least 80 % relief and the long-acting agent's relief must outlast
the short-acting one's (concordant). Relief after saline is a placebo response.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..agents import AGENTS, Acting
from ..case import Assessment, Procedure
from ..dates import add_months
from ..findings import Finding, Parameter, Rule
from ..relief import ReliefRun
from ..results import Action, NextStep, ProcedureResult
from .base import (
    DENY,
    DIARY_STEP,
    GUIDELINES,
    WARN,
    C,
    Context,
    F,
    L,
    Policy,
    count_text,
    first_denial,
    joint_list,
    percent_text,
    sites_text,
)


class SpineInterventionSociety(Policy):
    name = "sis"
    version = "2013.1"
    title = "Spine Intervention Society: comparative local anaesthetic blocks"
    summary = (
        "Two blocks of the same joints with a short- and a long-acting anaesthetic, each with at least "
        "{positive_threshold:%} relief, the long-acting one's relief lasting longer (concordant); relief after "
        "saline is placebo."
    )
    sources = (
        "Bogduk N, SIS Practice Guidelines for Spinal Diagnostic and Treatment Procedures",
        "Barnsley L et al. Pain 1993;55:99-106; Lord SM et al. Clin J Pain 1995;11:208-13",
    )
    positive_threshold = 80
    gate_rule = "SIS-GATE"
    cyst_exempt_rules = frozenset({"SIS-GATE-AXIAL"})

    policy_rules: ClassVar[tuple[Rule, ...]] = (
        Rule("SIS-GATE", "procedures need a patient who meets the selection criteria", f"{GUIDELINES} §6.8", C, DENY),
        Rule("SIS-BLOCK-TYPE", "medial branch blocks, not intra-articular blocks, select patients for RFA", f"{GUIDELINES} §1.8, §2", L, WARN),
        Rule("SIS-GATE-NONFACET", "another cause explains the pain", f"{GUIDELINES} §6.8", C, DENY),
        Rule("SIS-GATE-AXIAL", "mainly axial pain without radicular symptoms", f"{GUIDELINES} §7.8, §7.9", C, WARN),
        Rule("SIS-GUIDANCE", "fluoroscopy or CT for target-specific blocks", f"{GUIDELINES} §2.1, §1.6", L, DENY),
        Rule("SIS-COMPARATIVE", "the second block uses an agent of different duration at the same joints", f"{GUIDELINES} §2.3", C, WARN),
        Rule("SIS-CONCORDANCE", "the long-acting agent's relief outlasts the short-acting one's", f"{GUIDELINES} §2.3, §2.5, §2.7", C, WARN),
        Rule("SIS-PLACEBO", "relief after saline is a placebo response", f"{GUIDELINES} §2.2, §2.4", C, WARN),
        Rule("SIS-SEDATION", "sedation during a diagnostic block can inflate relief", f"{GUIDELINES} §1.18, §1.32", C, WARN),
        Rule("SIS-RFA-PREREQ", "RFA after concordant comparative blocks or a placebo-controlled positive", f"{GUIDELINES} §2.2, §2.3, §2.8", L, DENY),
        Rule("SIS-RFA-REPEAT", "repeat RFA after at least {sustained_threshold:%} relief for at least {repeat_rfa_months:month} (facetpath default)", f"{GUIDELINES} §1.30; no SIS figure in the reference", F, DENY),
    )  # fmt: skip

    policy_parameters: ClassVar[tuple[Parameter, ...]] = (
        Parameter("complete_relief_required", False, "count only 100 % relief as positive (the strict SIS standard) instead of 80 %", f"{GUIDELINES} §2.8", L),
        Parameter("repeat_rfa_months", 6, "months of sustained relief before a repeat RFA", "facetpath convention", F),
        Parameter("sustained_threshold", 50, "percent relief after an RFA that counts as sustained", f"{GUIDELINES} §1.30; no SIS figure in the reference", F),
    )  # fmt: skip

    def configure(self) -> None:
        if self.flag("complete_relief_required"):
            self.positive_threshold = 100

    def assess_patient(self, a: Assessment) -> list[Finding]:
        found: list[Finding] = []
        if a.non_facet_cause:
            found.append(
                self.finding(
                    "SIS-GATE-NONFACET",
                    "another cause (fracture, tumour, infection, deformity) explains the pain",
                )
            )
        if not a.axial_predominant or a.untreated_radiculopathy:
            found.append(
                self.finding(
                    "SIS-GATE-AXIAL",
                    "radiating or radicular pain: facet blocks are less likely to be the answer",
                )
            )
        return found

    def agent_min_hours(self, agent: str) -> float:
        return 0.0  # duration is judged by comparing the two blocks, not against a fixed window

    def comparator(self, procedure: Procedure, ctx: Context) -> ProcedureResult | None:
        """The earlier positive local anaesthetic block at these joints that this block is compared with."""
        for site in sorted(procedure.sites):
            for block in ctx.diagnostic_blocks_since_rfa(site):
                if block.positive and block.procedure.agent and block.procedure.agent.name != "saline":
                    return block
        return None

    def response(self, procedure: Procedure, run: ReliefRun | None, ctx: Context) -> str:
        answer = super().response(procedure, run, ctx)
        earlier = self.comparator(procedure, ctx)
        if answer != "positive" or earlier is None or run is None or earlier.relief_run is None:
            return answer
        assert procedure.agent is not None and earlier.procedure.agent is not None
        mine, theirs = AGENTS[procedure.agent.name].acting, AGENTS[earlier.procedure.agent.name].acting
        if mine is theirs:
            return answer  # a repeat with the same kind of agent is not a comparison (reported below)
        if mine is Acting.LONG:
            return concordance(run, earlier.relief_run)
        return concordance(earlier.relief_run, run)

    def procedure_findings(self, result: ProcedureResult, ctx: Context) -> list[Finding]:
        procedure = result.procedure
        found: list[Finding] = []
        if procedure.guidance not in ("fluoroscopy", "ct"):
            severity = WARN if procedure.guidance == "ultrasound" else DENY
            found.append(
                self.finding(
                    "SIS-GUIDANCE",
                    f"{procedure.guidance} guidance: blocks need fluoroscopy or CT to be target-specific",
                    severity,
                )
            )
        if procedure.type == "rfa":
            found.extend(self._rfa(procedure, ctx))
        elif procedure.is_diagnostic_block:
            found.extend(self._diagnostic(result, ctx))
        return found

    def _diagnostic(self, result: ProcedureResult, ctx: Context) -> Iterator[Finding]:
        procedure = result.procedure
        if procedure.sedation != "none":
            yield self.finding("SIS-SEDATION", f"{procedure.sedation} sedation can inflate relief")
        if result.response == "placebo":
            yield self.finding(
                "SIS-PLACEBO",
                "relief after saline: earlier positive blocks at these joints may be false positives",
            )
        earlier = self.comparator(procedure, ctx)
        if earlier is None or procedure.agent is None or procedure.agent.name == "saline":
            return
        assert earlier.procedure.agent is not None
        if AGENTS[procedure.agent.name].acting is AGENTS[earlier.procedure.agent.name].acting:
            yield self.finding(
                "SIS-COMPARATIVE",
                f"{procedure.agent.name} after {earlier.procedure.agent.name} ({earlier.id}): a comparative block needs an agent of different duration",
            )
        elif result.response == "pending" and procedure.diary and result.relief_run is not None:
            yield self.finding(
                "SIS-CONCORDANCE",
                f"a diary ended while relief held, so whether the long-acting relief outlasted the short-acting relief ({earlier.id}) is not known yet",
            )
        elif result.response == "discordant":
            yield self.finding(
                "SIS-CONCORDANCE",
                f"the long-acting block's relief did not outlast the short-acting block's ({earlier.id}): discordant",
            )

    def _rfa(self, procedure: Procedure, ctx: Context) -> Iterator[Finding]:
        repeat = {s for s in procedure.sites if ctx.latest(s, "rfa") is not None}
        missing = [s for s in procedure.sites - repeat if not self._confirmed(ctx, s)]
        if missing:
            yield self.finding(
                "SIS-RFA-PREREQ",
                f"no concordant comparative or placebo-controlled blocks at {sites_text(missing)}",
            )
        by_ia = sorted(
            {
                b.id
                for s in procedure.sites - repeat
                for b in self._latest_pair(ctx, s)
                if b.procedure.type == "ia"
            }
        )
        if by_ia and not missing:
            yield self.finding(
                "SIS-BLOCK-TYPE",
                f"the qualifying blocks include intra-articular injections ({', '.join(by_ia)})",
            )
        needed, threshold = self.number("repeat_rfa_months"), self.number("sustained_threshold")
        for prior in {r.id: r for s in repeat if (r := ctx.latest(s, "rfa")) is not None}.values():
            sustained = ctx.sustained(prior, threshold)
            months = None if sustained is None else sustained.months
            if months is None or months < needed:
                got = "no follow-up recorded" if months is None else count_text(months, "month")
                yield self.finding(
                    "SIS-RFA-REPEAT",
                    f"relief of at least {percent_text(threshold)} after {prior.id}: {got}; {count_text(needed, 'month')} are needed",
                )

    @staticmethod
    def _latest_pair(ctx: Context, site: tuple[str, str]) -> list[ProcedureResult]:
        """The two latest local anaesthetic blocks at a site, newest first."""
        blocks = ctx.diagnostic_blocks_since_rfa(site)
        return [b for b in blocks if b.procedure.agent and b.procedure.agent.name != "saline"][:2]

    def _confirmed(self, ctx: Context, site: tuple[str, str]) -> bool:
        blocks = ctx.diagnostic_blocks_since_rfa(site)  # newest first
        if any(b.response == "placebo" for b in blocks):
            return False
        pair = self._latest_pair(ctx, site)
        if len(pair) < 2 or not all(b.positive for b in pair):
            return False
        latest, earlier = pair
        assert latest.procedure.agent and earlier.procedure.agent
        comparative = (
            AGENTS[latest.procedure.agent.name].acting is not AGENTS[earlier.procedure.agent.name].acting
        )
        saline_negative = any(
            b.procedure.agent and b.procedure.agent.name == "saline" and b.response == "negative"
            for b in blocks
        )
        return comparative or saline_negative

    def next_step(self, result: ProcedureResult, ctx: Context) -> NextStep:
        procedure = result.procedure
        joints = joint_list(procedure.joint_names)
        if denial := first_denial(result):
            return NextStep(Action.RESOLVE, f"does not meet SIS criteria as recorded: {denial}")
        if procedure.type == "rfa":
            again = add_months(procedure.date, int(self.number("repeat_rfa_months")))
            return NextStep(
                Action.FOLLOW_UP,
                f"follow up; a repeat RFA may follow from {again} if relief of at least {percent_text(self.number('sustained_threshold'))} lasts until then",
                again,
            )
        if not procedure.is_diagnostic_block:
            return NextStep(Action.FOLLOW_UP, "follow up and record relief and function")
        if result.response == "positive" and all(
            self._confirmed(ctx_with(ctx, result), s) for s in procedure.sites
        ):
            return NextStep(Action.RFA, f"concordant comparative blocks: meets criteria for RFA at {joints}")
        if result.response == "positive":
            short = procedure.agent is not None and AGENTS[procedure.agent.name].acting is Acting.SHORT
            other = "bupivacaine" if short else "lidocaine"
            return NextStep(
                Action.COMPARATIVE_BLOCK,
                f"comparative block at {joints} with {other}, the patient not told which",
            )
        if result.response == "pending":
            return DIARY_STEP
        if result.response == "discordant":
            return NextStep(
                Action.RECONSIDER, f"discordant at {joints}: consider a placebo-controlled block before RFA"
            )
        if result.response == "placebo":
            return NextStep(Action.LOOK_ELSEWHERE, "placebo response: do not proceed to RFA on these blocks")
        return NextStep(Action.LOOK_ELSEWHERE, f"{result.response} at {joints}: look for another source")


def concordance(long: ReliefRun, short: ReliefRun) -> str:
    """Comparative blocks: positive when the long-acting relief outlasted the short-acting relief.

    A run that reached the end of its diary is only a lower bound; where that leaves the comparison
    open, the answer is pending (add later scores), never a guess."""
    if short.lasts_to_end_of_diary:
        certain_discordant = long.hours <= short.hours and not long.lasts_to_end_of_diary
        return "discordant" if certain_discordant else "pending"
    if long.hours > short.hours:
        return "positive"
    return "pending" if long.lasts_to_end_of_diary else "discordant"


def ctx_with(ctx: Context, result: ProcedureResult) -> Context:
    """The context as it stands after `result`, for judging what the case now supports."""
    return Context(ctx.case, ctx.gate, (*ctx.prior, result), ctx.session, ctx.on)
