"""The `facetpath.case/1` case file: typed model and validation (../shared/spec/case-format.md §1, §3).

Validation collects every error it finds, each naming its field by JSON path
(`procedures[1].joints[0]: "L6-S1" is not a facet joint`), and a case with any error is rejected whole.
Choices where the spec is silent are listed in docs/case-format.md.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, TypeVar

from .anatomy import Joint, JointError, Region, parse_joint
from .scales import PAIN_SCALES, pain_scale_label, pain_scale_top

CASE_FORMAT: Final = "facetpath.case/1"

SEXES: Final = ("female", "male", "other", "unknown")
REGIONS: Final = tuple(region.value for region in Region)
DISABILITY_INSTRUMENTS: Final = ("ODI", "NDI", "PROMIS-PI")
PROCEDURE_TYPES: Final = ("mbb", "ia", "rfa", "cyst")
INTENTS: Final = ("diagnostic", "therapeutic")
SIDES: Final = ("left", "right", "bilateral")
GUIDANCE: Final = ("fluoroscopy", "ct", "ultrasound", "none")
SEDATION: Final = ("none", "moderate", "mac", "general")
AGENT_NAMES: Final = ("lidocaine", "bupivacaine", "ropivacaine", "saline")
RFA_TECHNIQUES: Final = ("thermal", "pulsed", "cryo", "chemical")

Number = int | float


class CaseError(ValueError):
    """A case that breaks the format. `errors` holds one `path: message` line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# --- The model -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Patient:
    id: str
    birth_date: date | None = None
    sex: str | None = None


@dataclass(frozen=True, slots=True)
class Disability:
    instrument: str
    score: Number


@dataclass(frozen=True, slots=True)
class ConservativeCare:
    modality: str
    weeks: Number
    failed: bool


@dataclass(frozen=True, slots=True)
class Assessment:
    date: date
    region: Region
    pain_duration_months: Number
    axial_predominant: bool
    pain_scale: str
    baseline_pain: Number
    conservative_care: tuple[ConservativeCare, ...]
    untreated_radiculopathy: bool
    neurogenic_claudication: bool
    non_facet_cause: bool
    facet_synovial_cyst: bool
    index_pain: str | None = None
    disability: Disability | None = None

    @property
    def scale_max(self) -> int:
        return pain_scale_top(self.pain_scale)


@dataclass(frozen=True, slots=True)
class Agent:
    name: str
    concentration_percent: Number
    volume_ml_per_nerve: Number


@dataclass(frozen=True, slots=True)
class SteroidDose:
    name: str
    dose_mg: Number


@dataclass(frozen=True, slots=True)
class RfaDetail:
    technique: str
    temperature_c: Number | None = None


@dataclass(frozen=True, slots=True)
class DiaryPoint:
    minutes: Number
    pain: Number


@dataclass(frozen=True, slots=True)
class FollowUp:
    date: date
    pain: Number | None = None
    disability: Disability | None = None


