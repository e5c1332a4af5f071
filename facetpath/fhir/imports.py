"""A FHIR R4 Bundle read back into a `facetpath.case/1` document. Pure Python, no Django: the CLI's
`facetpath evaluate --fhir` and the API's evaluate endpoint call `case_from_bundle`.

What maps back (docs/fhir.md): the Patient (MRN, birth date, gender); the latest assessment
QuestionnaireResponse against facetpath's facet-assessment Questionnaire, with its baseline pain and
disability Observations; each Procedure (done) and active ServiceRequest (planned) with facetpath's
procedure-type coding, joints (facetpath joint code or a SNOMED site from the table), laterality and the
details facetpath's extensions carry; pain Observations `partOf` a procedure (before it, diary, follow-up) and
disability Observations at follow-up. Diary QuestionnaireResponses are the patient's raw words: their scores
are the Observations, so they are read for nothing else. Anything else the Bundle holds is left alone; what the
case needs and cannot find is an error naming the resource and element.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from facetpath.clinical.anatomy import SNOMED_FACET_JOINTS, SNOMED_LATERALITY
from facetpath.fhir import codes

SIDES_BY_SNOMED = {code: side for side, (code, _) in SNOMED_LATERALITY.items()}
JOINTS_BY_SNOMED = {site.code: joint for joint, site in SNOMED_FACET_JOINTS.items()}
PAIN_LOINC = {loinc: scale for scale, (loinc, _, _) in codes.PAIN_CODES.items()}
DISABILITY_LOINC = {loinc: name for name, (loinc, _, _) in codes.DISABILITY_CODES.items()}


@dataclass(frozen=True)
class Problem:
    resource: str  # "Procedure/proc-12", or the resource type when there is none
    element: str  # "bodySite[0].coding"
    message: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.element}: {self.message}"


class BundleError(ValueError):
    """The Bundle cannot become a case; `problems` names each resource and element."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


Resource = dict[str, Any]


class _Reader:
    def __init__(self, bundle: object) -> None:
        self.problems: list[Problem] = []
        self.by_ref: dict[str, Resource] = {}
        self.resources: list[Resource] = []
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise BundleError([Problem("Bundle", "resourceType", 'expected a FHIR "Bundle"')])
        entries = bundle.get("entry")
        if not isinstance(entries, list):
            raise BundleError([Problem("Bundle", "entry", "expected a list of entries")])
        for n, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                self.problem("Bundle", f"entry[{n}].resource", "expected a resource with a resourceType")
                continue
            self.resources.append(resource)
            self.by_ref[f"{resource['resourceType']}/{resource.get('id')}"] = resource
            if isinstance(entry.get("fullUrl"), str):
                self.by_ref[entry["fullUrl"]] = resource

    def problem(self, resource: Resource | str, element: str, message: str) -> None:
        name = resource if isinstance(resource, str) else f"{resource['resourceType']}/{resource.get('id')}"
        self.problems.append(Problem(name, element, message))

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources if r["resourceType"] == resource_type]

    def resolve(self, reference: object) -> Resource | None:
        if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
            found = self.by_ref.get(reference["reference"])
            if found is not None:
                return found
            # An absolute URL ending in Type/id names the same resource as the relative form.
            return self.by_ref.get("/".join(reference["reference"].rstrip("/").split("/")[-2:]))
        return None


# --- small readers ------------------------------------------------------------------------------------


def _codes(concept: object, system: str) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [
        str(c.get("code"))
        for c in concept.get("coding") or []
        if isinstance(c, dict) and c.get("system") == system
    ]


def _extension(resource: object, name: str) -> Any:
    if not isinstance(resource, dict):
        return None
    for ext in resource.get("extension") or []:
        if isinstance(ext, dict) and ext.get("url") == codes.EXT[name]:
            return next((value for key, value in ext.items() if key.startswith("value")), None)
    return None


def _answers(response: Resource) -> dict[str, list[Any]]:
    """linkId → answers (values) at the top level; groups as lists of their own answer maps."""
    found: dict[str, list[Any]] = {}
    for item in response.get("item") or []:
        if not isinstance(item, dict):
            continue
        if item.get("item"):
            found.setdefault(str(item.get("linkId")), []).append(_answers(item))
            continue
        for answer in item.get("answer") or []:
            value = next((v for k, v in answer.items() if k.startswith("value")), None)
            if isinstance(value, dict) and "code" in value:
                value = value["code"]
            found.setdefault(str(item.get("linkId")), []).append(value)
    return found


