"""The steps of a pay run. Each one locks the run (then items, one at a time), re-reads what is
done and does the rest: running a step again changes nothing, and a step a killed worker left
half-done is finished by the next call (each worker's payslip is computed in one transaction
with its item, so it is either wholly there or not at all)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import selectors as activity_selectors
from activities import services as activity_services
from activities.models import EmploymentContract
from smartcoop.core.audit import audit_log
from smartcoop.core.errors import ApplicationError, Conflict

from .. import services as payroll_services
from ..models import PayRun, PayRunItem, Payslip, PayslipContract
from .anomalies import anomaly, worker_anomalies

S = PayRun.State
It = PayRunItem.State
# Items that still hold their contracts (a held or refused item lets them go to the next run).
HOLDING = (It.PENDING, It.COMPUTED, It.APPROVED)
# How many workers one compute task handles: small enough that a killed worker loses little,
# large enough that the queue round-trip does not dominate (≈ 1 ms a payslip).
CHUNK = 200


def _chunk_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "PAYROLL_RUN_CHUNK", CHUNK))


# Beat opens a run this many days before its pay date, so staff have time to review it.
LEAD_DAYS = 3


def _contracts_due(*, entity, pay_date: dt.date):
    declared = activity_selectors.contract_list_due_for_payment(entity=entity, on=pay_date)
    # Validated but not declared yet: collected too, so staff see them as an anomaly instead of
    # the worker silently waiting.
    undeclared = EmploymentContract.objects.filter(
        entity=entity, status=EmploymentContract.Status.VALIDATED, wage_due_on__lte=pay_date
    ).select_related("member")
    return list(declared) + list(undeclared)


def _taken_contract_ids(*, entity) -> set[int]:
    taken = set(
        PayslipContract.objects.filter(payslip__entity=entity).values_list("contract_id", flat=True)
    )
    for ids in PayRunItem.objects.filter(run__entity=entity, state__in=HOLDING).values_list(
        "contract_ids", flat=True
    ):
        taken.update(ids)
    return taken


def payrun_create(*, entity, pay_date: dt.date, actor=None) -> PayRun:
    """Open the run of `entity` for `pay_date` (one per entity and date) and collect its
    workers: the contracts due by that date (the pack's terms) not held by another run or
    payslip, one item per worker. Idempotent: an existing run is returned as it is."""
    with transaction.atomic():
        run, _created = PayRun.objects.get_or_create(entity=entity, pay_date=pay_date)
        run = PayRun.objects.select_for_update().get(pk=run.pk)
        if run.state != S.COLLECTING:
            return run
        taken = _taken_contract_ids(entity=entity)
        by_member: dict[int, list[EmploymentContract]] = defaultdict(list)
        for contract in _contracts_due(entity=entity, pay_date=pay_date):
            if contract.pk not in taken:
                by_member[contract.member_id].append(contract)
        existing = set(run.items.values_list("member_id", flat=True))
        PayRunItem.objects.bulk_create(
            PayRunItem(
                run=run,
                member_id=member_id,
                contract_ids=sorted(c.pk for c in contracts),
                contract_type=min(contracts, key=lambda c: c.pk).contract_type,
            )
            for member_id, contracts in sorted(by_member.items())
            if member_id not in existing
        )
        run.items_total = run.items.count()
        run.state = S.COMPUTING
        run.save(update_fields=["items_total", "state", "updated_at"])
        audit_log(
            actor=actor,
            action="payroll.run.created",
            target=run,
            entity=entity,
            data={"pay_date": pay_date.isoformat(), "workers": run.items_total},
        )
        from .tasks import payrun_compute

        payrun_compute.enqueue(run.pk, entity_id=entity.pk)
    return run


def payrun_compute_chunks(*, run: PayRun) -> list[list[int]]:
    """The items still to compute, in chunks of CHUNK (the header of the compute chord)."""
    ids = list(run.items.filter(state=It.PENDING).order_by("pk").values_list("pk", flat=True))
    size = _chunk_size()
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def payrun_item_compute(*, item_id: int, actor=None) -> PayRunItem | None:
    """Compute one worker's payslip and record its anomalies, in one transaction with the item
    (locked, skipped if another worker holds it): an item already computed is left alone."""
    with transaction.atomic():
        item = (
            PayRunItem.objects.select_for_update(skip_locked=True)
            .select_related("run", "run__entity", "member")
            .filter(pk=item_id, state=It.PENDING)
            .first()
        )
        if item is None:
            return None
        run = item.run
        contracts = list(
            EmploymentContract.objects.filter(pk__in=item.contract_ids, entity=run.entity)
        )
        found = worker_anomalies(item.member)
        if any(c.status == EmploymentContract.Status.VALIDATED for c in contracts):
            found.append(anomaly("not_declared"))
        payslip = None
        try:
            with transaction.atomic():
                payslip = payroll_services.payslip_compute(
                    entity=run.entity,
                    member=item.member,
                    pay_date=run.pay_date,
                    contracts=contracts,
                    actor=actor,
                )
        except ApplicationError as error:
            code = "missing_parameter" if error.code == "missing_parameter" else "compute_refused"
            found.append(anomaly(code, str(error.message)))
        if payslip is not None:
            if "tax_profile_default" in payslip.notes:
                found.append(anomaly("tax_profile_incomplete"))
            if "student_quota_exceeded" in payslip.notes:
                found.append(anomaly("student_quota"))
            if payslip.net_pay < 0:
                found.append(anomaly("negative_net"))
        item.payslip = payslip
        item.anomalies = found
        item.state = It.COMPUTED if payslip is not None else It.REFUSED
        item.computed_at = timezone.now()
        item.save(update_fields=["payslip", "anomalies", "state", "computed_at"])
        PayRun.objects.filter(pk=run.pk).update(items_done=F("items_done") + 1)
    return item


def payrun_compute_finish(*, run_id: int) -> PayRun:
    """Once no item is left to compute, the run goes to review with its totals. Called by the
    chord's callback and by the resume sweep; does nothing while items are pending."""
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run_id)
        if run.state != S.COMPUTING or run.items.filter(state=It.PENDING).exists():
            return run
        run.items_done = run.items.exclude(state=It.PENDING).count()
        run.totals = payrun_totals(run=run)
        run.state = S.REVIEW
        run.save(update_fields=["items_done", "totals", "state", "updated_at"])
    return run


