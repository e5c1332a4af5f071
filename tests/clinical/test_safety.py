"""The safety screen: contraindications (§6A) and the antithrombotic hold plan (§6B)."""

from __future__ import annotations

import pytest

from facetpath.clinical.findings import Confidence, Severity
from facetpath.clinical.safety import (
    ANTITHROMBOTICS,
    RESTART_AFTER_HOURS,
    SAFETY_RULES,
    STOPPING,
    AnaestheticAllergy,
    BleedingDisorder,
    BleedingRisk,
    Grade,
    Pregnancy,
    SafetyInput,
    bleeding_risk,
    hold_plan,
    screen,
)


def ids(data: SafetyInput) -> dict[str, Grade]:
    return {finding.id: finding.severity for finding in screen(data).findings}


def test_a_clean_patient_has_no_findings() -> None:
    report = screen(SafetyInput(region="lumbar", procedure_type="mbb"))
    assert report.findings == ()
    assert report.hold_plan == ()
    assert not report.stops
    assert report.bleeding_risk is BleedingRisk.LOW


@pytest.mark.parametrize(
    ("region", "expected"),
    [("cervical", BleedingRisk.INTERMEDIATE), ("thoracic", BleedingRisk.LOW), ("lumbar", BleedingRisk.LOW)],
)
def test_bleeding_risk_follows_the_region(region: str, expected: BleedingRisk) -> None:
    assert bleeding_risk(region)[0] is expected


def test_patient_factors_raise_the_risk_one_class() -> None:
    assert bleeding_risk("lumbar", ("older-age",))[0] is BleedingRisk.INTERMEDIATE
    assert bleeding_risk("cervical", ("kidney-disease", "liver-disease"))[0] is BleedingRisk.HIGH
    assert bleeding_risk("lumbar", mild_coagulopathy=True)[0] is BleedingRisk.INTERMEDIATE
    _risk, reasons = bleeding_risk("lumbar", ("prior-surgery-at-site",))
    assert "prior surgery" in reasons[-1]


def test_an_unknown_region_is_rejected() -> None:
    with pytest.raises(ValueError, match="sacral"):
        bleeding_risk("sacral")


def test_infection_and_severe_bleeding_disorder_are_absolute() -> None:
    found = ids(SafetyInput(region="lumbar", infection=True, bleeding_disorder=BleedingDisorder.SEVERE))
    assert found == {"SAFE-INFECTION": Grade.ABSOLUTE, "SAFE-BLEEDING-SEVERE": Grade.ABSOLUTE}
    infected = screen(SafetyInput(region="lumbar", infection=True, pregnancy=Pregnancy.YES))
    assert infected.stops
    assert infected.absolute_stop
    assert not infected.needs_override


def test_red_flag_symptoms_stop_the_procedure() -> None:
    assert ids(SafetyInput(region="lumbar", red_flag_symptoms=True)) == {"SAFE-RED-FLAGS": Grade.ABSOLUTE}


@pytest.mark.parametrize("state", [Pregnancy.YES, Pregnancy.POSSIBLE])
def test_pregnancy_is_a_hard_stop_needing_a_physician_override(state: Pregnancy) -> None:
    report = screen(SafetyInput(region="lumbar", pregnancy=state))
    assert [(f.id, f.severity) for f in report.findings] == [("SAFE-PREGNANCY", Grade.OVERRIDE)]
    assert report.stops
    assert report.needs_override
    assert not report.absolute_stop
    assert "physician" in report.findings[0].message


def test_no_pregnancy_gives_no_finding() -> None:
    assert ids(SafetyInput(region="lumbar", pregnancy=Pregnancy.NO)) == {}


def test_contrast_allergy_matters_unless_no_contrast_is_planned() -> None:
    assert ids(SafetyInput(region="lumbar", contrast_allergy=True)) == {
        "SAFE-CONTRAST-ALLERGY": Grade.RELATIVE
    }
    assert ids(SafetyInput(region="lumbar", contrast_allergy=True, contrast_planned=False)) == {}


def test_local_anaesthetic_allergy_names_its_class() -> None:
    report = screen(SafetyInput(region="lumbar", anaesthetic_allergy=AnaestheticAllergy.AMIDE))
    assert report.findings[0].id == "SAFE-LA-ALLERGY"
    assert "amide" in report.findings[0].message
    unknown = screen(SafetyInput(region="lumbar", anaesthetic_allergy=AnaestheticAllergy.UNKNOWN_CLASS))
    assert "not recorded" in unknown.findings[0].message