@dataclass(frozen=True, slots=True)
class Procedure:
    id: str
    date: date
    type: str
    intent: str
    joints: tuple[Joint, ...]
    side: str
    guidance: str
    sedation: str
    position: int  # index in the case's procedures list
    sedation_reason: str | None = None
    agent: Agent | None = None
    steroid: SteroidDose | None = None
    rfa: RfaDetail | None = None
    early_repeat_reason: str | None = None
    rfa_unsuitable_reason: str | None = None
    pre_pain: Number | None = None
    diary: tuple[DiaryPoint, ...] | None = None  # sorted by minutes
    follow_up: tuple[FollowUp, ...] | None = None  # sorted by date
    # (joint, side) pairs this procedure covers; a bilateral procedure covers both sides.
    sites: frozenset[tuple[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sites = frozenset((joint.name, side) for joint in self.joints for side in self.sides)
        object.__setattr__(self, "sites", sites)  # derived once: the engine asks for it constantly

    @property
    def sides(self) -> tuple[str, ...]:
        return ("left", "right") if self.side == "bilateral" else (self.side,)

    @property
    def is_diagnostic_block(self) -> bool:
        return self.type in ("mbb", "ia") and self.intent == "diagnostic"

    @property
    def joint_names(self) -> tuple[str, ...]:
        return tuple(joint.name for joint in self.joints)


@dataclass(frozen=True, slots=True)
class Case:
    patient: Patient
    assessment: Assessment
    procedures: tuple[Procedure, ...]


# --- Reading ---------------------------------------------------------------------------------------

T = TypeVar("T")


def load_case_json(text: str | bytes) -> Case:
    """Parses JSON text and validates it as a case; CaseError for either failure."""
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep, a number too long
        raise CaseError([f"case: not valid JSON: {exc}"]) from None
    return parse_case(data)


def _finite_float(text: str) -> float:
    """A JSON number as a float; 1e999 (infinity in Python) is no score or date anyone wrote."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is too large")
    return value


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not a JSON number")


def parse_case(data: object) -> Case:
    """Validates a decoded case document and returns its model; CaseError lists every problem."""
    reader = _Reader()
    case = reader.case(data)
    if reader.errors or case is None:
        raise CaseError(reader.errors or ["case: invalid"])
    return case


def _describe(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if _is_jsonable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_jsonable(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def _choices(options: tuple[str, ...]) -> str:
    return ", ".join(options)


class _Reader:
    """Reads one case, collecting errors instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.scale: str | None = None  # the assessment's pain scale, once it has been read as valid

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    # -- primitive readers (each returns None after recording an error) --

    def fields(
        self, value: object, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_describe(value)}")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.fail(_join(path, key), "unknown field")
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "required field is missing")
        return value

    def string(self, value: object, path: str) -> str | None:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {_describe(value)}")
            return None
        if not value.strip():
            self.fail(path, "must not be empty")
            return None
        return value

    def boolean(self, value: object, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {_describe(value)}")
            return None
        return value

    def number(
        self, value: object, path: str, low: Number | None = None, high: Number | None = None, what: str = ""
    ) -> Number | None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(path, f"expected a number, got {_describe(value)}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(path, f"{_describe(value)} is outside {what or _range(low, high)}")
            return None
        return value

    def positive(self, value: object, path: str) -> Number | None:
        number = self.number(value, path, low=0)
        if number == 0:
            self.fail(path, "must be more than 0")
            return None
        return number

    def choice(self, value: object, path: str, options: tuple[str, ...]) -> str | None:
        if not isinstance(value, str) or value not in options:
            self.fail(path, f"{_describe(value)} is not one of {_choices(options)}")
            return None
        return value

    def day(self, value: object, path: str) -> date | None:
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, f"{_describe(value)} is not a date (YYYY-MM-DD)")
        return None

    def pain(self, value: object, path: str) -> Number | None:
        if self.scale is None:  # the scale itself was invalid; only the type can be checked
            return self.number(value, path)
        top = pain_scale_top(self.scale)
        return self.number(value, path, 0, top, what=f"the {pain_scale_label(self.scale)}")

    def items(self, value: object, path: str, read: Callable[[object, str], T | None]) -> list[T] | None:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_describe(value)}")
            return None
        results = [read(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return [r for r in results if r is not None] if len(results) == len(value) else None

    def optional(
        self, obj: Mapping[str, Any], key: str, path: str, read: Callable[[object, str], T | None]
    ) -> T | None:
        value = obj.get(key)
        return None if value is None else read(value, _join(path, key))

    # -- the case --

    def case(self, data: object) -> Case | None:
        obj = self.fields(data, "case", ("format", "patient", "assessment", "procedures"))
        if obj is None:
            return None
        if "format" in obj and obj["format"] != CASE_FORMAT:
            self.fail("format", f'{_describe(obj["format"])} is not "{CASE_FORMAT}"')
        patient = self.patient(obj["patient"], "patient") if "patient" in obj else None
        assessment = self.assessment(obj["assessment"], "assessment") if "assessment" in obj else None
        procedures = self.procedures(obj["procedures"], "procedures") if "procedures" in obj else None
        if self.errors or patient is None or assessment is None or procedures is None:
            return None
        return Case(patient, assessment, procedures)

    def patient(self, value: object, path: str) -> Patient | None:
        obj = self.fields(value, path, ("id",), ("birth_date", "sex"))
        if obj is None:
            return None
        pid = self.string(obj.get("id"), f"{path}.id") if "id" in obj else None
        birth = self.optional(obj, "birth_date", path, self.day)
        sex = self.optional(obj, "sex", path, lambda v, p: self.choice(v, p, SEXES))
        return None if pid is None else Patient(pid, birth, sex)

    def disability(self, value: object, path: str) -> Disability | None:
        obj = self.fields(value, path, ("instrument", "score"))
        if obj is None or not _has(obj, ("instrument", "score")):
            return None
        instrument = self.choice(obj["instrument"], f"{path}.instrument", DISABILITY_INSTRUMENTS)
        what = "the T-score range (0-100)" if instrument == "PROMIS-PI" else "0-100 %"
        score = self.number(obj["score"], f"{path}.score", 0, 100, what=what)
        return None if instrument is None or score is None else Disability(instrument, score)

    def care(self, value: object, path: str) -> ConservativeCare | None:
        obj = self.fields(value, path, ("modality", "weeks", "failed"))
        if obj is None or not _has(obj, ("modality", "weeks", "failed")):
            return None
        modality = self.string(obj["modality"], f"{path}.modality")
        weeks = self.number(obj["weeks"], f"{path}.weeks", low=0)
        failed = self.boolean(obj["failed"], f"{path}.failed")
        if modality is None or weeks is None or failed is None:
            return None
        return ConservativeCare(modality, weeks, failed)

    def assessment(self, value: object, path: str) -> Assessment | None:
        required = (
            "date", "region", "pain_duration_months", "axial_predominant", "pain_scale", "baseline_pain",
            "conservative_care", "untreated_radiculopathy", "neurogenic_claudication", "non_facet_cause",
            "facet_synovial_cyst",
        )  # fmt: skip
        obj = self.fields(value, path, required, ("index_pain", "disability"))
        if obj is None:
            return None
        p = path + "."
        scale = (
            self.choice(obj["pain_scale"], p + "pain_scale", tuple(PAIN_SCALES))
            if "pain_scale" in obj
            else None
        )
        self.scale = scale if scale in PAIN_SCALES else None
        when = self.day(obj["date"], p + "date") if "date" in obj else None
        region = self.choice(obj["region"], p + "region", REGIONS) if "region" in obj else None
        months = (
            self.number(obj["pain_duration_months"], p + "pain_duration_months", low=0)
            if "pain_duration_months" in obj
            else None
        )
        baseline = self.pain(obj["baseline_pain"], p + "baseline_pain") if "baseline_pain" in obj else None
        care = (
            self.items(obj["conservative_care"], p + "conservative_care", self.care)
            if "conservative_care" in obj
            else None
        )
        flags = {
            key: self.boolean(obj[key], p + key) if key in obj else None
            for key in (
                "axial_predominant", "untreated_radiculopathy", "neurogenic_claudication", "non_facet_cause",
                "facet_synovial_cyst",
            )
        }  # fmt: skip
        index_pain = self.optional(obj, "index_pain", path, self.string)
        disability = self.optional(obj, "disability", path, self.disability)
        if (
            scale is None
            or when is None
            or region is None
            or months is None
            or baseline is None
            or care is None
        ):
            return None
        if any(flag is None for flag in flags.values()):
            return None
        return Assessment(
            date=when,
            region=Region(region),
            pain_duration_months=months,
            pain_scale=scale,
            baseline_pain=baseline,
            conservative_care=tuple(care),
            index_pain=index_pain,
            disability=disability,
            **flags,  # type: ignore[arg-type]
        )

    def procedures(self, value: object, path: str) -> tuple[Procedure, ...] | None:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_describe(value)}")
            return None
        results = [self.procedure(item, f"{path}[{i}]", i) for i, item in enumerate(value)]
        seen: dict[str, int] = {}
        for i, item in enumerate(value):
            pid = item.get("id") if isinstance(item, dict) else None
            if isinstance(pid, str) and pid in seen:
                self.fail(f"{path}[{i}].id", f"{_describe(pid)} repeats {path}[{seen[pid]}].id")
            elif isinstance(pid, str):
                seen[pid] = i
        if any(r is None for r in results):
            return None
        return tuple(r for r in results if r is not None)

    def joints(self, value: object, path: str) -> tuple[Joint, ...] | None:
        if not isinstance(value, list) or not value:
            self.fail(path, f"expected a non-empty list of joints, got {_describe(value)}")
            return None
        joints: list[Joint] = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.fail(f"{path}[{i}]", f"expected a joint name, got {_describe(item)}")
                continue
            try:
                joint = parse_joint(item)
            except JointError as exc:
                self.fail(f"{path}[{i}]", str(exc))
                continue
            if joint in joints:
                self.fail(f"{path}[{i}]", f"{joint.name} is listed twice")
                continue
            joints.append(joint)
        if len(joints) != len(value):
            return None
        return tuple(sorted(joints, key=lambda joint: joint.order))

    def agent(self, value: object, path: str) -> Agent | None:
        obj = self.fields(value, path, ("name", "concentration_percent", "volume_ml_per_nerve"))
        if obj is None or not _has(obj, ("name", "concentration_percent", "volume_ml_per_nerve")):
            return None
        name = self.choice(obj["name"], f"{path}.name", AGENT_NAMES)
        concentration = self.number(obj["concentration_percent"], f"{path}.concentration_percent", 0, 100)
        volume = self.positive(obj["volume_ml_per_nerve"], f"{path}.volume_ml_per_nerve")
        if name is None or concentration is None or volume is None:
            return None
        return Agent(name, concentration, volume)

    def steroid(self, value: object, path: str) -> SteroidDose | None:
        obj = self.fields(value, path, ("name", "dose_mg"))
        if obj is None or not _has(obj, ("name", "dose_mg")):
            return None
        name = self.string(obj["name"], f"{path}.name")
        dose = self.positive(obj["dose_mg"], f"{path}.dose_mg")
        return None if name is None or dose is None else SteroidDose(name, dose)

    def rfa_detail(self, value: object, path: str) -> RfaDetail | None:
        obj = self.fields(value, path, ("technique",), ("temperature_c",))
        if obj is None or "technique" not in obj:
            return None
        technique = self.choice(obj["technique"], f"{path}.technique", RFA_TECHNIQUES)
        temperature = self.optional(obj, "temperature_c", path, lambda v, p: self.number(v, p, -200, 150))
        if technique is None or (
            "temperature_c" in obj and obj["temperature_c"] is not None and temperature is None
        ):
            return None
        return RfaDetail(technique, temperature)

    def diary_point(self, value: object, path: str) -> DiaryPoint | None:
        obj = self.fields(value, path, ("minutes", "pain"))
        if obj is None or not _has(obj, ("minutes", "pain")):
            return None
        minutes = self.number(obj["minutes"], f"{path}.minutes", low=0)
        pain = self.pain(obj["pain"], f"{path}.pain")
        return None if minutes is None or pain is None else DiaryPoint(minutes, pain)

    def follow_up_entry(self, value: object, path: str) -> FollowUp | None:
        obj = self.fields(value, path, ("date",), ("pain", "disability"))
        if obj is None or "date" not in obj:
            return None
        when = self.day(obj["date"], f"{path}.date")
        pain = self.optional(obj, "pain", path, self.pain)
        disability = self.optional(obj, "disability", path, self.disability)
        bad = (obj.get("pain") is not None and pain is None) or (
            obj.get("disability") is not None and disability is None
        )
        return None if when is None or bad else FollowUp(when, pain, disability)

    def procedure(self, value: object, path: str, position: int) -> Procedure | None:
        required = ("id", "date", "type", "joints", "side", "guidance", "sedation")
        optional = (
            "intent", "sedation_reason", "agent", "steroid", "rfa", "early_repeat_reason", "rfa_unsuitable_reason",
            "pre_pain", "diary", "follow_up",
        )  # fmt: skip
        obj = self.fields(value, path, required, optional)
        if obj is None:
            return None
        p = path + "."
        errors_before = len(self.errors)
        pid = self.string(obj["id"], p + "id") if "id" in obj else None
        when = self.day(obj["date"], p + "date") if "date" in obj else None
        kind = self.choice(obj["type"], p + "type", PROCEDURE_TYPES) if "type" in obj else None
        intent = self._intent(obj, p, kind)
        joints = self.joints(obj["joints"], p + "joints") if "joints" in obj else None
        side = self.choice(obj["side"], p + "side", SIDES) if "side" in obj else None
        guidance = self.choice(obj["guidance"], p + "guidance", GUIDANCE) if "guidance" in obj else None
        sedation = self.choice(obj["sedation"], p + "sedation", SEDATION) if "sedation" in obj else None
        agent = self.optional(obj, "agent", path, self.agent)
        if kind in ("mbb", "ia", "cyst") and obj.get("agent") is None:
            self.fail(p + "agent", f"required for type {kind}")
        rfa = self.optional(obj, "rfa", path, self.rfa_detail)
        if kind is not None and kind != "rfa" and obj.get("rfa") is not None:
            self.fail(p + "rfa", "only for type rfa")
        diary = self.optional(obj, "diary", path, lambda v, q: self.items(v, q, self.diary_point))
        if diary is not None:
            self._no_repeated_minutes(diary, p + "diary")
        follow_up = self.optional(obj, "follow_up", path, lambda v, q: self.items(v, q, self.follow_up_entry))
        if follow_up is not None and when is not None:
            for i, entry in enumerate(follow_up):
                if entry.date < when:
                    self.fail(f"{p}follow_up[{i}].date", f"{entry.date} is before the procedure date {when}")
        procedure = Procedure(
            id=pid or "",
            date=when or date.min,
            type=kind or "",
            intent=intent or "",
            joints=joints or (),
            side=side or "",
            guidance=guidance or "",
            sedation=sedation or "",
            position=position,
            sedation_reason=self.optional(obj, "sedation_reason", path, self.string),
            agent=agent,
            steroid=self.optional(obj, "steroid", path, self.steroid),
            rfa=rfa,
            early_repeat_reason=self.optional(obj, "early_repeat_reason", path, self.string),
            rfa_unsuitable_reason=self.optional(obj, "rfa_unsuitable_reason", path, self.string),
            pre_pain=self.optional(obj, "pre_pain", path, self.pain),
            diary=None if diary is None else tuple(sorted(diary, key=lambda point: point.minutes)),
            follow_up=None if follow_up is None else tuple(sorted(follow_up, key=lambda entry: entry.date)),
        )
        return None if len(self.errors) > errors_before else procedure

    def _intent(self, obj: Mapping[str, Any], p: str, kind: str | None) -> str | None:
        if kind in ("rfa", "cyst"):
            if obj.get("intent") is not None and obj["intent"] != "therapeutic":
                self.fail(p + "intent", f"a {kind} procedure is always therapeutic")
                return None
            return "therapeutic"
        if obj.get("intent") is None:
            if kind is not None:
                self.fail(p + "intent", f"required for type {kind}")
            return None
        return self.choice(obj["intent"], p + "intent", INTENTS)

    def _no_repeated_minutes(self, diary: list[DiaryPoint], path: str) -> None:
        seen: set[Number] = set()
        for i, point in enumerate(diary):
            if point.minutes in seen:
                self.fail(
                    f"{path}[{i}].minutes", f"{_describe(point.minutes)} minutes appears twice in the diary"
                )
            seen.add(point.minutes)


def _has(obj: Mapping[str, Any], keys: tuple[str, ...]) -> bool:
    return all(key in obj for key in keys)


def _join(path: str, key: str) -> str:
    return key if path == "case" else f"{path}.{key}"


def _range(low: Number | None, high: Number | None) -> str:
    if high is None:
        return f"the allowed range (at least {low})"
    return f"the allowed range ({low}-{high})"
