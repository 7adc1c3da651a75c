"""Reads of the pay runs, scoped to the staff member's current entity."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from ..models import PayRun, PayRunItem


def payrun_list(*, entity) -> QuerySet[PayRun]:
    if entity is None:
        return PayRun.objects.none()
    return PayRun.objects.filter(entity=entity).order_by("-pay_date")


def payrun_get(*, entity, public_id) -> PayRun:
    run = payrun_list(entity=entity).filter(public_id=public_id).first()
    if run is None:
        raise Http404
    return run


def payrun_items_with_anomalies(*, run: PayRun) -> list[PayRunItem]:
    items = run.items.select_related("member", "payslip").order_by("member__last_name", "pk")
    return [item for item in items if item.anomalies]


def payrun_items_with_payslips(*, run: PayRun, limit: int) -> list[PayRunItem]:
    """The run's workers with a payslip (draft or approved), by name, at most `limit`."""
    items = run.items.exclude(payslip=None).select_related("member", "payslip")
    return list(items.order_by("member__last_name", "member__first_name", "pk")[:limit])


def payrun_item_get(*, run: PayRun, member_public_id) -> PayRunItem:
    item = run.items.filter(member__public_id=member_public_id).select_related("member").first()
    if item is None:
        raise Http404
    return item


def mutualised_difference(*, entity) -> list[dict]:
    """Per month and contract type of the approved runs: the budgeted cost charged to the
    Activities (gross x the type's coefficient), the actual employer cost of the payslips and
    the difference the cooperative carries (positive: the coefficient covered more)."""
    rows: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: {"budgeted": Decimal("0"), "actual": Decimal("0")}
    )
    approved = payrun_list(entity=entity).exclude(
        state__in=[PayRun.State.COLLECTING, PayRun.State.COMPUTING, PayRun.State.REVIEW,
                   PayRun.State.FAILED]
    )  # fmt: skip
    for run in approved:
        month = run.pay_date.strftime("%Y-%m")
        for kind, totals in run.totals.items():
            rows[(month, kind)]["budgeted"] += Decimal(totals["budgeted"])
            rows[(month, kind)]["actual"] += Decimal(totals["employer_cost"])
    return [
        {"month": month, "contract_type": kind, **values,
         "difference": values["budgeted"] - values["actual"]}
        for (month, kind), values in sorted(rows.items(), reverse=True)
    ]  # fmt: skip