def test_an_implanted_device_routes_rfa_to_its_protocol() -> None:
    assert ids(SafetyInput(region="lumbar", procedure_type="rfa", implanted_device="scs")) == {
        "SAFE-DEVICE-RFA": Grade.PROTOCOL
    }
    assert ids(SafetyInput(region="lumbar", procedure_type="mbb", implanted_device="pacemaker")) == {
        "SAFE-DEVICE-RFA": Grade.INFO
    }


def test_fusion_at_a_target_level_stops_that_plan() -> None:
    at_level = SafetyInput(
        region="lumbar", procedure_type="mbb", target_joints=("L4-L5", "L5-S1"), fused_joints=("L5-S1",)
    )
    report = screen(at_level)
    assert [(f.id, f.severity) for f in report.findings] == [("SAFE-FUSION", Grade.ABSOLUTE)]
    assert "L5-S1" in report.findings[0].message
    elsewhere = SafetyInput(region="lumbar", target_joints=("L3-L4",), fused_joints=("L5-S1",))
    assert ids(elsewhere) == {"SAFE-FUSION": Grade.INFO}


def test_uncontrolled_comorbidities_are_relative() -> None:
    found = screen(SafetyInput(region="lumbar", uncontrolled_diabetes=True, uncontrolled_hypertension=True))
    assert found.findings[0].id == "SAFE-COMORBIDITY"
    assert "diabetes and high blood pressure" in found.findings[0].message


def test_low_risk_procedures_use_shared_assessment_for_every_drug() -> None:
    plan = hold_plan(("apixaban", "clopidogrel"), BleedingRisk.LOW)
    assert [step.action for step in plan] == ["shared-assessment", "shared-assessment"]
    assert all(step.interval is None for step in plan)


@pytest.mark.parametrize(
    ("drug", "interval"),
    [
        ("warfarin", "5 days"),
        ("clopidogrel", "7 days"),
        ("prasugrel", "7 to 10 days"),
        ("ticagrelor", "5 days"),
        ("dabigatran", "4 to 5 days"),
        ("rivaroxaban", "3 days"),
        ("apixaban", "3 days"),
        ("edoxaban", "3 days"),
        ("lmwh-prophylactic", "12 hours"),
        ("lmwh-therapeutic", "24 hours"),
    ],
)
def test_intermediate_risk_holds_carry_the_guideline_interval_and_its_confidence(
    drug: str, interval: str
) -> None:
    (step,) = hold_plan((drug,), BleedingRisk.INTERMEDIATE)
    assert step.action == "stop"
    assert step.interval == interval
    assert "verify" in step.confidence
    assert step.citation == "clinical-guidelines §6B 6.12"
    assert "24 hours" in step.message


def test_citations_name_the_right_section() -> None:
    report = screen(SafetyInput(region="lumbar", infection=True, antithrombotics=("warfarin",)))
    cited = {finding.id: finding.citation for finding in report.findings}
    assert cited == {
        "SAFE-INFECTION": "clinical-guidelines §6A 6.1",
        "SAFE-ANTITHROMBOTIC": "clinical-guidelines §6B 6.14",
    }


def test_aspirin_is_shared_assessment_even_at_intermediate_risk() -> None:
    (step,) = hold_plan(("aspirin",), BleedingRisk.INTERMEDIATE)
    assert step.action == "shared-assessment"


def test_cervical_patient_on_apixaban_gets_a_hold_and_the_rfa_warning() -> None:
    report = screen(SafetyInput(region="cervical", antithrombotics=("apixaban",)))
    assert report.bleeding_risk is BleedingRisk.INTERMEDIATE
    assert {f.id for f in report.findings} == {"SAFE-ANTITHROMBOTIC", "SAFE-CERVICAL-RFA-ANTITHROMBOTIC"}
    assert report.hold_plan[0].interval == "3 days"
    assert not report.stops


def test_unknown_drug_keys_are_ignored_and_every_known_drug_has_a_kind() -> None:
    assert hold_plan(("unobtainium",), BleedingRisk.LOW) == ()
    assert {drug.kind for drug in ANTITHROMBOTICS.values()} == {"anticoagulant", "antiplatelet"}


