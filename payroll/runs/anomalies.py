"""What stops a worker's payment or questions it. A blocking anomaly keeps the payslip out of
the approval (its contracts wait for the next run once fixed); a warning is shown and paid."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from schwifty import IBAN

# code -> (blocking, what staff read)
KINDS = {
    "missing_national_number": (True, _("No national number: the worker cannot be declared.")),
    "missing_iban": (True, _("No IBAN: the net cannot be paid.")),
    "invalid_iban": (True, _("The IBAN is not valid: the net cannot be paid.")),
    "not_declared": (True, _("A contract is not declared to the authorities yet.")),
    "missing_parameter": (True, _("A legal parameter is missing for this date.")),
    "compute_refused": (True, _("The payslip could not be computed.")),
    "negative_net": (True, _("The net to pay is negative.")),
    "tax_profile_incomplete": (
        False,
        _("No tax profile: withholding used the legal default (single, no dependants)."),
    ),
    "no_joint_committee": (
        False,
        _("A contract names no joint committee: the payslip says it is not stated."),
    ),
    "student_quota": (
        False,
        _("Student hours beyond the yearly quota are paid at ordinary rates."),
    ),
}


def anomaly(code: str, detail: str = "") -> dict:
    return {"code": code, "blocking": KINDS[code][0], "detail": detail}


def label(code: str) -> str:
    return str(KINDS.get(code, (True, code))[1])


def iban_problem(iban: str) -> str | None:
    """The anomaly code of a worker's IBAN, or None. The IBAN itself is never logged or kept."""
    if not iban.strip():
        return "missing_iban"
    try:
        IBAN(iban)
    except ValueError:
        return "invalid_iban"
    return None


def worker_anomalies(member) -> list[dict]:
    found = []
    if not (member.national_number or "").strip():
        found.append(anomaly("missing_national_number"))
    problem = iban_problem(member.iban or "")
    if problem:
        found.append(anomaly(problem))
    return found