def _first(answers: dict[str, list[Any]], link_id: str) -> Any:
    values = answers.get(link_id) or [None]
    return values[0]


def _date(value: object) -> str | None:
    return value[:10] if isinstance(value, str) and len(value) >= 10 else None


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --- the case ------------------------------------------------------------------------------------------


def case_from_bundle(bundle: object) -> dict[str, Any]:
    """The facetpath.case/1 document a Bundle describes; BundleError listing every problem found."""
    reader = _Reader(bundle)
    patients = reader.of_type("Patient")
    if len(patients) != 1:
        reader.problem("Bundle", "entry", f"expected exactly one Patient, found {len(patients)}")
        raise BundleError(reader.problems)
    case: dict[str, Any] = {"format": "facetpath.case/1", "patient": _patient(patients[0])}
    scores = _scores(reader)
    case["assessment"] = _assessment(reader, scores)
    case["procedures"] = list(_procedures(reader, scores))
    if reader.problems:
        raise BundleError(reader.problems)
    return case


def _patient(resource: Resource) -> dict[str, Any]:
    identifiers = [i for i in resource.get("identifier") or [] if isinstance(i, dict) and i.get("value")]
    medical = [i for i in identifiers if "MR" in _codes(i.get("type"), codes.IDENTIFIER_TYPE)]
    chosen = (medical or identifiers or [{"value": resource.get("id")}])[0]
    found: dict[str, Any] = {"id": str(chosen["value"])}
    if resource.get("gender") in ("female", "male", "other", "unknown"):
        found["sex"] = resource["gender"]
    if _date(resource.get("birthDate")):
        found["birth_date"] = resource["birthDate"]
    return found


@dataclass
class Score:
    resource: Resource
    kind: str  # "pain" or the disability instrument
    value: float | int
    context: str | None
    procedure: Resource | None
    effective: object


def _scores(reader: _Reader) -> list[Score]:
    found = []
    for obs in reader.of_type("Observation"):
        if obs.get("status") in ("entered-in-error", "cancelled"):
            continue
        code = obs.get("code")
        pain = [PAIN_LOINC[c] for c in _codes(code, codes.LOINC) if c in PAIN_LOINC]
        instrument = _codes(code, codes.code_system("disability-instrument")) + [
            DISABILITY_LOINC[c] for c in _codes(code, codes.LOINC) if c in DISABILITY_LOINC
        ]
        if not pain and not instrument:
            continue  # not a score the case holds (an interpretation, a vital sign…): left alone
        quantity = obs.get("valueQuantity")
        value = quantity.get("value") if isinstance(quantity, dict) else obs.get("valueInteger")
        if not isinstance(value, int | float) or isinstance(value, bool):
            reader.problem(obs, "valueQuantity.value", "a score needs a number")
            continue
        part_of = obs.get("partOf") or []
        procedure = reader.resolve(part_of[0]) if part_of else None
        if part_of and procedure is None:
            reader.problem(obs, "partOf[0]", "names a procedure the Bundle does not hold")
            continue
        context = _extension(obs, "score-context")
        found.append(
            Score(
                obs,
                "pain" if pain else instrument[0],
                _number(value),
                context,
                procedure,
                obs.get("effectiveDateTime"),
            )
        )
    return found