def test_every_finding_carries_id_citation_and_plain_message() -> None:
    everything = SafetyInput(
        region="cervical",
        procedure_type="rfa",
        target_joints=("C5-C6",),
        infection=True,
        red_flag_symptoms=True,
        bleeding_disorder=BleedingDisorder.SEVERE,
        antithrombotics=("warfarin",),
        pregnancy=Pregnancy.POSSIBLE,
        contrast_allergy=True,
        anaesthetic_allergy=AnaestheticAllergy.ESTER,
        implanted_device="icd",
        fused_joints=("C5-C6",),
        uncontrolled_diabetes=True,
    )
    findings = screen(everything).findings
    assert len({f.id for f in findings}) == len(findings) == 11
    for finding in findings:
        assert finding.id.startswith("SAFE-")
        assert finding.citation.startswith("clinical-guidelines §6")
        assert finding.message.endswith(".")
        assert finding.to_json()["severity"] == str(finding.severity)


# --- The declared rule table ----------------------------------------------------------------------------


def everything_input(procedure_type: str | None) -> SafetyInput:
    return SafetyInput(
        region="cervical", procedure_type=procedure_type, target_joints=("C5-C6",), infection=True,
        red_flag_symptoms=True, bleeding_disorder=BleedingDisorder.SEVERE, antithrombotics=("warfarin",),
        pregnancy=Pregnancy.YES, contrast_allergy=True, anaesthetic_allergy=AnaestheticAllergy.UNKNOWN_CLASS,
        implanted_device="scs", fused_joints=("C5-C6",), uncontrolled_hypertension=True,
    )  # fmt: skip


def test_every_rule_is_declared_once_with_its_citation_and_confidence() -> None:
    assert len(SAFETY_RULES) == 11
    for rule_id, rule in SAFETY_RULES.items():
        assert rule.id == rule_id and rule_id.startswith("SAFE-")
        assert rule.citation in (
            f"clinical-guidelines §6A {rule.item}",
            f"clinical-guidelines §6B {rule.item}",
        )
        assert rule.confidence in set(Confidence)
        assert rule.summary and rule.message.endswith(".")


@pytest.mark.parametrize(("grade", "level"), [
    (Grade.ABSOLUTE, Severity.DENY), (Grade.OVERRIDE, Severity.DENY), (Grade.RELATIVE, Severity.WARN),
    (Grade.PROTOCOL, Severity.WARN), (Grade.INFO, Severity.INFO),
])  # fmt: skip
def test_each_grade_speaks_the_core_s_severity(grade: Grade, level: Severity) -> None:
    assert grade.level is level
    assert (grade in STOPPING) is (level is Severity.DENY)


@pytest.mark.parametrize("procedure_type", [None, "mbb", "rfa"])
def test_every_finding_comes_from_the_table_with_its_gaps_filled(procedure_type: str | None) -> None:
    for finding in screen(everything_input(procedure_type)).findings:
        rule = SAFETY_RULES[finding.id]
        assert finding.citation == rule.citation
        assert finding.severity in (rule.severity, Grade.INFO)
        assert "{" not in finding.message and "}" not in finding.message
        assert finding.to_json()["level"] == str(finding.severity.level)


def test_the_pregnancy_rule_keeps_the_reference_s_own_words_on_its_confidence() -> None:
    (finding,) = screen(SafetyInput(region="lumbar", pregnancy=Pregnancy.YES)).findings
    assert SAFETY_RULES["SAFE-PREGNANCY"].confidence is Confidence.UNCLEAR
    assert finding.confidence == "certain (sources); unclear (absolute vs relative)"
    assert finding.level is Severity.DENY


def test_a_notice_is_info_and_certain_whatever_the_rule_s_grade() -> None:
    (finding,) = screen(SafetyInput(region="lumbar", procedure_type="mbb", implanted_device="icd")).findings
    assert (finding.severity, finding.confidence) == (Grade.INFO, "certain")
    assert finding.message.startswith("Implanted implantable cardioverter-defibrillator: no special steps")


def test_the_restart_advice_names_its_hours() -> None:
    (step,) = hold_plan(("warfarin",), BleedingRisk.INTERMEDIATE)
    assert f"restart usually about {RESTART_AFTER_HOURS} hours after the procedure" in step.message
