"""The steps of a pay run. Each one locks the run (then items, one at a time), re-reads what is
done and does the rest: running a step again changes nothing, and a step a killed worker left
half-done is finished by the next call (each worker's payslip is computed in one transaction
with its item, so it is either wholly there or not at all)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import selectors as activity_selectors
from activities import services as activity_services
from activities.models import EmploymentContract
from members.models import Member
from smartcoop.core.audit import audit_log
from smartcoop.core.bulk import any_of, loaded
from smartcoop.core.errors import ApplicationError, Conflict
from smartcoop.countries import pack_of_country

from .. import services as payroll_services
from ..models import PayRun, PayRunItem, Payslip, PayslipContract
from .anomalies import anomaly, worker_anomalies

if TYPE_CHECKING:
    from smartcoop.core.models import User

S = PayRun.State
It = PayRunItem.State
# Items that still hold their contracts (a held or refused item lets them go to the next run).
HOLDING = (It.PENDING, It.COMPUTED, It.APPROVED)
# How many workers one compute task handles: small enough that a killed worker loses little,
# large enough that the queue round-trip does not dominate (≈ 1 ms a payslip).
CHUNK = 200
# How many payslip PDFs one render task makes (one task a PDF spent more time on the queue
# round trip than typst on the PDF).
RENDER_CHUNK = 25
# The columns of a contract that computing its payslip reads (`payslips_compute_many`: checks,
# category, engine input, exit pay, paid contracts; the anomalies: status).
CONTRACT_FIELDS = (
    "id", "public_id", "entity_id", "member_id", "contract_type", "status", "start_date",
    "end_date", "hours", "cadre", "sector", "gross_wage", "joint_committee",
)  # fmt: skip
# The columns of an item and of its worker that computing it reads (the worker's anomalies).
ITEM_FIELDS = ("id", "run_id", "member_id", "contract_ids", "contract_type", "state")
MEMBER_FIELDS = ("id", "national_number", "iban")
_ITEM_MEMBER = PayRunItem._meta.get_field("member")
# How many contracts one ledger-posting transaction marks paid.
POST_CHUNK = 1000


def _chunk_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "PAYROLL_RUN_CHUNK", CHUNK))


def _render_chunk_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "PAYROLL_RENDER_CHUNK", RENDER_CHUNK))


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


def payrun_create(*, entity, pay_date: dt.date, actor: User | None = None) -> PayRun:
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


def payrun_items_compute(*, run_id: int, item_ids, actor: User | None = None) -> list[PayRunItem]:
    """Compute the payslips of a chunk of the run's workers and record their anomalies, in one
    transaction with their items: the items still pending are locked `SKIP LOCKED` (one another
    worker holds is left to it; one already computed is left alone), then everything the chunk
    needs is read in a few queries, the engine runs in Python and the payslips, their contracts,
    audit rows and items are written in bulk (`payslips_compute_many`). A killed worker loses
    the chunk's transaction, nothing else. Returns the items computed here."""
    with transaction.atomic():
        # what the engine and the anomalies read of the item and of the worker (a member row
        # has ~45 columns; the rest is read only if a refusal names the worker), as plain rows
        # made into instances at once (`loaded`)
        rows = list(
            PayRunItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(any_of("pk", item_ids), run_id=run_id, state=It.PENDING)
            .order_by("pk")
            .values_list(*ITEM_FIELDS, "member__national_number", "member__iban")
        )
        if not rows:
            return []
        items = loaded(PayRunItem, ITEM_FIELDS, [row[:6] for row in rows])
        members = loaded(Member, MEMBER_FIELDS, [(row[2], row[6], row[7]) for row in rows])
        for item, member in zip(items, members, strict=True):
            _ITEM_MEMBER.set_cached_value(item, member)
        run = PayRun.objects.select_related("entity").get(pk=run_id)
        wanted = {pk for item in items for pk in item.contract_ids}
        by_pk = {
            c.pk: c
            for c in loaded(
                EmploymentContract,
                CONTRACT_FIELDS,
                EmploymentContract.objects.filter(
                    any_of("pk", wanted), entity=run.entity
                ).values_list(*CONTRACT_FIELDS),
            )
        }
        contracts = {
            item.pk: [by_pk[pk] for pk in item.contract_ids if pk in by_pk] for item in items
        }
        outcomes = payroll_services.payslips_compute_many(
            entity=run.entity,
            pay_date=run.pay_date,
            workers=[(item.member, contracts[item.pk]) for item in items],
            actor=actor,
        )
        now = timezone.now()
        layout = pack_of_country(run.entity.country)
        committees = (
            layout is not None and layout.payslip is not None and (layout.payslip.joint_committees)
        )
        for item, outcome in zip(items, outcomes, strict=True):
            found = worker_anomalies(item.member)
            if any(c.status == EmploymentContract.Status.VALIDATED for c in contracts[item.pk]):
                found.append(anomaly("not_declared"))
            if committees and any(not c.joint_committee for c in contracts[item.pk]):
                # the payslip must name it (BE); it prints "not stated on the contract"
                found.append(anomaly("no_joint_committee"))
            payslip = None
            if isinstance(outcome, ApplicationError):
                code = "missing_parameter" if outcome.code == "missing_parameter" else (
                    "compute_refused"
                )  # fmt: skip
                found.append(anomaly(code, str(outcome.message)))
            else:
                payslip = outcome
                if "tax_profile_default" in payslip.notes:
                    found.append(anomaly("tax_profile_incomplete"))
                if "student_quota_exceeded" in payslip.notes:
                    found.append(anomaly("student_quota"))
                if payslip.net_pay < 0:
                    found.append(anomaly("negative_net"))
            item.payslip = payslip
            item.anomalies = found
            item.state = It.COMPUTED if payslip is not None else It.REFUSED
            item.computed_at = now
        _items_record(items, computed_at=now)
        PayRun.objects.filter(pk=run.pk).update(items_done=F("items_done") + len(items))
    return items


