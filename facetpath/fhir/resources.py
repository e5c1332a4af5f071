"""One function per FHIR resource type: ORM rows in, a plain dict out (FHIR R4 JSON).

Ids are stable and readable ("proc-123"); every reference points at a resource the same export holds. The
rows arrive with their relations loaded (export.py): nothing here runs a query.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from facetpath.clinical.anatomy import SNOMED_LATERALITY, snomed_site
from facetpath.clinics.models import Clinic
from facetpath.diary.models import Diary, Entry
from facetpath.fhir import codes
from facetpath.fhir.codes import EXT, coding
from facetpath.patients.models import Assessment, Patient
from facetpath.procedures.models import DiaryScore, FollowUp, Procedure, SignOff

Resource = dict[str, Any]


def ref(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def _meta(resource_type: str) -> dict[str, Any]:
    profile = codes.PROFILES.get(resource_type)
    return {"meta": {"profile": [profile]}} if profile else {}


def _ext(name: str, kind: str, value: Any) -> dict[str, Any]:
    return {"url": EXT[name], f"value{kind}": value}


def _decimal(value: float) -> int | float:
    """A whole number stays whole (2, not 2.0): the export reads back to the same case text."""
    return int(value) if float(value).is_integer() else value


# --- ids -----------------------------------------------------------------------------------------------


def patient_id(pk: int) -> str:
    return f"patient-{pk}"


def practitioner_id(pk: int) -> str:
    return f"practitioner-{pk}"


def organization_id(pk: int) -> str:
    return f"org-{pk}"


def procedure_ref(procedure: Procedure) -> dict[str, str]:
    """A done procedure is a Procedure; a planned or cancelled one is a ServiceRequest."""
    if procedure.status == Procedure.Status.DONE:
        return ref("Procedure", f"proc-{procedure.pk}")
    return ref("ServiceRequest", f"sr-{procedure.pk}")


# --- Organization, Practitioner, Patient -----------------------------------------------------------


def organization(clinic: Clinic) -> Resource:
    resource: Resource = {
        "resourceType": "Organization",
        "id": organization_id(clinic.pk),
        **_meta("Organization"),
        "identifier": [{"system": codes.identifier_system("clinic"), "value": str(clinic.pk)}],
        "active": True,
        "name": clinic.name,
    }
    telecom = [{"system": "phone", "value": clinic.phone}] if clinic.phone else []
    telecom += [{"system": "email", "value": clinic.email}] if clinic.email else []
    if telecom:
        resource["telecom"] = telecom
    if clinic.address:
        resource["address"] = [{"text": clinic.address}]
    return resource


def practitioner(user: User) -> Resource:
    name: dict[str, Any] = {"text": user.get_full_name() or user.get_username()}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return {
        "resourceType": "Practitioner",
        "id": practitioner_id(user.pk),
        **_meta("Practitioner"),
        # No NPI is kept: the staff account's number identifies the person inside this facetpath.
        "identifier": [{"system": codes.identifier_system("staff"), "value": str(user.pk)}],
        "name": [name],
    }


def patient(row: Patient) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": patient_id(row.pk),
        **_meta("Patient"),
        "identifier": [
            {
                "type": {"coding": [{"system": codes.IDENTIFIER_TYPE, "code": "MR"}]},
                "system": codes.identifier_system(f"clinic-{row.clinic_id}-mrn"),
                "value": row.mrn,
            }
        ],
        "name": [{"family": row.family_name, "given": [row.given_name]}],
        "gender": row.sex,  # the case format's sexes are FHIR's administrative genders
        "communication": [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": row.preferred_language}]}}
        ],
        "managingOrganization": ref("Organization", organization_id(row.clinic_id)),
    }
    if row.birth_date:
        resource["birthDate"] = row.birth_date.isoformat()
    telecom = [{"system": "phone", "value": row.phone}] if row.phone else []
    telecom += [{"system": "email", "value": row.email}] if row.email else []
    if telecom:
        resource["telecom"] = telecom
    return resource


# --- Condition -------------------------------------------------------------------------------------


def condition(row: Patient, code: str, label: str, recorded: date | None) -> Resource:
    """A diagnosis code the core's coding table suggests for the joints treated (clinical/coding.py)."""
    resource: Resource = {
        "resourceType": "Condition",
        "id": condition_id(row.pk, code),
        **_meta("Condition"),
        "clinicalStatus": {"coding": [{"system": codes.CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": codes.CONDITION_VERIFICATION, "code": "provisional"}]},
        "category": [{"coding": [{"system": codes.CONDITION_CATEGORY, "code": "problem-list-item"}]}],
        "code": {"coding": [{"system": codes.ICD10CM, "code": code}], "text": label},
        "subject": ref("Patient", patient_id(row.pk)),
    }
    if recorded:
        resource["recordedDate"] = recorded.isoformat()
    return resource


def condition_id(patient_pk: int, code: str) -> str:
    return f"cond-{patient_pk}-{code}"


# --- Procedure and ServiceRequest --------------------------------------------------------------------


def _zone(procedure: Procedure) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(procedure.patient.clinic.time_zone)


def at_time(procedure: Procedure, clock: Any) -> str:
    """A time of day on the procedure's date, in the clinic's zone, as FHIR dateTime."""
    return datetime.combine(procedure.date, clock, tzinfo=_zone(procedure)).isoformat()


def procedure_end(procedure: Procedure, diary: Diary | None) -> datetime | None:
    """When the procedure ended, if known: the patient diary's zero, else the recorded end time."""
    if diary is not None:
        return diary.starts_at
    if procedure.end_time is None:
        return None
    return datetime.combine(procedure.date, procedure.end_time, tzinfo=_zone(procedure))


def _body_sites(procedure: Procedure) -> list[Resource]:
    side_code, side_label = SNOMED_LATERALITY[procedure.side]
    sites = []
    for joint in procedure.joints:
        site_codings = [coding("facet-joint", joint)]
        known = snomed_site(joint)
        if known is not None:
            site_codings.insert(0, {"system": codes.SNOMED, "code": known.code, "display": known.display})
        laterality = {"coding": [{"system": codes.SNOMED, "code": side_code, "display": side_label}]}
        sites.append(
            {
                "extension": [_ext("laterality", "CodeableConcept", laterality)],
                "coding": site_codings,
                "text": f"{joint} facet joint, {procedure.get_side_display().lower()}",
            }
        )
    return sites


def _procedure_code(procedure: Procedure, cpt: str | None) -> Resource:
    codings = [coding("procedure-type", procedure.type)]
    if cpt:
        codings.insert(0, {"system": codes.CPT, "code": cpt})
    joints = ", ".join(procedure.joints)
    return {"coding": codings, "text": f"{procedure.get_type_display()} {joints} ({procedure.side})"}


def _details(procedure: Procedure) -> list[Resource]:
    """What the case format keeps and FHIR has no element for, as facetpath extensions."""
    found = [_ext("guidance", "Code", procedure.guidance), _ext("sedation", "Code", procedure.sedation)]
    texts = {
        "sedation-reason": procedure.sedation_reason,
        "early-repeat-reason": procedure.early_repeat_reason,
        "rfa-unsuitable-reason": procedure.rfa_unsuitable_reason,
        "steroid": procedure.steroid_name,
    }
    found += [_ext(name, "String", text) for name, text in texts.items() if text]
    if procedure.steroid_name and procedure.steroid_dose_mg is not None:
        found.append(_ext("steroid-dose-mg", "Decimal", _decimal(procedure.steroid_dose_mg)))
    if procedure.type == Procedure.Type.RFA and procedure.rfa_technique:
        found.append(_ext("rfa-technique", "Code", procedure.rfa_technique))
        if procedure.rfa_temperature_c is not None:
            found.append(_ext("rfa-temperature-c", "Decimal", _decimal(procedure.rfa_temperature_c)))
    return found


def _used(procedure: Procedure) -> list[Resource]:
    used = []
    if procedure.agent_name:
        amounts = {
            "agent-concentration-percent": procedure.agent_concentration_percent,
            "agent-volume-ml-per-nerve": procedure.agent_volume_ml_per_nerve,
        }
        used.append(
            {
                "extension": [
                    _ext(name, "Decimal", _decimal(value))
                    for name, value in amounts.items()
                    if value is not None
                ],
                "coding": [coding("agent", procedure.agent_name)],
                "text": procedure.get_agent_name_display(),
            }
        )
    if procedure.steroid_name:
        used.append({"text": procedure.steroid_name})
    return [{key: value for key, value in item.items() if value} for item in used]


def _case_identifier(procedure: Procedure) -> list[Resource]:
    return [{"system": codes.identifier_system("case-procedure"), "value": procedure.case_id}]


def procedure(row: Procedure, cpt: str | None, conditions: list[str], diary: Diary | None) -> Resource:
    """A done procedure. `cpt`: the first code line of the core's evaluation; `conditions`: Condition ids."""
    resource: Resource = {
        "resourceType": "Procedure",
        "id": f"proc-{row.pk}",
        **_meta("Procedure"),
        "extension": _details(row),
        "identifier": _case_identifier(row),
        "status": "completed",
        "category": {"coding": [coding("procedure-type", row.intent)]} if row.intent else None,
        "code": _procedure_code(row, cpt),
        "subject": ref("Patient", patient_id(row.patient_id)),
        "bodySite": _body_sites(row),
        "usedCode": _used(row),
    }
    end = procedure_end(row, diary)
    if row.start_time is not None and end is not None:
        resource["performedPeriod"] = {"start": at_time(row, row.start_time), "end": end.isoformat()}
    else:
        resource["performedDateTime"] = end.isoformat() if end is not None else row.date.isoformat()
    if row.operator_id:
        resource["performer"] = [{"actor": ref("Practitioner", practitioner_id(row.operator_id))}]
    if conditions:
        resource["reasonReference"] = [ref("Condition", cid) for cid in conditions]
    if row.complications:
        resource["complication"] = [{"text": row.complications}]
    return {key: value for key, value in resource.items() if value not in (None, [])}


def service_request(row: Procedure, cpt: str | None, conditions: list[str]) -> Resource:
    """A planned procedure (active) or a cancelled plan (revoked)."""
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": f"sr-{row.pk}",
        **_meta("ServiceRequest"),
        "extension": _details(row),
        "identifier": _case_identifier(row),
        "status": "active" if row.status == Procedure.Status.PLANNED else "revoked",
        "intent": "order",
        "category": [{"coding": [coding("procedure-type", row.intent)]}] if row.intent else None,
        "code": _procedure_code(row, cpt),
        "subject": ref("Patient", patient_id(row.patient_id)),
        "occurrenceDateTime": at_time(row, row.start_time) if row.start_time else row.date.isoformat(),
        "bodySite": _body_sites(row),
    }
    # A ServiceRequest has no usedCode: the planned agent (with its amounts) is an order detail.
    resource["orderDetail"] = _used(row) or None
    if row.operator_id:
        resource["performer"] = [ref("Practitioner", practitioner_id(row.operator_id))]
    if conditions:
        resource["reasonReference"] = [ref("Condition", cid) for cid in conditions]
    return {key: value for key, value in resource.items() if value not in (None, [])}


# --- Observations: scores -----------------------------------------------------------------------------

SURVEY = {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey"}]}


def _score(
    obs_id: str, row: Patient, code: Resource, value: Resource, context: str, effective: str
) -> Resource:
    return {
        "resourceType": "Observation",
        "id": obs_id,
        **_meta("Observation"),
        "extension": [_ext("score-context", "Code", context)],
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": ref("Patient", patient_id(row.pk)),
        "effectiveDateTime": effective,
        "valueQuantity": value,
    }


def _pain_code_and_value(scale: str, pain: int | float) -> tuple[Resource, Resource]:
    loinc, display, unit = codes.PAIN_CODES[scale]
    return (
        {"coding": [{"system": codes.LOINC, "code": loinc, "display": display}], "text": f"Pain ({scale})"},
        {"value": pain, "unit": unit, "system": codes.UCUM, "code": unit},
    )


def is_pain(observation: Resource) -> bool:
    return any(
        c.get("system") == codes.LOINC and c.get("code") in PAIN_LOINC for c in observation["code"]["coding"]
    )


PAIN_LOINC = {loinc for loinc, _display, _unit in codes.PAIN_CODES.values()}


def pain_observation(
    obs_id: str,
    row: Patient,
    scale: str,
    pain: int,
    context: str,
    effective: str,
    procedure: Procedure | None = None,
    minutes: int | None = None,
    derived_from: str | None = None,
) -> Resource:
    """One pain score (LOINC 72514-3 on NRS-11), `partOf` its procedure when it belongs to one."""
    code, value = _pain_code_and_value(scale, pain)
    resource = _score(obs_id, row, code, value, context, effective)
    if minutes is not None:
        resource["extension"].append(_ext("minutes-after-procedure", "Integer", minutes))
    if procedure is not None:
        resource["partOf"] = [procedure_ref(procedure)]
    if derived_from:
        resource["derivedFrom"] = [ref("QuestionnaireResponse", derived_from)]
    return resource


def diary_pain_observation(
    score: DiaryScore,
    row: Patient,
    scale: str,
    procedure: Procedure,
    end: datetime | None,
    entry: Entry | None,
) -> Resource:
    """A diary score at its true time: when the patient answered (the score then derives from that answer's
    QuestionnaireResponse), else the procedure's end plus the score's minutes, else the procedure's day."""
    if entry is not None:
        effective = entry.entered_at.isoformat()
    elif end is not None:
        effective = (end + timedelta(minutes=score.minutes)).isoformat()
    else:
        effective = procedure.date.isoformat()
    return pain_observation(
        f"pain-{score.pk}",
        row,
        scale,
        score.pain,
        "diary",
        effective,
        procedure,
        minutes=score.minutes,
        derived_from=f"qr-entry-{entry.pk}" if entry is not None else None,
    )


def disability_observation(
    obs_id: str,
    row: Patient,
    instrument: str,
    score: float,
    context: str,
    effective: str,
    procedure: Procedure | None = None,
    derived_from: str | None = None,
) -> Resource:
    loinc, display, unit = codes.DISABILITY_CODES[instrument]
    code = {
        "coding": [
            {"system": codes.LOINC, "code": loinc, "display": display},
            coding("disability-instrument", instrument),
        ],
        "text": instrument,
    }
    value = {"value": _decimal(score), "unit": unit, "system": codes.UCUM, "code": unit}
    resource = _score(obs_id, row, code, value, context, effective)
    if procedure is not None:
        resource["partOf"] = [procedure_ref(procedure)]
    if derived_from:
        resource["derivedFrom"] = [ref("QuestionnaireResponse", derived_from)]
    return resource


def follow_up_observations(visit: FollowUp, row: Patient, scale: str, procedure: Procedure) -> list[Resource]:
    found = []
    if visit.pain is not None:
        found.append(
            pain_observation(
                f"fu-pain-{visit.pk}", row, scale, visit.pain, "follow-up", visit.date.isoformat(), procedure
            )
        )
    # An instrument outside the case format's list has no code to send (the core rejects it too).
    if visit.disability_instrument in codes.DISABILITY_CODES and visit.disability_score is not None:
        found.append(
            disability_observation(
                f"fu-disability-{visit.pk}",
                row,
                visit.disability_instrument,
                visit.disability_score,
                "follow-up",
                visit.date.isoformat(),
                procedure,
            )
        )
    return found


# --- Observation: the core's interpretation of a block ------------------------------------------------


def interpretation_observation(
    procedure: Procedure, result: Any, policy_name: str, policy_version: str, scores: list[str]
) -> Resource:
    """The core's result for one procedure (facetpath.clinical ProcedureResult, via
    procedures/interpretation.py): response as the value, role, relief and the decision as components,
    the policy and its version as the method, the scores it read as derivedFrom."""
    components: list[Resource] = [
        {
            "code": {"coding": [coding("block-interpretation", "role")]},
            "valueCodeableConcept": {"coding": [coding("pathway-role", result.role)]},
        },
        {
            "code": {"coding": [coding("block-interpretation", "meets-criteria")]},
            "valueBoolean": bool(result.meets_criteria),
        },
    ]
    if result.peak_relief_percent is not None:
        components.append(
            {
                "code": {"coding": [coding("block-interpretation", "peak-relief")]},
                "valueQuantity": {
                    "value": round(result.peak_relief_percent, 4),
                    "unit": "%",
                    "system": codes.UCUM,
                    "code": "%",
                },
            }
        )
    if result.relief_hours is not None:
        components.append(
            {
                "code": {"coding": [coding("block-interpretation", "relief-hours")]},
                "valueQuantity": {
                    "value": round(result.relief_hours, 4),
                    "unit": "h",
                    "system": codes.UCUM,
                    "code": "h",
                },
            }
        )
    resource: Resource = {
        "resourceType": "Observation",
        "id": f"interp-{procedure.pk}",
        "status": "final",
        "code": {"coding": [coding("block-interpretation", "interpretation")]},
        "subject": ref("Patient", patient_id(procedure.patient_id)),
        "partOf": [procedure_ref(procedure)],
        "effectiveDateTime": procedure.date.isoformat(),
        "valueCodeableConcept": {"coding": [coding("block-interpretation", result.response)]},
        "method": {
            "coding": [{**coding("policy", policy_name), "version": policy_version}],
            "text": f"{policy_name} {policy_version}",
        },
        "component": components,
    }
    if result.findings:
        resource["note"] = [
            {"text": f"{finding.rule} ({finding.severity}): {finding.message}"} for finding in result.findings
        ]
    if scores:
        resource["derivedFrom"] = [ref("Observation", obs_id) for obs_id in scores]
    return resource


# --- QuestionnaireResponses ---------------------------------------------------------------------------


def _answer(link_id: str, kind: str, value: Any) -> Resource:
    return {"linkId": link_id, "answer": [{f"value{kind}": value}]}


def diary_response(entry: Entry, row: Patient, procedure: Procedure) -> Resource:
    """One answer the patient gave on the diary link, at the time they gave it."""
    items = [_answer("pain", "Integer", entry.pain)]
    if entry.relief_percent is not None:
        items.append(_answer("relief", "Integer", entry.relief_percent))
    for movement, change in sorted((entry.movements or {}).items()):
        items.append(
            {
                "linkId": "movements",
                "item": [
                    _answer("movement", "String", str(movement)),
                    _answer("change", "Coding", {"code": str(change)}),
                ],
            }
        )
    if entry.took_pain_medicine is not None:
        items.append(_answer("took-pain-medicine", "Boolean", entry.took_pain_medicine))
    if entry.note:
        items.append(_answer("note", "String", entry.note))
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-entry-{entry.pk}",
        **_meta("QuestionnaireResponse"),
        "questionnaire": codes.questionnaire_canonical(codes.DIARY_QUESTIONNAIRE),
        "status": "completed",
        "subject": ref("Patient", patient_id(row.pk)),
        "partOf": [procedure_ref(procedure)],
        "authored": entry.entered_at.isoformat(),
        "author": ref("Patient", patient_id(row.pk)),
        "source": ref("Patient", patient_id(row.pk)),
        "item": items,
    }


def assessment_response(assessment: Assessment, row: Patient) -> Resource:
    """The assessment's history as answers to facetpath's assessment Questionnaire (scores: Observations)."""
    flags = ("untreated_radiculopathy", "neurogenic_claudication", "non_facet_cause", "facet_synovial_cyst")
    items = [_answer("region", "Coding", {"code": assessment.region})]
    if assessment.index_pain:
        items.append(_answer("index-pain", "String", assessment.index_pain))
    if assessment.pain_duration_months is not None:
        items.append(_answer("pain-duration-months", "Decimal", assessment.pain_duration_months))
    items.append(_answer("axial-predominant", "Boolean", assessment.axial_predominant))
    items.append(_answer("pain-scale", "Coding", {"code": assessment.pain_scale}))
    for care in assessment.conservative_care:
        parts = [_answer("modality", "String", str(care.get("modality", "")))]
        if care.get("weeks") is not None:
            parts.append(_answer("weeks", "Decimal", care["weeks"]))
        if care.get("failed") is not None:
            parts.append(_answer("failed", "Boolean", bool(care["failed"])))
        items.append({"linkId": "conservative-care", "item": parts})
    items += [_answer(flag.replace("_", "-"), "Boolean", getattr(assessment, flag)) for flag in flags]
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": f"qr-assessment-{assessment.pk}",
        **_meta("QuestionnaireResponse"),
        "questionnaire": codes.questionnaire_canonical(codes.ASSESSMENT_QUESTIONNAIRE),
        "status": "completed",
        "subject": ref("Patient", patient_id(row.pk)),
        "authored": assessment.date.isoformat(),
        "item": items,
    }
    if assessment.created_by_id:
        resource["author"] = ref("Practitioner", practitioner_id(assessment.created_by_id))
    return resource


# --- AuditEvent: a sign-off ---------------------------------------------------------------------------


def sign_off_event(sign_off: SignOff, procedure: Procedure) -> Resource:
    """A physician's sign-off of a procedure's interpretation, with the policy and version it froze."""
    return {
        "resourceType": "AuditEvent",
        "id": f"signoff-{sign_off.pk}",
        "type": coding("block-interpretation", "sign-off"),
        "action": "C",
        "recorded": sign_off.signed_at.isoformat(),
        "outcome": "0",
        "agent": [{"who": ref("Practitioner", practitioner_id(sign_off.signed_by_id)), "requestor": True}],
        "source": {"observer": ref("Organization", organization_id(procedure.patient.clinic_id))},
        "entity": [
            {"what": ref("Patient", patient_id(procedure.patient_id))},
            {
                "what": procedure_ref(procedure),
                "detail": [
                    {"type": "policy", "valueString": sign_off.policy_name},
                    {"type": "policy-version", "valueString": sign_off.policy_version},
                ],
            },
        ],
    }
