"""Shared set-up of the declarations tests: a Belgian contract of a member with a national
number, and the ONSS notification file the fake authority answers with."""

from __future__ import annotations

import datetime as dt

from django_scopes import scopes_disabled

from activities.services import contract_validate
from tests.activities.factories import ActivityFactory, credit, salary_contract

INSS = "85073003328"


def worker_activity(entity, *, national_number: str = INSS):
    """An Activity of `entity` whose coordinator has a national number (unless told). Made with
    the scope disabled: test set-up."""
    with scopes_disabled():
        return _worker_activity(entity, national_number)


def _worker_activity(entity, national_number: str):
    activity = ActivityFactory(entity=entity)
    credit(activity, "20000.00")
    member = activity.coordinator
    member.national_number = national_number
    member.save()
    return activity


def make_contract(
    activity, *, start: dt.date | None = None, days: int = 1, kind: str = "employee", validate=True
):
    contract = salary_contract(
        activity,
        start=start or dt.date.today() + dt.timedelta(days=10),
        days=days,
        contract_type=kind,
    )
    if validate:
        contract = contract_validate(contract=contract, actor=None)
    return contract


def notification(*answers: tuple[str, str, list[tuple[str, ...]]]) -> bytes:
    """A Dimona notification: per (our reference, period id, anomalies [(code, label) or
    (code, label, class)]), each anomaly an `AnomalyReport` of NOTIFICATION_20223.xsd."""
    forms = []
    for reference, period, anomalies in answers:
        anomaly_xml = "".join(
            f"<AnomalyReport><ErrorID>{anomaly[0]}</ErrorID>"
            + (f"<AnomalyClass>{anomaly[2]}</AnomalyClass>" if len(anomaly) > 2 else "")
            + f"<AnomalyLabel>{anomaly[1]}</AnomalyLabel></AnomalyReport>"
            for anomaly in anomalies
        )
        forms.append(
            "<Form><Identification>DIMONA</Identification><FormCreationDate>2026-06-01</FormCreationDate>"
            "<FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
            "<TypeForm>SU</TypeForm><HandledReference><ReferenceType>1</ReferenceType>"
            f"<ReferenceOrigin>1</ReferenceOrigin><ReferenceNbr>{reference}</ReferenceNbr></HandledReference>"
            f"<DimonaPeriodId>{period}</DimonaPeriodId>{anomaly_xml}</Form>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><NotificationList>"
        + "".join(forms)
        + "</NotificationList>"
    ).encode()