def _items_record(items: list[PayRunItem], *, computed_at: dt.datetime) -> None:
    """Write the items' outcome in one UPDATE from arrays (Django's bulk_update builds a CASE
    per row and field: most of a chunk's time)."""
    table = PayRunItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS i
            SET payslip_id = o.payslip_id, anomalies = o.anomalies::jsonb, state = o.state,
                computed_at = %s
            FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[])
                AS o(id, payslip_id, anomalies, state)
            WHERE i.id = o.id
            """,  # noqa: S608 (table name is ours, values are parameters)
            [
                computed_at,
                [item.pk for item in items],
                [item.payslip_id for item in items],
                [json.dumps(item.anomalies) for item in items],
                [item.state for item in items],
            ],
        )


def payrun_item_compute(*, item_id: int, actor: User | None = None) -> PayRunItem | None:
    """Compute one worker's payslip (a chunk of one); None if it is not pending or another
    worker holds it."""
    run_id = PayRunItem.objects.filter(pk=item_id).values_list("run_id", flat=True).first()
    if run_id is None:
        return None
    computed = payrun_items_compute(run_id=run_id, item_ids=[item_id], actor=actor)
    return computed[0] if computed else None


def payrun_compute_finish(*, run_id: int) -> PayRun:
    """Once no item is left to compute, the run goes to review with its totals. Called by the
    chord's callback and by the resume sweep; does nothing while items are pending."""
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run_id)
        if run.state != S.COMPUTING or run.items.filter(state=It.PENDING).exists():
            return run
        _analyse()
        run.items_done = run.items.exclude(state=It.PENDING).count()
        run.totals = payrun_totals(run=run)
        run.state = S.REVIEW
        run.save(update_fields=["items_done", "totals", "state", "updated_at"])
    return run