def _assessment(reader: _Reader, scores: list[Score]) -> dict[str, Any] | None:
    wanted = codes.questionnaire_url(codes.ASSESSMENT_QUESTIONNAIRE)
    responses = [
        r
        for r in reader.of_type("QuestionnaireResponse")
        if str(r.get("questionnaire", "")).split("|")[0] == wanted and r.get("status") != "entered-in-error"
    ]
    if not responses:
        reader.problem(
            "QuestionnaireResponse", "questionnaire", f"no answers to {wanted}: the case needs an assessment"
        )
        return None
    response = max(responses, key=lambda r: (str(r.get("authored", "")), str(r.get("id", ""))))
    answers = _answers(response)
    found: dict[str, Any] = {"date": _date(response.get("authored"))}
    if found["date"] is None:
        reader.problem(response, "authored", "the assessment's date is missing")
    fields = {
        "region": "region",
        "index_pain": "index-pain",
        "pain_duration_months": "pain-duration-months",
        "axial_predominant": "axial-predominant",
        "pain_scale": "pain-scale",
        "untreated_radiculopathy": "untreated-radiculopathy",
        "neurogenic_claudication": "neurogenic-claudication",
        "non_facet_cause": "non-facet-cause",
        "facet_synovial_cyst": "facet-synovial-cyst",
    }
    for key, link_id in fields.items():
        value = _first(answers, link_id)
        if value is not None:
            found[key] = _number(value) if isinstance(value, float) else value
    found["conservative_care"] = [
        {
            "modality": _first(g, "modality"),
            "weeks": _number(_first(g, "weeks")),
            "failed": _first(g, "failed"),
        }
        for g in answers.get("conservative-care", [])
        if isinstance(g, dict)
    ]
    mine = f"QuestionnaireResponse/{response.get('id')}"
    baseline = [
        s
        for s in scores
        if s.procedure is None
        and (s.context in (None, "baseline"))
        and any(
            isinstance(d, dict) and d.get("reference") == mine for d in s.resource.get("derivedFrom") or []
        )
    ] or [s for s in scores if s.procedure is None and s.context in (None, "baseline")]
    pain = [s for s in baseline if s.kind == "pain"]
    if pain:
        found["baseline_pain"] = pain[-1].value
    else:
        reader.problem(
            "Observation", "code", "no baseline pain score (a pain Observation not partOf a procedure)"
        )
    disability = [s for s in baseline if s.kind != "pain"]
    if disability:
        found["disability"] = {"instrument": disability[-1].kind, "score": disability[-1].value}
    return found


def _procedures(reader: _Reader, scores: list[Score]) -> Iterator[dict[str, Any]]:
    done = [r for r in reader.of_type("Procedure") if r.get("status") not in ("not-done", "entered-in-error")]
    planned = [
        r for r in reader.of_type("ServiceRequest") if r.get("status") in ("active", "draft", "on-hold")
    ]
    read = [(r, _procedure(reader, r)) for r in done + planned]
    chosen = [(resource, procedure) for resource, procedure in read if procedure is not None]
    for resource, procedure in sorted(chosen, key=_order):
        _add_scores(reader, resource, procedure, [s for s in scores if s.procedure is resource])
        yield procedure


def _order(item: tuple[Resource, dict[str, Any]]) -> tuple[str, int, str]:
    """By date, then as facetpath numbers them (p9 before p10), so a day's procedures keep their order."""
    procedure = item[1]
    return str(procedure.get("date")), len(str(procedure.get("id"))), str(procedure.get("id"))


def _procedure(reader: _Reader, resource: Resource) -> dict[str, Any] | None:
    identifiers = [
        i.get("value")
        for i in resource.get("identifier") or []
        if isinstance(i, dict) and i.get("system") == codes.identifier_system("case-procedure")
    ]
    found: dict[str, Any] = {"id": str(identifiers[0] if identifiers else resource.get("id"))}
    day = (
        _date(resource.get("occurrenceDateTime"))
        if resource["resourceType"] == "ServiceRequest"
        else _date((resource.get("performedPeriod") or {}).get("start"))
        or _date(resource.get("performedDateTime"))
    )
    if day is None:
        element = "occurrenceDateTime" if resource["resourceType"] == "ServiceRequest" else "performed[x]"
        reader.problem(resource, element, "the date of service is missing")
        return None
    found["date"] = day
    kinds = [
        c for c in _codes(resource.get("code"), codes.code_system("procedure-type")) if c in codes.TYPE_LABELS
    ]
    if not kinds:
        reader.problem(
            resource, "code.coding", f"no procedure type from {codes.code_system('procedure-type')}"
        )
        return None
    found["type"] = kinds[0]
    categories = resource.get("category")
    if isinstance(categories, list):
        categories = categories[0] if categories else None
    intents = [c for c in _codes(categories, codes.code_system("procedure-type")) if c in codes.INTENT_LABELS]
    if intents:
        found["intent"] = intents[0]
    found["joints"], found["side"] = _sites(reader, resource)
    for name in ("guidance", "sedation", "sedation-reason", "early-repeat-reason", "rfa-unsuitable-reason"):
        value = _extension(resource, name)
        if value is not None:
            found[name.replace("-", "_")] = value
    _agent(resource, found)
    steroid = _extension(resource, "steroid")
    if steroid:
        found["steroid"] = {"name": steroid, "dose_mg": _extension(resource, "steroid-dose-mg")}
    technique = _extension(resource, "rfa-technique")
    if technique:
        found["rfa"] = {"technique": technique, "temperature_c": _extension(resource, "rfa-temperature-c")}
    for needed in ("guidance", "sedation"):
        if needed not in found:
            reader.problem(resource, "extension", f"no {codes.EXT[needed]} (the case needs the {needed})")
    return found