def payrun_totals(*, run: PayRun) -> dict:
    """Per contract type: workers, gross, net paid, actual employer cost and the budgeted cost
    charged to the Activities (gross x the type's coefficient), as decimal strings."""
    items = run.items.exclude(payslip=None).select_related("payslip")
    budget = dict(
        EmploymentContract.objects.filter(entity=run.entity, pk__in=[
            pk for ids in items.values_list("contract_ids", flat=True) for pk in ids
        ]).values_list("pk", "employer_cost")
    )  # fmt: skip
    totals: dict[str, dict[str, Decimal]] = {}
    for item in items:
        payslip = item.payslip
        assert payslip is not None
        row = totals.setdefault(
            item.contract_type,
            {k: Decimal("0") for k in ("workers", "gross", "net_pay", "employer_cost", "budgeted")},
        )
        row["workers"] += 1
        row["gross"] += payslip.gross
        row["net_pay"] += payslip.net_pay
        row["employer_cost"] += payslip.employer_cost
        row["budgeted"] += sum(
            (budget.get(pk, Decimal("0")) for pk in item.contract_ids), Decimal("0")
        )
    return {kind: {k: str(v) for k, v in row.items()} for kind, row in sorted(totals.items())}


def payrun_item_recompute(*, item: PayRunItem, actor) -> PayRunItem:
    """After a fix (an IBAN entered, a contract declared…): compute this worker again while the
    run is under review."""
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=item.run_id)
        if run.state != S.REVIEW:
            raise Conflict(_("Only a run under review can compute a payslip again."))
        item = PayRunItem.objects.select_for_update().get(pk=item.pk)
        PayRunItem.objects.filter(pk=item.pk).update(state=It.PENDING)
        PayRun.objects.filter(pk=run.pk).update(items_done=F("items_done") - 1)
        computed = payrun_item_compute(item_id=item.pk, actor=actor)
        assert computed is not None
        run.refresh_from_db()
        run.totals = payrun_totals(run=run)
        run.save(update_fields=["totals", "updated_at"])
        audit_log(
            actor=actor,
            action="payroll.run.item_recomputed",
            target=run,
            data={"member": str(computed.member.public_id), "anomalies": [
                a["code"] for a in computed.anomalies
            ]},
        )  # fmt: skip
    return computed


def payrun_approve(*, run: PayRun, actor, now: dt.datetime | None = None) -> PayRun:
    """A payroll officer approves the run: every computed payslip without a blocking anomaly
    becomes final; the others are held back (their draft deleted, so their contracts go to the
    next run once fixed). Then the workers render, build the SEPA file and post the ledger."""
    now = now or timezone.now()
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run.pk)
        if run.state != S.REVIEW:
            raise Conflict(_("Only a run under review can be approved."))
        approved = held = 0
        for item in (
            run.items.select_for_update(of=("self",)).select_related("payslip").order_by("pk")
        ):
            if item.state == It.COMPUTED and not item.blocking and item.payslip is not None:
                if item.payslip.status == Payslip.Status.DRAFT:
                    payroll_services.payslip_approve(payslip=item.payslip, actor=actor, now=now)
                item.state = It.APPROVED
                approved += 1
            else:
                if item.payslip is not None and item.payslip.status == Payslip.Status.DRAFT:
                    item.payslip.delete()
                item.payslip = None
                item.state = It.HELD
                held += 1
            item.save(update_fields=["state", "payslip"])
        run.state = S.APPROVED
        run.approved_at = now
        run.approved_by = actor
        run.totals = payrun_totals(run=run)
        run.save(update_fields=["state", "approved_at", "approved_by", "totals", "updated_at"])
        audit_log(
            actor=actor,
            action="payroll.run.approved",
            target=run,
            data={"approved": approved, "held": held, "totals": run.totals},
        )
        from .tasks import payrun_after_approval

        payrun_after_approval.enqueue(run.pk, entity_id=run.entity_id)
    return run