def _analyse() -> None:
    """Refresh the planner's statistics of the tables a run has just filled: a month's 11,000
    payslips arrive within minutes, before autovacuum's analyse, and the later steps' joins
    (totals, approval, SEPA file) planned on the old sizes took seconds of database CPU
    (nested loops over what looked empty). A sample, ~0.1 s; once a run."""
    tables = [m._meta.db_table for m in (PayRunItem, Payslip, PayslipContract)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def payrun_totals(*, run: PayRun) -> dict:
    """Per contract type: workers, gross, net paid, actual employer cost and the budgeted cost
    charged to the Activities (gross x the type's coefficient), as decimal strings. One
    aggregate query, whatever the run's size."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT i.contract_type, count(*), sum(p.gross), sum(p.net_pay),
                   sum(p.employer_cost), sum(coalesce(b.budgeted, 0))
            FROM {PayRunItem._meta.db_table} AS i
            JOIN {Payslip._meta.db_table} AS p ON p.id = i.payslip_id
            LEFT JOIN LATERAL (
                SELECT sum(c.employer_cost) AS budgeted
                FROM jsonb_array_elements_text(i.contract_ids) AS x(id)
                JOIN {EmploymentContract._meta.db_table} AS c
                    ON c.id = x.id::bigint AND c.entity_id = %s
            ) AS b ON true
            WHERE i.run_id = %s
            GROUP BY i.contract_type
            ORDER BY i.contract_type
            """,  # noqa: S608 (table names are ours, values are parameters)
            [run.entity_id, run.pk],
        )
        keys = ("workers", "gross", "net_pay", "employer_cost", "budgeted")
        return {row[0]: {k: str(v) for k, v in zip(keys, row[1:], strict=True)}
                for row in cursor.fetchall()}  # fmt: skip


def payrun_item_recompute(*, item: PayRunItem, actor: User | None) -> PayRunItem:
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


def payrun_approve(*, run: PayRun, actor: User | None, now: dt.datetime | None = None) -> PayRun:
    """A payroll officer approves the run: every computed payslip without a blocking anomaly
    becomes final; the others are held back (their draft deleted, so their contracts go to the
    next run once fixed). Then the workers render, build the SEPA file and post the ledger."""
    now = now or timezone.now()
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run.pk)
        if run.state != S.REVIEW:
            raise Conflict(_("Only a run under review can be approved."))
        # the items locked and read as plain rows (no payslip loaded): who is approved is
        # decided from the item's state and anomalies alone
        rows = list(
            run.items.select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", "state", "payslip_id", "anomalies")
        )
        approve = [
            (pk, payslip_id)
            for pk, state, payslip_id, anomalies in rows
            if state == It.COMPUTED
            and payslip_id is not None
            and not any(a.get("blocking") for a in anomalies)
        ]
        approving = {pk for pk, _payslip_id in approve}
        held = [(pk, payslip_id) for pk, _s, payslip_id, _a in rows if pk not in approving]
        # a payslip no longer a draft is left alone by both
        payroll_services.payslips_approve_many(
            entity=run.entity,
            payslip_ids=[payslip_id for _pk, payslip_id in approve],
            actor=actor,
            now=now,
        )
        drafts_held = [payslip_id for _pk, payslip_id in held if payslip_id is not None]
        if approving:
            run.items.filter(any_of("pk", approving)).update(state=It.APPROVED)
        if held:
            run.items.filter(any_of("pk", [pk for pk, _payslip_id in held])).update(
                state=It.HELD, payslip=None
            )
        if drafts_held:
            Payslip.objects.filter(any_of("pk", drafts_held), status=Payslip.Status.DRAFT).delete()
        approved, held_count = len(approve), len(held)
        run.state = S.APPROVED
        run.approved_at = now
        run.approved_by = actor
        run.totals = payrun_totals(run=run)
        run.save(update_fields=["state", "approved_at", "approved_by", "totals", "updated_at"])
        audit_log(
            actor=actor,
            action="payroll.run.approved",
            target=run,
            data={"approved": approved, "held": held_count, "totals": run.totals},
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
    """APPROVED → RENDERING: send the approved payslips to the PDF renderer as a group of
    chunks of PAYROLL_RENDER_CHUNK (`payrun_render_chunk`: any worker takes one and renders it
    with `payroll.tasks.payslips_render_pdfs`, which renders a payslip once). The chunks are
    sent before the state is committed: if sending fails, the run is still APPROVED (and
    fails there); a chunk that starts before the commit renders approved payslips all the
    same."""
    from celery import group

    from .tasks import payrun_render_chunk

    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run_id)
        if run.state != S.APPROVED:
            return
        ids = list(
            run.items.filter(state=It.APPROVED)
            .exclude(payslip=None)
            .order_by("pk")
            .values_list("payslip_id", flat=True)
        )
        size = _render_chunk_size()
        if ids:
            group(
                payrun_render_chunk.si(ids[i : i + size], entity_id=run.entity_id)
                for i in range(0, len(ids), size)
            ).apply_async()
        run.state = S.RENDERING
        run.save(update_fields=["state", "updated_at"])


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