def _sites(reader: _Reader, resource: Resource) -> tuple[list[str], str]:
    joints, sides = [], set()
    for n, site in enumerate(resource.get("bodySite") or []):
        named = _codes(site, codes.code_system("facet-joint")) or [
            JOINTS_BY_SNOMED[c] for c in _codes(site, codes.SNOMED) if c in JOINTS_BY_SNOMED
        ]
        if not named:
            reader.problem(
                resource,
                f"bodySite[{n}].coding",
                "no facet joint facetpath knows (facet-joint code or SNOMED site)",
            )
            continue
        joints.append(named[0])
        side = [
            SIDES_BY_SNOMED[c]
            for c in _codes(_extension(site, "laterality"), codes.SNOMED)
            if c in SIDES_BY_SNOMED
        ]
        if not side:
            reader.problem(resource, f"bodySite[{n}].extension", f"no laterality ({codes.EXT['laterality']})")
        sides.update(side)
    if not joints and not resource.get("bodySite"):
        reader.problem(resource, "bodySite", "the joints treated are missing")
    if len(sides) > 1:
        reader.problem(
            resource, "bodySite", "the joints name different sides; the case has one side per procedure"
        )
    return joints, (sorted(sides) or ["bilateral"])[0]


def _agent(resource: Resource, found: dict[str, Any]) -> None:
    for used in resource.get("usedCode") or resource.get("orderDetail") or []:
        names = _codes(used, codes.code_system("agent"))
        if names:
            found["agent"] = {
                "name": names[0],
                "concentration_percent": _extension(used, "agent-concentration-percent"),
                "volume_ml_per_nerve": _extension(used, "agent-volume-ml-per-nerve"),
            }
            return


def _add_scores(reader: _Reader, resource: Resource, procedure: dict[str, Any], scores: list[Score]) -> None:
    end = _instant((resource.get("performedPeriod") or {}).get("end")) or _instant(
        resource.get("performedDateTime")
    )
    diary: list[dict[str, Any]] = []
    visits: dict[str, dict[str, Any]] = {}
    for score in scores:
        context = score.context
        if context == "pre-procedure":
            procedure["pre_pain"] = score.value
        elif context == "follow-up" or (
            context is None
            and _date(score.effective) not in (None, procedure["date"])
            and _instant(score.effective) is None
        ):
            day = _date(score.effective)
            if day is None:
                reader.problem(score.resource, "effectiveDateTime", "a follow-up score needs its date")
                continue
            visit = visits.setdefault(day, {"date": day})
            if score.kind == "pain":
                visit["pain"] = score.value
            else:
                visit["disability"] = {"instrument": score.kind, "score": score.value}
        elif score.kind == "pain":
            minutes = _extension(score.resource, "minutes-after-procedure")
            at = _instant(score.effective)
            if minutes is None and at is not None and end is not None:
                minutes = round((at - end).total_seconds() / 60)
            if minutes is None:
                reader.problem(
                    score.resource, "effectiveDateTime", "a diary score's time after the procedure is unknown"
                )
                continue
            diary.append({"minutes": minutes, "pain": score.value})
    if diary:
        procedure["diary"] = sorted(diary, key=lambda point: point["minutes"])
    if visits:
        procedure["follow_up"] = [visits[day] for day in sorted(visits)]