def _advance(run_id: int, frm: str, to: str, message: str = "") -> PayRun | None:
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run_id)
        if run.state != frm:
            return None
        run.state = to
        if message:
            run.message = message
        run.save(update_fields=["state", "message", "updated_at"])
    return run


def payrun_render(*, run_id: int) -> None:
    """APPROVED → RENDERING: send the approved payslips to the PDF renderer in chunks.
    The renderer is `payroll.tasks.payslip_render_pdf(payslip_id=…, entity_id=…)` (built by the
    payslip-documents work); until it exists the run says so and renders nothing."""
    run = _advance(run_id, S.APPROVED, S.RENDERING)
    if run is None:
        return
    try:
        from payroll.tasks import payslip_render_pdf
    except ImportError:
        PayRun.objects.filter(pk=run.pk).update(
            message="Payslip PDFs not rendered: no renderer installed (payroll.tasks)."
        )
        return
    from celery import group

    ids = list(
        run.items.filter(state=It.APPROVED)
        .exclude(payslip=None)
        .values_list("payslip_id", flat=True)
    )
    jobs = group(payslip_render_pdf.si(payslip_id=pk, entity_id=run.entity_id) for pk in ids)
    transaction.on_commit(jobs.apply_async)


def payrun_pay(*, run_id: int) -> None:
    """RENDERING → PAYING: build the SEPA file of the approved nets (the same bytes each time)."""
    from ..sepa import payrun_sepa_xml

    with transaction.atomic():
        run = PayRun.objects.select_for_update().select_related("entity").get(pk=run_id)
        if run.state != S.RENDERING:
            return
        xml = payrun_sepa_xml(run=run)
        run.sepa_xml = xml.decode()
        run.sepa_sha256 = hashlib.sha256(xml).hexdigest()
        run.state = S.PAYING
        run.save(update_fields=["sepa_xml", "sepa_sha256", "state", "updated_at"])


def payrun_post(*, run_id: int, actor=None) -> None:
    """PAYING → POSTED: each paid contract charges its Activity the budgeted cost (activities'
    `contract_mark_paid`, once: a contract already paid is skipped, each in its own transaction
    so a killed worker resumes where it stopped)."""
    run = PayRun.objects.get(pk=run_id)
    if run.state != S.PAYING:
        return
    ids = [pk for ids in run.items.filter(state=It.APPROVED).values_list("contract_ids", flat=True)
           for pk in ids]  # fmt: skip
    for contract in EmploymentContract.objects.filter(entity=run.entity, pk__in=ids).order_by("pk"):
        if contract.status in EmploymentContract.STEPS["mark_paid"]:
            activity_services.contract_mark_paid(
                contract=contract, paid_on=run.pay_date, actor=actor
            )
    _advance(run_id, S.PAYING, S.POSTED)


def payruns_open_due(*, entity, today: dt.date) -> int:
    """Beat: open the runs whose pay date is within LEAD_DAYS (an overdue contract joins the run
    of today). Returns the number of runs opened."""
    horizon = today + dt.timedelta(days=LEAD_DAYS)
    taken = _taken_contract_ids(entity=entity)
    dates = set()
    for contract in _contracts_due(entity=entity, pay_date=horizon):
        if contract.pk not in taken and contract.wage_due_on is not None:
            dates.add(max(contract.wage_due_on, today))
    opened = 0
    for pay_date in sorted(dates):
        if not PayRun.objects.filter(entity=entity, pay_date=pay_date).exists():
            payrun_create(entity=entity, pay_date=pay_date)
            opened += 1
    return opened


def payslips_render_missing(
    *, entity, stale_after: dt.timedelta = dt.timedelta(minutes=10), limit: int = 2000
) -> int:
    """Beat: send the PDF renderer again for the approved payslips still without a document
    some time after approval (a worker killed in the render step loses the tasks it had
    taken; the renderer stores a payslip's document once). Returns how many were sent."""
    from payroll.tasks import payslip_render_pdf

    cutoff = timezone.now() - stale_after
    ids = list(
        Payslip.objects.filter(
            entity=entity, status=Payslip.Status.APPROVED, approved_at__lt=cutoff, document=None
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        payslip_render_pdf.enqueue(payslip_id=pk, entity_id=entity.pk)
    return len(ids)


def payruns_resume(*, entity, stale_after: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """Beat: a run left in a step (a worker killed, a message lost) is sent again; its steps
    skip what is done. Returns the number of runs resumed."""
    from .tasks import payrun_after_approval, payrun_compute

    cutoff = timezone.now() - stale_after
    resumed = 0
    for run in PayRun.objects.filter(entity=entity, updated_at__lt=cutoff).exclude(
        state__in=[S.REVIEW, S.POSTED, S.CLOSED, S.FAILED, S.COLLECTING]
    ):
        if run.state == S.COMPUTING:
            payrun_compute.enqueue(run.pk, entity_id=entity.pk)
        else:
            payrun_after_approval.enqueue(run.pk, entity_id=entity.pk)
        resumed += 1
    return resumed