def payrun_post(*, run_id: int, actor: User | None = None) -> None:
    """PAYING → POSTED: each paid contract charges its Activity the budgeted cost (activities'
    `contracts_mark_paid`, once: a contract already paid is skipped), in transactions of
    POST_CHUNK contracts, so a killed worker resumes where it stopped."""
    run = PayRun.objects.get(pk=run_id)
    if run.state != S.PAYING:
        return
    ids = sorted(pk for ids in run.items.filter(state=It.APPROVED)
                 .values_list("contract_ids", flat=True) for pk in ids)  # fmt: skip
    for start in range(0, len(ids), POST_CHUNK):
        activity_services.contracts_mark_paid(
            entity=run.entity, contract_ids=ids[start : start + POST_CHUNK],
            paid_on=run.pay_date, actor=actor,
        )  # fmt: skip
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


def payrun_compute_failed(*, run_id: int, item_ids, reason: str) -> PayRun | None:
    """A chunk of the compute chord failed for good (its retries spent, or an error no retry
    mends): the run stops in FAILED with the reason and the workers of the chunk, so the page
    shows it and the resume sweep leaves it alone. The chunk's transaction was rolled back:
    its items are still to compute. None if the run is no longer computing."""
    with transaction.atomic():
        run = PayRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state != S.COMPUTING:
            return None
        names = [
            str(item.member)
            for item in run.items.filter(pk__in=list(item_ids), state=It.PENDING)
            .select_related("member")
            .order_by("pk")[:5]
        ]
        message = f"{reason} — {', '.join(names)}" if names else reason
        return _fail(run, step=S.COMPUTING, message=message, reason=reason,
                     data={"workers": len(list(item_ids))})  # fmt: skip


# The step each state after approval is waiting for (what failed if the run stops there).
AFTER_APPROVAL_STEPS: dict[str, str] = {S.APPROVED: "render", S.RENDERING: "pay", S.PAYING: "post"}


def payrun_step_failed(*, run_id: int, reason: str) -> PayRun | None:
    """A step after approval raised for good (render dispatch, SEPA file, ledger postings): the
    step's transaction was rolled back, so the run is still in the state of that step; it
    stops in FAILED with the step and the reason on its page (audited), the resume sweep
    leaves it alone and "Try again" takes it back to that state. None if the run is not in
    a step after approval (done, or already failed)."""
    with transaction.atomic():
        run = PayRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.state not in AFTER_APPROVAL_STEPS:
            return None
        return _fail(run, step=run.state, message=reason, reason=reason, data={})


def _fail(run: PayRun, *, step: str, message: str, reason: str, data: dict) -> PayRun:
    run.state = S.FAILED
    run.failed_step = step
    run.message = message
    run.save(update_fields=["state", "failed_step", "message", "updated_at"])
    audit_log(
        actor=None,
        action="payroll.run.failed",
        target=run,
        entity=run.entity_id,
        data={"step": AFTER_APPROVAL_STEPS.get(step, "compute"), "reason": reason, **data},
    )
    return run


def payrun_retry(*, run: PayRun, actor: User | None) -> PayRun:
    """ "Try again" on a failed run: back to the step that failed, sent to the workers again.
    A failed computation sends the workers still to compute (the ones computed stay); a failed
    step after approval starts again from it (render, SEPA file or ledger: each skips what is
    done)."""
    with transaction.atomic():
        run = PayRun.objects.select_for_update().get(pk=run.pk)
        if run.state != S.FAILED:
            raise Conflict(_("Only a failed run is tried again."))
        reason = run.message
        step = run.failed_step or S.COMPUTING
        run.state = step
        run.failed_step = ""
        run.message = ""
        run.save(update_fields=["state", "failed_step", "message", "updated_at"])
        audit_log(
            actor=actor,
            action="payroll.run.retried",
            target=run,
            entity=run.entity_id,
            data={"reason": reason, "step": AFTER_APPROVAL_STEPS.get(step, "compute")},
        )
        from .tasks import payrun_after_approval, payrun_compute

        if step == S.COMPUTING:
            payrun_compute.enqueue(run.pk, entity_id=run.entity_id)
        else:
            payrun_after_approval.enqueue(run.pk, entity_id=run.entity_id)
    return run
