"""Writes of the declarations app: queue, build, send, answer, correct, withdraw. Each change is
audited in its transaction. Builders are pure (`builders.py`); this module gathers their frozen
inputs from the contract, the member and the entity, and moves the status machine:

    draft -> ready -> sent -> accepted | rejected -> corrected (by a new declaration)
    draft | ready -> withdrawn (the contract was cancelled before anything was sent)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from dataclasses import asdict, replace
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.models import EmploymentContract
from smartcoop.core.audit import audit_log, audit_log_many
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.countries import current_pack
from smartcoop.countries.params import ParameterNotInForce, param

from . import builders, dmfa
from .answers import AnswerUnreadable, Outcome, parse_dimona_notification
from .channels import ChannelRefused, ChannelUnavailable, FileOutbox, http_channel
from .models import AuthorityAnswer, ChannelSetting, Declaration, period_label

if TYPE_CHECKING:
    from smartcoop.core.models import User

K = Declaration.Kind
S = Declaration.Status
DIMONA_KINDS = (K.DIMONA_IN, K.DIMONA_UPDATE, K.DIMONA_CANCEL, K.DIMONA_OUT)
_FORM_KIND: dict[str, str] = {
    K.DIMONA_IN: "in",
    K.DIMONA_UPDATE: "update",
    K.DIMONA_CANCEL: "cancel",
    K.DIMONA_OUT: "out",
}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _tz():
    return zoneinfo.ZoneInfo(current_pack().timezone)


def _at(day: dt.date, time: dt.time | None) -> dt.datetime:
    return dt.datetime.combine(day, time or dt.time(0, 0), tzinfo=_tz())


def _working_days_after(day: dt.date, count: int) -> dt.date:
    cursor = day
    while count > 0:
        cursor += dt.timedelta(days=1)
        if cursor.weekday() < 5:
            count -= 1
    return cursor


def due_at(kind: str, contract: EmploymentContract) -> dt.datetime:
    """When the declaration must be filed (shared/RULES.md §2.1 and Part II §4): IN and DPAE
    before work starts; CANCEL on the declared start day at the latest; OUT and an UPDATE the
    first working day after the end."""
    if kind in (K.DIMONA_IN, K.DPAE):
        return _at(contract.start_date, contract.start_time)
    if kind == K.DIMONA_CANCEL:
        return _at(contract.start_date, dt.time(23, 59))
    days = param("be.dimona_out_working_days", on=contract.end_date)
    return _at(_working_days_after(contract.end_date, int(days)), dt.time(23, 59))


# The pack parameter that says whether a hiring declaration not accepted by the start blocks
# the contract (it cannot be marked performed) or only flags it.
_BLOCKS_START: dict[str, str] = {K.DIMONA_IN: "dimona_blocks_start", K.DPAE: "dpae_blocks_start"}
# The pack parameter of the earliest sending, in days before the hiring (France: 8).
_EARLIEST_DAYS: dict[str, str] = {K.DPAE: "dpae_earliest_days_before"}


def blocks_start(kind: str, contract: EmploymentContract) -> bool:
    """Whether the pack, on the contract's start date, keeps a contract whose hiring
    declaration of `kind` is not accepted from going on (`be.dimona_blocks_start`,
    `fr.dpae_blocks_start`). A pack without the parameter blocks."""
    name = _BLOCKS_START.get(kind)
    if name is None:
        return True
    return bool(param(f"{current_pack().prefix}.{name}", on=contract.start_date, default=True))


def send_from(declaration: Declaration) -> dt.datetime | None:
    """The earliest moment the declaration may be sent (a DPAE: `fr.dpae_earliest_days_before`
    days before the hiring, from midnight), or None when it may be sent at once."""
    name = _EARLIEST_DAYS.get(declaration.kind)
    contract = declaration.contract
    if name is None or contract is None:
        return None
    days = param(f"{current_pack().prefix}.{name}", on=contract.start_date, default=None)
    if days is None:
        return None
    return _at(contract.start_date - dt.timedelta(days=int(days)), None)


def held_until(declaration: Declaration, now: dt.datetime | None = None) -> dt.datetime | None:
    """When a ready declaration that may not be sent yet may be (None: not held)."""
    if declaration.status != S.READY:
        return None
    earliest = send_from(declaration)
    if earliest is None or earliest <= (now or timezone.now()):
        return None
    return earliest


def held_declarations_release(*, entity, now: dt.datetime | None = None) -> int:
    """Send by the web service the ready declarations that were held (a DPAE not sent earlier
    than the pack allows before the hiring) once their date has come: the beat of the poll
    sweep calls it every minute. Only those never tried (a declaration tried and not reached
    is retried by its own task). Returns how many were sent."""
    now = now or timezone.now()
    candidates = (
        Declaration.objects.filter(
            entity=entity,
            status=S.READY,
            channel=Declaration.Channel.HTTP,
            kind__in=list(_EARLIEST_DAYS),
            attempts=0,
        )
        .select_related("contract")
        .order_by("due_at", "id")
    )
    sent = 0
    for declaration in candidates:
        earliest = send_from(declaration)
        if earliest is None or earliest > now or earliest <= declaration.created_at:
            continue  # still held, or never held (its own task sends it)
        try:
            delivered = declaration_deliver(declaration_id=declaration.pk, now=now)
        except ChannelUnavailable:
            from .tasks import send_declaration

            send_declaration.enqueue(entity_id=declaration.entity_id, declaration_id=declaration.pk)
            continue
        if delivered is not None and delivered.status != S.READY:
            sent += 1
    return sent


def channel_setting(entity) -> ChannelSetting | None:
    return ChannelSetting.objects.filter(entity=entity).first()


def _channel_of(entity) -> str:
    """The channel of an entity (or entity id): the file outbox unless it has a setting."""
    setting = channel_setting(entity)
    return setting.channel if setting else Declaration.Channel.FILE


def facts_of(contract: EmploymentContract) -> builders.ContractFacts:
    member = contract.member
    entity = contract.entity
    return builders.ContractFacts(
        contract_ref=_("contract %(start)s of %(name)s")
        % {
            "start": date_format(contract.start_date, "SHORT_DATE_FORMAT"),
            "name": member.display_name,
        },
        contract_type=contract.contract_type,
        start_date=contract.start_date,
        end_date=contract.end_date,
        start_time=contract.start_time,
        end_time=contract.end_time,
        hours=contract.hours,
        joint_committee=contract.joint_committee,
        national_number="".join(ch for ch in (member.national_number or "") if ch.isalnum()),
        last_name=member.last_name,
        first_name=member.first_name,
        birth_date=member.birth_date,
        employer_number="".join(ch for ch in entity.employer_number if ch.isalnum()),
        enterprise_number="".join(ch for ch in entity.enterprise_number if ch.isdigit())[-10:],
    )


def _public_inputs(facts: builders.ContractFacts) -> dict:
    """The frozen inputs kept on the row, without the national number (it is in the payload)."""
    data = asdict(replace(facts, national_number="…" if facts.national_number else ""))
    return {key: str(value) if value is not None else None for key, value in data.items()}


# --- Queueing ----------------------------------------------------------------------------------


def contract_declarations_queue(
    *, contract: EmploymentContract, actor: User | None
) -> list[Declaration]:
    """A validated contract gets its Dimona IN (Belgium: one per quarter for a student) or its
    DPAE (France, CDDU and CDI), built at once and sent by its entity's channel: a batch of one
    (`contracts_declarations_queue`)."""
    return contracts_declarations_queue(contracts=[contract], actor=actor)


def _hiring_segments(contract: EmploymentContract) -> tuple[str, list] | None:
    """The kind of the contract's hiring declaration and the periods it is declared for (a
    Belgian student: one per calendar quarter), or None when it gets none (a French CAPE, a
    pack whose hiring declaration is not filed here): the pack's `hiring_declaration`."""
    kind = current_pack().hiring_declaration
    if kind == K.DIMONA_IN:
        worker_types = param("be.dimona_worker_type", on=contract.start_date, default={})
        segments = (
            builders.quarter_segments(contract.start_date, contract.end_date)
            if worker_types.get(contract.contract_type) == "STU"
            else [(contract.start_date, contract.end_date)]
        )
        return K.DIMONA_IN, segments
    if kind == K.DPAE:
        natures = param("fr.dpae_contract_nature", on=contract.start_date, default={})
        if contract.contract_type not in natures and contract.contract_type == "cape":
            return None  # a CAPE is no employment contract: no DPAE
        return K.DPAE, [(contract.start_date, contract.end_date)]
    return None


def contracts_declarations_queue(*, contracts, actor: User | None) -> list[Declaration]:
    """Validated contracts get their hiring declaration (Dimona IN or DPAE), built and checked
    at once and sent by their entity's channel; a contract that has one (not withdrawn, not
    corrected) gets nothing, so running a batch twice creates nothing new.

    A batch costs the same four queries whatever its size: the contracts locked (FOR UPDATE, in
    id order) and read with their member, entity and channel; those already declared; one
    INSERT of the declarations; one of their audit rows (queued, then ready or incomplete). The
    Dimona of the file outbox are checked against the schema together (one document); when it
    fails, each is checked alone and only the faulty ones stay in draft. Locking the contracts
    first means a second batch over the same contracts waits, then finds them declared."""
    if not current_pack().hiring_declaration:
        return []
    ids = sorted({contract.pk for contract in contracts})
    if not ids:
        return []
    with transaction.atomic():
        rows = list(
            EmploymentContract.objects.select_for_update(of=("self",))
            .select_related("member", "entity")
            .filter(pk__in=ids, status=EmploymentContract.Status.VALIDATED)
            .annotate(
                declaration_channel=Subquery(
                    ChannelSetting.objects.filter(entity=OuterRef("entity")).values("channel")[:1]
                )
            )
            .order_by("pk")
        )
        if not rows:
            return []
        declared = set(
            Declaration.objects.filter(
                contract_id__in=[row.pk for row in rows], kind__in=(K.DIMONA_IN, K.DPAE)
            )
            .exclude(status__in=(S.WITHDRAWN, S.CORRECTED))
            .values_list("contract_id", flat=True)
        )
        now = timezone.now()
        created_by = actor if getattr(actor, "is_authenticated", False) else None
        created: list[Declaration] = []
        deferred: list[tuple[Declaration, builders.DimonaForm]] = []
        for contract in rows:
            if contract.pk in declared:
                continue
            hiring = _hiring_segments(contract)
            if hiring is None:
                continue
            kind, segments = hiring
            siblings = [
                Declaration(
                    entity_id=contract.entity_id,
                    kind=kind,
                    contract=contract,
                    period_start=start,
                    period_end=end,
                    due_at=due_at(kind, contract),
                    channel=contract.declaration_channel or Declaration.Channel.FILE,
                    created_by=created_by,
                )
                for start, end in segments
            ]
            for declaration in siblings:
                _apply_build(
                    declaration,
                    _build_payload(declaration, now, siblings=siblings, deferred=deferred),
                )
            created.extend(siblings)
        if not created:
            return []
        _check_deferred(deferred)
        Declaration.objects.bulk_create(created)
        entries = []
        for declaration in created:
            assert declaration.contract is not None
            entries.append(
                {
                    "actor": actor,
                    "action": "declarations.declaration.queued",
                    "target": declaration,
                    "data": {
                        "kind": declaration.kind,
                        "contract": str(declaration.contract.public_id),
                    },
                }
            )
            entries.append(_build_audit(declaration, actor))
        audit_log_many(entries)
        for declaration in created:
            if declaration.status == S.READY and declaration.channel == Declaration.Channel.HTTP:
                from .tasks import send_declaration

                send_declaration.enqueue(
                    entity_id=declaration.entity_id, declaration_id=declaration.pk
                )
    return created


def _check_deferred(deferred: list[tuple[Declaration, builders.DimonaForm]]) -> None:
    """Check the file outbox's Dimona of a batch against the schema in one document; when it
    fails, check each alone and put the faulty ones back in draft (a bug of ours, never sent)."""
    if not deferred or not builders.schema_errors(builders.dimona_xml([f for _, f in deferred])):
        return
    for declaration, form in deferred:
        errors = builders.schema_errors(builders.dimona_xml([form]))
        if errors:
            where = declaration.inputs.get("contract_ref", "")
            declaration.status = S.DRAFT
            declaration.payload = ""
            declaration.payload_sha256 = ""
            declaration.content_type = ""
            declaration.problems = [asdict(builders.Problem("schema", f"{where}: {errors[0]}"))]


def _apply_build(
    declaration: Declaration, built: tuple[list[builders.Problem], str, str, dict]
) -> None:
    """Put a build's outcome on the row (not saved): ready with its payload and hash, or draft
    with its problems."""
    problems, payload, content_type, inputs = built
    declaration.inputs = inputs
    declaration.problems = [asdict(p) for p in problems]
    if not problems:
        declaration.payload = payload
        declaration.payload_sha256 = _sha256(payload)
        declaration.content_type = content_type
        declaration.status = S.READY


def _build_audit(declaration: Declaration, actor: User | None) -> dict:
    if declaration.status == S.READY:
        return {
            "actor": actor,
            "action": "declarations.declaration.ready",
            "target": declaration,
            "data": {"sha256": declaration.payload_sha256},
        }
    return {
        "actor": actor,
        "action": "declarations.declaration.incomplete",
        "target": declaration,
        "data": {"problems": [p["field"] for p in declaration.problems]},
    }


def _build_payload(
    declaration: Declaration,
    now: dt.datetime,
    siblings: list[Declaration] | None = None,
    deferred: list[tuple[Declaration, builders.DimonaForm]] | None = None,
) -> tuple[list[builders.Problem], str, str, dict]:
    """The declaration's payload built from the contract as it is now, or its problems. A
    Dimona of the file outbox is checked against the schema here, unless `deferred` is given:
    then it is added to that list for the caller to check with others (one document)."""
    contract = declaration.contract
    assert contract is not None
    facts = facts_of(contract)
    created_at = timezone.localtime(now, _tz()).replace(tzinfo=None)
    if declaration.kind == K.DPAE_CANCEL:
        inputs = {**_public_inputs(facts), **declaration.inputs}
        problems = builders.dpae_cancellation_problems(facts)
        if problems:
            return problems, "", "", inputs
        assert declaration.period_start is not None
        cancellation = builders.DpaeCancellation(
            reference=declaration.reference,
            created_at=created_at,
            siret=facts.employer_number,
            nir=facts.national_number,
            cancels=declaration.inputs.get("cancels", ""),
            acknowledgement=declaration.inputs.get("acknowledgement", ""),
            hiring_date=declaration.period_start,
            hiring_hour=declaration.inputs.get("hiring_hour", ""),
            reason=declaration.inputs.get("reason", ""),
        )
        return [], builders.dpae_cancellation_json(cancellation), "application/json", inputs
    try:
        if declaration.kind == K.DPAE:
            natures = param("fr.dpae_contract_nature", on=contract.start_date)
            problems = builders.dpae_problems(facts, natures=natures)
            if problems:
                return problems, "", "", _public_inputs(facts)
            dpae = builders.dpae_form(
                facts, reference=declaration.reference, created_at=created_at, natures=natures
            )
            return [], builders.dpae_json(dpae), "application/json", _public_inputs(facts)
        worker_types = param("be.dimona_worker_type", on=contract.start_date)
        committees = param("be.dimona_joint_committee", on=contract.start_date)
    except ParameterNotInForce as missing:
        return (
            [builders.Problem("parameter", f"{facts.contract_ref}: {missing}")],
            "",
            "",
            _public_inputs(facts),
        )
    if declaration.kind == K.DIMONA_IN:
        problems = builders.dimona_in_problems(
            facts, worker_types=worker_types, joint_committees=committees
        )
        if problems:
            return problems, "", "", _public_inputs(facts)
        if siblings is None:
            siblings = list(
                Declaration.objects.filter(
                    contract=contract, kind=K.DIMONA_IN, corrected_by__isnull=True
                )
                .exclude(status=S.WITHDRAWN)
                .order_by("period_start")
            )
        forms = builders.dimona_in_forms(
            facts,
            references=[d.reference for d in siblings],
            created_at=created_at,
            worker_types=worker_types,
            joint_committees=committees,
            closed_by_out=closed_by_out(contract),
        )
        form: builders.DimonaForm = next(f for f in forms if f.reference == declaration.reference)
    else:
        origin = declaration.inputs.get("period_id", "")
        if not origin:
            return (
                [
                    builders.Problem(
                        "dimona_period_id",
                        f"{facts.contract_ref}: " + _("the Dimona IN has no period number yet"),
                    )
                ],
                "",
                "",
                _public_inputs(facts),
            )
        form = _follow_up_form(declaration, contract, facts, origin, created_at, worker_types)
    inputs = {**_public_inputs(facts), **declaration.inputs}
    if declaration.channel == Declaration.Channel.HTTP:
        return (
            [],
            builders.canonical_json(builders.dimona_rest_body(form)),
            "application/json",
            inputs,
        )
    document = builders.dimona_xml([form])
    if deferred is not None:
        deferred.append((declaration, form))
        return [], document.decode(), "application/xml", inputs
    errors = builders.schema_errors(document)
    if errors:  # a bug of ours, never sent
        return [builders.Problem("schema", f"{facts.contract_ref}: {errors[0]}")], "", "", inputs
    return [], document.decode(), "application/xml", inputs


def closed_by_out(contract: EmploymentContract) -> bool:
    """An open-ended employment: declared by an IN without end date, closed by a Dimona OUT
    (`be.dimona_closed_by_out`, by contract type)."""
    if current_pack().hiring_declaration != K.DIMONA_IN:
        return False
    types = param("be.dimona_closed_by_out", on=contract.start_date, default=())
    return contract.contract_type in types


def _follow_up_form(
    declaration: Declaration,
    contract: EmploymentContract,
    facts: builders.ContractFacts,
    period_id: str,
    created_at: dt.datetime,
    worker_types: dict,
) -> builders.DimonaForm:
    """UPDATE (the new dates of the period it follows: for a student the quarter's part and its
    planned hours; an open-ended employment's start only), CANCEL, OUT (the contract's end)."""
    start = declaration.period_start or contract.start_date
    end = declaration.period_end or contract.end_date
    planned = None
    if declaration.kind == K.DIMONA_UPDATE and worker_types.get(contract.contract_type) == "STU":
        assert facts.hours is not None
        planned = builders.planned_hours(
            facts.hours, (contract.start_date, contract.end_date), (start, end)
        )
    open_ended = closed_by_out(contract)
    end_date: dt.date | None = None
    if declaration.kind == K.DIMONA_OUT:
        end_date = contract.end_date
    elif declaration.kind == K.DIMONA_UPDATE and not (
        open_ended and not declaration.inputs.get("out")
    ):
        end_date = end
    return builders.DimonaForm(
        kind=_FORM_KIND[declaration.kind],
        reference=declaration.reference,
        created_at=created_at,
        employer_noss=facts.employer_number,
        enterprise_number=facts.enterprise_number,
        start_date=start if declaration.kind == K.DIMONA_UPDATE else None,
        end_date=end_date,
        planned_hours=planned,
        period_id=period_id,
    )


def declaration_build(
    *, declaration: Declaration, actor: User | None, now: dt.datetime | None = None
) -> Declaration:
    """Build the file from the current data: ready when complete, else kept in draft with a
    message per missing field. Nothing half-built is ever sent."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != S.DRAFT:
            raise Conflict(
                _("This declaration is %(status)s: it is built already.")
                % {"status": locked.get_status_display()}
            )
        problems, payload, content_type, inputs = _build_payload(locked, now)
        locked.inputs = inputs
        locked.problems = [asdict(p) for p in problems]
        if problems:
            locked.save(update_fields=["inputs", "problems", "updated_at"])
            audit_log(
                actor=actor,
                action="declarations.declaration.incomplete",
                target=locked,
                data={"problems": [p.field for p in problems]},
            )
        else:
            locked.payload = payload
            locked.payload_sha256 = _sha256(payload)
            locked.content_type = content_type
            locked.status = S.READY
            locked.save(
                update_fields=[
                    "inputs",
                    "problems",
                    "payload",
                    "payload_sha256",
                    "content_type",
                    "status",
                    "updated_at",
                ]
            )
            audit_log(
                actor=actor,
                action="declarations.declaration.ready",
                target=locked,
                data={"sha256": locked.payload_sha256},
            )
            if locked.channel == Declaration.Channel.HTTP:
                from .tasks import send_declaration

                send_declaration.enqueue(entity_id=locked.entity_id, declaration_id=locked.pk)
    declaration.refresh_from_db()
    return declaration


def declaration_rebuild_drafts(
    *, contract: EmploymentContract, actor: User | None
) -> list[Declaration]:
    """After staff completed the data: try the contract's drafts again."""
    drafts = Declaration.objects.filter(contract=contract, status=S.DRAFT)
    return [declaration_build(declaration=d, actor=actor) for d in drafts]


# --- Follow-ups: cancel, withdraw, correct ------------------------------------------------------


def _follow_up(
    *,
    origin: Declaration,
    kind: str,
    actor: User | None,
    period: tuple[dt.date, dt.date] | None = None,
    due: dt.datetime | None = None,
    inputs: dict | None = None,
) -> Declaration:
    assert origin.contract is not None
    start, end = period or (origin.period_start, origin.period_end)
    follow = Declaration.objects.create(
        entity=origin.entity,
        kind=kind,
        contract=origin.contract,
        period_start=start,
        period_end=end,
        due_at=due or due_at(kind, origin.contract),
        channel=_channel_of(origin.entity),
        inputs={"period_id": origin.dimona_period_id, **(inputs or {})},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(
        actor=actor,
        action="declarations.declaration.queued",
        target=follow,
        data={"kind": kind, "follows": origin.reference},
    )
    return declaration_build(declaration=follow, actor=actor)


def contract_cancelled(*, contract: EmploymentContract, actor: User | None) -> None:
    """A cancelled contract: what was not sent is withdrawn; an accepted Dimona IN is cancelled
    (a sent one is cancelled when its acceptance comes back)."""
    for declaration in Declaration.objects.filter(
        contract=contract, kind__in=(K.DIMONA_IN, K.DPAE)
    ):
        if declaration.status in (S.DRAFT, S.READY):
            _withdraw(declaration, actor=actor)
        elif declaration.status == S.ACCEPTED and declaration.kind == K.DIMONA_IN:
            _follow_up(origin=declaration, kind=K.DIMONA_CANCEL, actor=actor)
        elif (
            declaration.status == S.ACCEPTED
            and declaration.kind == K.DPAE
            and not hasattr(declaration, "corrected_by")
        ):
            _dpae_cancel(original=declaration, reason="contract_cancelled", actor=actor)


def _dpae_cancel(*, original: Declaration, reason: str, actor: User | None) -> Declaration:
    """The cancellation of an accepted DPAE, due by the hiring it declared (shared/RULES.md
    Part II §4: the DPAE is the proof of the hiring's date and hour, R1221-1)."""
    hour = original.contract.start_time if original.contract else None
    return _follow_up(
        origin=original,
        kind=K.DPAE_CANCEL,
        actor=actor,
        due=original.due_at,
        inputs={
            "cancels": original.reference,
            "acknowledgement": original.authority_reference,
            "hiring_hour": (hour or dt.time(0, 0)).strftime("%H:%M"),
            "reason": reason,
        },
    )


def _dpae_replace(*, original: Declaration, actor: User | None) -> Declaration | None:
    """An accepted DPAE whose contract's dates changed before the hiring it declares: there is
    no update message for a DPAE, and what it declares (date and hour of hiring, nature and
    duration of the contract: Code du travail R1221-1) must be true before work starts
    (R1221-5); so it is cancelled and a new DPAE with the new dates replaces it (`corrects`
    names the original), due at the new start (shared/RULES.md Part II §4). Once work has
    started under the DPAE filed, nothing is sent again: the contract's end is declared in the
    monthly DSN and its FCTU. Returns the new DPAE, or None."""
    contract = original.contract
    assert contract is not None
    if original.due_at is None or original.due_at <= timezone.now():
        return None
    if (original.period_start, original.period_end) == (contract.start_date, contract.end_date):
        return None
    _dpae_cancel(original=original, reason="dates_changed", actor=actor)
    replacement = Declaration.objects.create(
        entity_id=original.entity_id,
        kind=K.DPAE,
        contract=contract,
        period_start=contract.start_date,
        period_end=contract.end_date,
        corrects=original,
        due_at=due_at(K.DPAE, contract),
        channel=_channel_of(original.entity_id),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(
        actor=actor,
        action="declarations.declaration.queued",
        target=replacement,
        data={"kind": K.DPAE, "replaces": original.reference},
    )
    return declaration_build(declaration=replacement, actor=actor)


def hiring_segments(contract: EmploymentContract) -> list[tuple[dt.date, dt.date]]:
    """The periods the contract's hiring declarations cover: one per calendar quarter for a
    Belgian student (planned hours per quarter), else the whole contract."""
    if current_pack().hiring_declaration == K.DIMONA_IN:
        worker_types = param("be.dimona_worker_type", on=contract.start_date, default={})
        if worker_types.get(contract.contract_type) == "STU":
            return builders.quarter_segments(contract.start_date, contract.end_date)
    return [(contract.start_date, contract.end_date)]


def _update_due(
    contract: EmploymentContract, before: tuple[dt.date, dt.date], after: tuple[dt.date, dt.date]
) -> dt.datetime:
    """When an UPDATE is due (shared/RULES.md §2.1): a start moved earlier, before the worker
    starts; an end moved, the first working day after the earlier of the old and new ends."""
    days = int(param("be.dimona_out_working_days", on=after[1]))
    due = _at(_working_days_after(min(before[1], after[1]), days), dt.time(23, 59))
    if after[0] < before[0]:
        due = min(due, _at(after[0], contract.start_time))
    return due


def contract_dates_changed(*, contract: EmploymentContract, actor: User | None) -> None:
    """New dates (activities' `contract_change_dates`, in its transaction). Unsent declarations
    are built again with the new dates; an accepted Dimona IN gets an UPDATE of its period (a
    student's quarter by quarter); a sent one gets it when its acceptance comes back (flagged
    `dates_changed`). An open-ended employment's unsent OUT is rebuilt, an accepted one updated.
    A student contract whose Dimona is already filed cannot move into other quarters: that needs
    a new contract (refused, so the change is undone)."""
    hiring = list(
        Declaration.objects.select_for_update(of=("self",))
        .filter(contract=contract, kind__in=(K.DIMONA_IN, K.DPAE), corrected_by__isnull=True)
        .exclude(status__in=(S.WITHDRAWN, S.CORRECTED))
        .order_by("period_start", "id")
    )
    if not hiring:
        return
    segments = hiring_segments(contract)
    filed = [d for d in hiring if d.status not in (S.DRAFT, S.READY)]
    if len(segments) != len(hiring):
        if filed:
            raise ValidationFailed(
                _(
                    "The student's Dimona is filed per quarter (%(filed)s): new dates in other "
                    "quarters need a new contract (cancel this one)."
                )
                % {"filed": len(hiring)},
                field="start_date",
                code="dimona_quarters_filed",
            )
        for declaration in hiring:
            _withdraw(declaration, actor=actor)
        contract_declarations_queue(contract=contract, actor=actor)
        return
    for declaration, segment in zip(hiring, segments, strict=True):
        before = (declaration.period_start or segment[0], declaration.period_end or segment[1])
        if declaration.status in (S.DRAFT, S.READY):
            declaration.status = S.DRAFT
            declaration.period_start, declaration.period_end = segment
            declaration.due_at = due_at(declaration.kind, contract)
            declaration.save(
                update_fields=["status", "period_start", "period_end", "due_at", "updated_at"]
            )
            declaration_build(declaration=declaration, actor=actor)
        elif declaration.kind == K.DPAE:
            if declaration.status == S.ACCEPTED:
                _dpae_replace(original=declaration, actor=actor)
            # sent: compared with the contract when URSSAF's acknowledgement is recorded;
            # rejected: its correction is built from the contract as it is now.
            continue
        elif declaration.kind != K.DIMONA_IN or before == segment:
            continue
        elif declaration.status == S.ACCEPTED:
            if closed_by_out(contract) and before[0] == segment[0]:
                continue  # the IN declared no end: the OUT carries it
            _follow_up(
                origin=declaration,
                kind=K.DIMONA_UPDATE,
                actor=actor,
                period=segment,
                due=_update_due(contract, before, segment),
            )
        else:  # sent or rejected: the acceptance (or the correction) will carry the new dates
            declaration.inputs = {**declaration.inputs, "dates_changed": [str(d) for d in before]}
            declaration.period_start, declaration.period_end = segment
            declaration.save(update_fields=["inputs", "period_start", "period_end", "updated_at"])
    for out in Declaration.objects.filter(
        contract=contract, kind=K.DIMONA_OUT, corrected_by__isnull=True
    ).exclude(status__in=(S.WITHDRAWN, S.CORRECTED)):
        if out.status in (S.DRAFT, S.READY):
            out.status = S.DRAFT
            out.period_start, out.period_end = contract.start_date, contract.end_date
            out.due_at = due_at(K.DIMONA_OUT, contract)
            out.save(update_fields=["status", "period_start", "period_end", "due_at", "updated_at"])
            declaration_build(declaration=out, actor=actor)
        elif out.status == S.ACCEPTED and out.period_end != contract.end_date:
            _follow_up(
                origin=out,
                kind=K.DIMONA_UPDATE,
                actor=actor,
                period=(contract.start_date, contract.end_date),
                due=_update_due(
                    contract,
                    (out.period_start or contract.start_date, out.period_end or contract.end_date),
                    (contract.start_date, contract.end_date),
                ),
                inputs={"out": True},
            )


def dimona_out_queue(
    *, entity, today: dt.date | None = None, actor: User | None = None
) -> list[Declaration]:
    """Queue the Dimona OUT of every open-ended employment of the entity that ends today or has
    ended (`be.dimona_closed_by_out`), once its IN is accepted (the OUT names the IN's period):
    due the first working day after the end (shared/RULES.md §2.1). Run daily by beat; each IN
    is locked (SKIP LOCKED) and checked again, so two runs never queue two OUTs."""
    today = today or timezone.localdate()
    if current_pack().hiring_declaration != K.DIMONA_IN:
        return []
    types = param("be.dimona_closed_by_out", on=today, default=())
    if not types:
        return []
    queued = []
    candidates = (
        Declaration.objects.filter(
            entity=entity,
            kind=K.DIMONA_IN,
            status=S.ACCEPTED,
            corrected_by__isnull=True,
            contract__contract_type__in=types,
            contract__end_date__lte=today,
        )
        .exclude(contract__status=EmploymentContract.Status.CANCELLED)
        .exclude(
            Exists(
                Declaration.objects.filter(
                    contract=OuterRef("contract"), kind=K.DIMONA_OUT
                ).exclude(status__in=(S.WITHDRAWN, S.CORRECTED))
            )
        )
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            origin = (
                Declaration.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("contract")
                .filter(pk=pk, status=S.ACCEPTED)
                .first()
            )
            if origin is None or origin.contract is None or not closed_by_out(origin.contract):
                continue
            if (
                Declaration.objects.filter(contract=origin.contract, kind=K.DIMONA_OUT)
                .exclude(status__in=(S.WITHDRAWN, S.CORRECTED))
                .exists()
            ):
                continue
            contract = origin.contract
            queued.append(
                _follow_up(
                    origin=origin,
                    kind=K.DIMONA_OUT,
                    actor=actor,
                    period=(contract.start_date, contract.end_date),
                )
            )
    return queued


def _withdraw(declaration: Declaration, *, actor: User | None) -> None:
    declaration.status = S.WITHDRAWN
    declaration.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="declarations.declaration.withdrawn", target=declaration)


def declaration_correct(*, declaration: Declaration, actor: User | None) -> Declaration:
    """A rejected declaration is corrected by a new one, built from the data as it is now (staff
    fixed what the authority said), pointing to the one it corrects."""
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != S.REJECTED:
            raise Conflict(_("Only a rejected declaration can be corrected."))
        locked.status = S.CORRECTED
        locked.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="declarations.declaration.corrected", target=locked)
        correction = Declaration.objects.create(
            entity=locked.entity,
            kind=locked.kind,
            contract=locked.contract,
            period_start=locked.period_start,
            period_end=locked.period_end,
            corrects=locked,
            due_at=locked.due_at,
            channel=_channel_of(locked.entity),
            inputs={"period_id": locked.inputs.get("period_id", "")}
            if locked.inputs.get("period_id")
            else {},
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action="declarations.declaration.queued",
            target=correction,
            data={"kind": locked.kind, "corrects": locked.reference},
        )
    return declaration_build(declaration=correction, actor=actor)


# --- Sending and answers -------------------------------------------------------------------------


def _mark_sent(
    declaration: Declaration, *, actor: User | None, authority_reference: str = ""
) -> None:
    from .services_poll import first_poll_at

    declaration.status = S.SENT
    declaration.sent_at = timezone.now()
    declaration.authority_reference = authority_reference
    # Sent by the web service: the poll sweep asks for its answer from then on (unless the
    # status check that follows the sending reads it at once).
    declaration.next_poll_at = first_poll_at(declaration.sent_at) if authority_reference else None
    declaration.save(
        update_fields=[
            "status",
            "sent_at",
            "authority_reference",
            "attempts",
            "next_poll_at",
            "updated_at",
        ]
    )
    audit_log(
        actor=actor,
        action="declarations.declaration.sent",
        target=declaration,
        data={"channel": declaration.channel, "sha256": declaration.payload_sha256},
    )


def outbox_batch(
    *, entity, actor: User | None, now: dt.datetime | None = None
) -> tuple[bytes, int]:
    """The batch file of every Dimona ready in the file outbox of this entity; they become sent.
    DPAE (France) are JSON documents, downloaded one by one."""
    with transaction.atomic():
        ready = list(
            Declaration.objects.select_for_update()
            .filter(
                entity=entity,
                status=S.READY,
                channel=Declaration.Channel.FILE,
                kind__in=DIMONA_KINDS,
            )
            .order_by("due_at", "id")
        )
        if not ready:
            return b"", 0
        batch = FileOutbox().deliver([d.payload for d in ready])
        # Every one sent at once: one UPDATE and one INSERT of their audit rows.
        sent_at = timezone.now()
        Declaration.objects.filter(pk__in=[d.pk for d in ready]).update(
            status=S.SENT, sent_at=sent_at, authority_reference="", updated_at=sent_at
        )
        audit_log_many(
            [
                {
                    "actor": actor,
                    "action": "declarations.declaration.sent",
                    "target": declaration,
                    "data": {"channel": declaration.channel, "sha256": declaration.payload_sha256},
                }
                for declaration in ready
            ]
        )
        audit_log(
            actor=actor,
            action="declarations.batch.downloaded",
            entity=entity,
            data={"count": len(ready), "sha256": hashlib.sha256(batch).hexdigest()},
        )
    return batch, len(ready)


def _apply(declaration: Declaration, outcome: Outcome, *, actor: User | None) -> None:
    """Record the authority's verdict on a sent declaration (under its row lock)."""
    declaration.answered_at = timezone.now()
    declaration.authority_codes = list(outcome.codes)
    # one label a line, in the order of the codes (`anomalies.explain` pairs them)
    declaration.authority_message = "\n".join(outcome.messages) if any(outcome.messages) else ""
    if outcome.authority_reference:
        declaration.authority_reference = outcome.authority_reference
    if outcome.accepted:
        declaration.status = S.ACCEPTED
        declaration.dimona_period_id = outcome.period_id or declaration.inputs.get("period_id", "")
    else:
        declaration.status = S.REJECTED
        if not declaration.authority_codes and not declaration.authority_message:
            declaration.authority_message = _("Refused without a reason given.")
    declaration.save()
    audit_log(
        actor=actor,
        action=f"declarations.declaration.{declaration.status}",
        target=declaration,
        data={"codes": declaration.authority_codes, "period": declaration.dimona_period_id},
    )
    if declaration.status == S.ACCEPTED:
        _after_acceptance(declaration, actor=actor)


def _after_acceptance(declaration: Declaration, *, actor: User | None) -> None:
    contract = declaration.contract
    if contract is None or declaration.kind not in (K.DIMONA_IN, K.DPAE):
        return
    contract.refresh_from_db()
    if contract.status == EmploymentContract.Status.CANCELLED:
        if declaration.kind == K.DIMONA_IN:
            _follow_up(origin=declaration, kind=K.DIMONA_CANCEL, actor=actor)
        else:
            _dpae_cancel(original=declaration, reason="contract_cancelled", actor=actor)
        return
    if declaration.kind == K.DPAE:
        _dpae_replace(original=declaration, actor=actor)  # dates changed while it was sent
    changed = declaration.inputs.get("dates_changed")
    if changed and declaration.kind == K.DIMONA_IN and declaration.period_start:
        assert declaration.period_end is not None
        before = (dt.date.fromisoformat(changed[0]), dt.date.fromisoformat(changed[1]))
        segment = (declaration.period_start, declaration.period_end)
        if not (closed_by_out(contract) and before[0] == segment[0]):
            _follow_up(
                origin=declaration,
                kind=K.DIMONA_UPDATE,
                actor=actor,
                period=segment,
                due=_update_due(contract, before, segment),
            )
    contract_declare_when_filed(contract=contract, actor=actor)


def contract_declare_when_filed(*, contract: EmploymentContract, actor: User | None) -> None:
    """A validated contract whose hiring declarations (every Dimona IN, or its DPAE) are all
    accepted becomes declared. One performed abroad waits for its A1 and host-country
    declaration: the authority's acceptance is kept, and the contract is declared when staff
    record the documents in place (activities' event "posting_in_place")."""
    from activities.services import contract_declare

    if contract.status != EmploymentContract.Status.VALIDATED:
        return
    hiring = Declaration.objects.filter(
        contract=contract, kind__in=(K.DIMONA_IN, K.DPAE), corrected_by__isnull=True
    ).exclude(status=S.WITHDRAWN)
    if not hiring.exists() or hiring.exclude(status=S.ACCEPTED).exists():
        return
    try:
        contract_declare(contract=contract, actor=actor)
    except Conflict as refusal:
        if refusal.code != "posting_documents_missing":
            raise


def declaration_record_answer(
    *, declaration: Declaration, accepted: bool, reference: str, message: str, actor: User | None
) -> Declaration:
    """Staff record an answer received outside the batch flow (a DPAE's URSSAF acknowledgement
    number, or its refusal). A ready declaration becomes sent first: it was filed by hand."""
    if not reference.strip() and not message.strip():
        raise ValidationFailed(
            _("Give the acknowledgement number or the authority's message."), field="reference"
        )
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status not in (S.READY, S.SENT):
            raise Conflict(
                _("This declaration is %(status)s: it has its answer already.")
                % {"status": locked.get_status_display()}
            )
        held = held_until(locked)
        if held is not None:
            raise Conflict(
                _(
                    "This declaration may not be filed before %(date)s (the earliest the rules "
                    "allow before the hiring): file it then, and record its answer."
                )
                % {"date": date_format(timezone.localtime(held), "DATETIME_FORMAT")},
                code="held",
            )
        if locked.status == S.READY:
            _mark_sent(locked, actor=actor)
        codes = () if accepted else ((reference.strip(),) if reference.strip() else ())
        _apply(
            locked,
            Outcome(
                locked.reference,
                accepted,
                authority_reference=reference.strip()[:64] if accepted else "",
                codes=codes,
                messages=(message.strip(),) if message.strip() else (),
            ),
            actor=actor,
        )
    declaration.refresh_from_db()
    return declaration


def answer_upload(*, entity, raw: bytes, actor: User | None) -> AuthorityAnswer:
    """Staff upload the authority's answer file. It is always kept; applied only when it parses,
    to the sent declarations of this entity it names (others are listed as unmatched)."""
    text = raw.decode("utf-8", errors="replace")
    with transaction.atomic():
        answer = AuthorityAnswer.objects.create(
            entity=entity, raw=text, sha256=hashlib.sha256(raw).hexdigest(), received_by=actor
        )
        try:
            outcomes = parse_dimona_notification(raw)
        except AnswerUnreadable as error:
            answer.error = str(error)[:500]
            answer.save(update_fields=["error", "updated_at"])
            audit_log(
                actor=actor,
                action="declarations.answer.unreadable",
                target=answer,
                data={"error": answer.error},
            )
            return answer
        answer.parsed = True
        by_reference = {
            d.reference: d
            for d in Declaration.objects.select_for_update().filter(entity=entity, status=S.SENT)
        }
        for outcome in outcomes:
            declaration = by_reference.get(outcome.reference)
            if declaration is None:
                answer.unmatched.append(outcome.reference)
                continue
            _apply(declaration, outcome, actor=actor)
            answer.applied += 1
        answer.save(update_fields=["parsed", "applied", "unmatched", "updated_at"])
        audit_log(
            actor=actor,
            action="declarations.answer.applied",
            target=answer,
            data={"applied": answer.applied, "unmatched": len(answer.unmatched)},
        )
    return answer


def _keep_unreadable(declaration: Declaration, error: AnswerUnreadable) -> AuthorityAnswer:
    """The web service answered something we cannot read: the answer is kept (listed with the
    entity's answers as unreadable), the declaration says so and stays sent, nothing is applied.
    Staff read the answer, or the next status check reads a good one."""
    raw = error.raw or str(error)
    with transaction.atomic():
        answer = AuthorityAnswer.objects.create(
            entity_id=declaration.entity_id,
            raw=raw,
            sha256=hashlib.sha256(raw.encode()).hexdigest(),
            error=str(error)[:500],
        )
        Declaration.objects.filter(pk=declaration.pk).update(
            last_error=(
                _("The authority's answer could not be read (%(error)s): kept, not applied.")
                % {"error": str(error)}
            )[:500]
        )
        audit_log(
            actor=None,
            action="declarations.answer.unreadable",
            target=answer,
            data={"error": answer.error, "declaration": declaration.reference},
        )
    return answer


def declaration_deliver(
    *, declaration_id: int, now: dt.datetime | None = None
) -> Declaration | None:
    """Send one ready declaration by the web service, then read its status (the task's body).
    ChannelUnavailable propagates, so the task retries later with the same idempotency key.
    Read in the caller's entity scope (the task's): another entity's declaration is not found
    and nothing is sent (None). A declaration held until a later date (a DPAE more than the
    pack's days before the hiring) is not sent: `held_declarations_release` sends it then."""
    declaration = Declaration.objects.filter(pk=declaration_id).first()
    if declaration is None:
        return None
    if held_until(declaration, now) is not None:
        return declaration
    setting = channel_setting(declaration.entity)
    if setting is None or setting.channel != Declaration.Channel.HTTP:
        return declaration
    channel = http_channel(setting)
    if declaration.status == S.READY:
        Declaration.objects.filter(pk=declaration.pk).update(attempts=declaration.attempts + 1)
        declaration.attempts += 1
        try:
            authority_reference = channel.deliver(
                reference=declaration.reference,
                body=declaration.payload,
                content_type=declaration.content_type,
            )
        except ChannelRefused as refused:
            with transaction.atomic():
                locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
                _mark_sent(locked, actor=None)
                _apply(
                    locked,
                    Outcome(
                        locked.reference, False, codes=refused.codes, messages=refused.messages
                    ),
                    actor=None,
                )
            declaration.refresh_from_db()
            return declaration
        except ChannelUnavailable as error:
            Declaration.objects.filter(pk=declaration.pk).update(last_error=str(error)[:500])
            raise
        with transaction.atomic():
            locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
            _mark_sent(locked, actor=None, authority_reference=authority_reference)
        declaration.refresh_from_db()
    if declaration.status == S.SENT and declaration.authority_reference:
        status_check(declaration, channel)
        declaration.refresh_from_db()
    return declaration


def status_check(declaration: Declaration, channel) -> str:
    """Ask the web service for the answer to a sent declaration and apply it (the HTTP call
    outside any transaction). Returns what came of it: "pending" (not processed yet),
    "unreadable" (kept and reported, never applied: `_keep_unreadable`), "applied", or
    "answered" (someone else applied an answer first). Locks the declaration's row to apply,
    re-checking it is still sent, so an answer is applied once whoever asks.
    ChannelUnavailable propagates."""
    try:
        outcome = channel.status(
            reference=declaration.reference, authority_reference=declaration.authority_reference
        )
    except AnswerUnreadable as error:
        _keep_unreadable(declaration, error)
        return "unreadable"
    if outcome.accepted is None:
        return "pending"
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != S.SENT:
            return "answered"
        _apply(locked, outcome, actor=None)
    return "applied"


# --- DmfA (Belgium, quarterly) -------------------------------------------------------------------


def _dmfa_due(quarter_end: dt.date) -> dt.datetime:
    months = int(param("be.dmfa_due_months_after_quarter", on=quarter_end))
    year, month = quarter_end.year, quarter_end.month + months
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    first_after = dt.date(year + (month == 12), month % 12 + 1, 1)
    return _at(first_after - dt.timedelta(days=1), dt.time(23, 59))


def _dmfa_payslips(entity, start: dt.date, end: dt.date):
    """The payslips a quarter declares: approved, period starting in it, neither a reversal
    nor a reversed payslip (the two cancel out)."""
    from payroll.models import Payslip

    return (
        Payslip.objects.filter(
            entity=entity, status=Payslip.Status.APPROVED, period_start__range=(start, end)
        )
        .filter(corrects__isnull=True)
        .exclude(corrected_by__status=Payslip.Status.APPROVED)
        .select_related("member")
        .prefetch_related("paid_contracts__contract")
        .order_by("member__last_name", "member_id", "period_start", "id")
    )


def _line_sum(payslips, code: str):
    from decimal import Decimal

    return sum(
        (Decimal(line["amount"]) for slip in payslips for line in slip.lines
         if line["code"] == code),
        Decimal("0"),
    )  # fmt: skip


def dmfa_holiday_special(entity, start: dt.date, end: dt.date):
    """Worker code 870 of the quarter: the double exit holiday pay of its payslips (the basis)
    and the special contribution on it."""
    payslips = list(_dmfa_payslips(entity, start, end).prefetch_related(None))
    return _line_sum(payslips, dmfa.EXIT_DOUBLE), _line_sum(payslips, dmfa.EXIT_SPECIAL)


def _exit_simple_occupations(slip) -> tuple:
    """The payslip's contracts as occupations; its simple exit holiday pay goes to the contract
    that ends last (the one whose end pays it)."""
    paid = sorted(slip.paid_contracts.all(), key=lambda p: (p.contract.end_date, p.pk))
    exit_simple = _line_sum([slip], dmfa.EXIT_SIMPLE)
    return tuple(
        (row, exit_simple if index == len(paid) - 1 else 0) for index, row in enumerate(paid)
    )


def _dmfa_lines(
    entity, start: dt.date, end: dt.date, progress=None
) -> tuple[list[dmfa.WorkerLine], list[builders.Problem]]:
    """The worker lines of the quarter from the entity's approved payslips whose period starts
    in it (payroll's models, read only)."""
    from decimal import Decimal

    payslips = _dmfa_payslips(entity, start, end)
    by_member: dict[int, list] = {}
    for payslip in payslips:
        by_member.setdefault(payslip.member_id, []).append(payslip)
    manual_committees = [
        str(prefix) for prefix in param("be.dmfa_manual_joint_committees", on=end, default=())
    ]
    lines, problems = [], []
    for index, slips in enumerate(by_member.values()):
        if progress is not None and index % 250 == 0:
            progress("workers", index, len(by_member))
        member = slips[0].member
        inss = "".join(ch for ch in (member.national_number or "") if ch.isdigit())
        if len(inss) != 11:
            problems.append(
                builders.Problem(
                    "member.national_number",
                    _("%(name)s: no national number (INSZ/NISS) for the DmfA")
                    % {"name": member.display_name},
                )
            )
            continue
        for category in sorted({slip.category for slip in slips}):
            group = [slip for slip in slips if slip.category == category]

            def total(codes, group=group) -> Decimal:
                return sum(
                    (
                        Decimal(line["amount"])
                        for slip in group
                        for line in slip.lines
                        if line["code"] in codes
                    ),
                    Decimal("0"),
                )

            code = dmfa.worker_code(
                category,
                birth_date=member.birth_date,
                year=start.year,
                manual=any(
                    (paid.contract.joint_committee or "").startswith(tuple(manual_committees))
                    for slip in group
                    for paid in slip.paid_contracts.all()
                ),
                # No member or contract records whether an artist is a part-time pupil: 047 is
                # given by age alone (docs/declarations.md, DmfA).
                part_time_pupil=None,
            )
            exit_simple = _line_sum(group, dmfa.EXIT_SIMPLE)
            # the contracts' wages: the exit holiday pay (an earning line in the gross) is
            # declared apart, its simple part as remuneration code 7
            earnings = sum(
                (Decimal(x["amount"]) for slip in group for x in slip.lines
                 if x.get("side") == "earning"),
                Decimal("0"),
            )  # fmt: skip
            gross = sum((slip.gross for slip in group), Decimal("0")) - earnings
            factor = Decimal("1.08") if code in dmfa.MANUAL_CODES else Decimal("1")
            occupations = tuple(
                dmfa.Occupation(
                    start=paid.contract.start_date,
                    end=paid.contract.end_date,
                    # the schema's format (zone 00046: 200, 302.01, 140.03.01), else PC 200
                    joint_committee=paid.contract.joint_committee
                    if re.fullmatch(
                        r"\d{3}(\.\d{2}){0,2}", paid.contract.joint_committee or "", re.ASCII
                    )
                    else "200",
                    hours=paid.hours,
                    gross=paid.gross,
                    exit_simple=Decimal(exit_part),
                )
                for slip in group
                for paid, exit_part in _exit_simple_occupations(slip)
            )
            lines.append(
                dmfa.WorkerLine(
                    inss=inss,
                    worker_code=code,
                    occupations=occupations,
                    gross=gross,
                    contribution_basis=gross * factor + exit_simple,
                    contributions=total(dmfa.CONTRIBUTIONS),
                    work_bonus=-total(dmfa.WORK_BONUS),
                    structural_reduction=-total(("structural_reduction",)),
                    student_contribution=total(dmfa.STUDENT),
                    student_hours=sum((o.hours for o in occupations), Decimal("0")),
                )
            )
    return lines, problems


def dmfa_build_quarter(
    *, entity, quarter: str, actor: User | None, now: dt.datetime | None = None, progress=None
) -> Declaration:
    """The original DmfA of `quarter` (YYYYQ) for the entity, built from the approved payslips of
    the quarter; in draft, naming what is missing, when a worker has no national number or the
    entity no ONSS number. One original per entity and quarter: a later one corrects it.
    `progress(step, done, total)`, when given, hears each step (the one-action filing's bar)."""
    now = now or timezone.now()
    from .periodic import dmfa_update_if_accepted

    update = dmfa_update_if_accepted(entity=entity, quarter=quarter, actor=actor, now=now)
    if update is not None:  # the original was accepted: a correction is a DmfAUpdate
        return update
    start, end = dmfa.quarter_bounds(quarter)
    with transaction.atomic():
        earlier = (
            Declaration.objects.select_for_update(of=("self",))
            .filter(entity=entity, kind=K.DMFA, period_start=start, corrected_by__isnull=True)
            .exclude(status=S.WITHDRAWN)
            .first()
        )
        if earlier is not None and earlier.status in (S.DRAFT, S.READY):
            earlier.status = S.WITHDRAWN
            earlier.save(update_fields=["status", "updated_at"])
        declaration = Declaration.objects.create(
            entity=entity,
            kind=K.DMFA,
            period_start=start,
            period_end=end,
            due_at=_dmfa_due(end),
            channel=Declaration.Channel.FILE,
            corrects=earlier
            if earlier is not None and earlier.status in (S.ACCEPTED, S.REJECTED)
            else None,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        lines, problems = _dmfa_lines(entity, start, end, progress)
        special_basis, special = dmfa_holiday_special(entity, start, end)
        noss = "".join(ch for ch in entity.employer_number if ch.isdigit())
        if not noss:
            problems.insert(
                0, builders.Problem("entity.employer_number", _("the employer has no ONSS number"))
            )
        if not lines and not problems:
            problems.append(builders.Problem("payslips", _("no approved payslip in the quarter")))
        declaration.inputs = {"quarter": quarter, "workers": len(lines)}
        declaration.problems = [asdict(p) for p in problems]
        document, errors = None, []
        if not problems:
            if progress is not None:
                progress("writing")
            document = dmfa.dmfa_xml(
                dmfa.DmfaInput(
                    reference=declaration.reference,
                    created_at=timezone.localtime(now, _tz()).replace(tzinfo=None),
                    quarter=quarter,
                    employer_noss=noss,
                    company_id="".join(ch for ch in entity.enterprise_number if ch.isdigit())[-10:],
                    workers=tuple(lines),
                    holiday_special_basis=special_basis,
                    holiday_special=special,
                )
            )
            if progress is not None:
                progress("checking")
            errors = dmfa.dmfa_errors(document)
        declaration_store_built(
            declaration,
            document=document,
            errors=errors,
            content_type="application/xml",
            actor=actor,
            data={"kind": K.DMFA, "quarter": quarter, "workers": len(lines)},
        )
    return declaration


def declaration_store_built(
    declaration: Declaration,
    *,
    document: bytes | str | None,
    errors: list[str],
    content_type: str,
    actor: User | None,
    data: dict,
) -> None:
    """Keep what a periodic build produced: ready with the file and its SHA-256 when it passed
    its check, still draft with the check's first error when it did not (a bug of ours: never
    sent), still draft with its problems when nothing was built; then save and audit."""
    if document is not None:
        if errors:
            declaration.problems = [{"field": "schema", "message": errors[0]}]
        else:
            declaration.payload = document.decode() if isinstance(document, bytes) else document
            declaration.payload_sha256 = _sha256(declaration.payload)
            declaration.content_type = content_type
            declaration.status = S.READY
    declaration.save()
    audit_log(
        actor=actor,
        action="declarations.declaration.ready"
        if declaration.status == S.READY
        else "declarations.declaration.incomplete",
        target=declaration,
        data=data,
    )


# --- Deadline alerts -----------------------------------------------------------------------------


def _payroll_officers(entity):
    from smartcoop.core.models import User
    from smartcoop.core.roles import Role

    return User.objects.filter(role=Role.PAYROLL_OFFICER, is_active=True, entities=entity).order_by(
        "pk"
    )


def alert_hours(now: dt.datetime) -> int | None:
    """The pack's `declaration_alert_hours` on that day; None for a pack that files no
    declarations (it has no such parameter): nothing to alert."""
    hours = param(
        f"{current_pack().prefix}.declaration_alert_hours", on=timezone.localdate(now), default=None
    )
    return None if hours is None else int(hours)


def deadline_alerts_send(*, entity, now: dt.datetime | None = None) -> int:
    """Tell the entity's payroll officers (in their account and by e-mail) of each declaration
    due within `declaration_alert_hours` (the pack's dated parameter) and not filed yet (draft,
    ready or rejected; late ones too). Once per declaration: its row is locked (SKIP LOCKED),
    `alerted_at` checked and set in the transaction that writes the notifications, so a second
    run, or two beats at once, tell nobody twice. Returns how many declarations were alerted."""
    from django.urls import reverse

    from smartcoop.core.notifications import notify

    now = now or timezone.now()
    hours = alert_hours(now)
    if hours is None:
        return 0
    due = Declaration.objects.filter(
        entity=entity,
        status__in=(S.DRAFT, S.READY, S.REJECTED),
        alerted_at__isnull=True,
        due_at__lte=now + dt.timedelta(hours=hours),
    ).values_list("pk", flat=True)
    officers = list(_payroll_officers(entity))
    alerted = 0
    for pk in list(due):
        with transaction.atomic():
            declaration = (
                Declaration.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("contract__member")
                .filter(pk=pk, alerted_at__isnull=True, status__in=(S.DRAFT, S.READY, S.REJECTED))
                .first()
            )
            if declaration is None or declaration.due_at is None:
                continue
            declaration.alerted_at = now
            declaration.save(update_fields=["alerted_at", "updated_at"])
            local_due = timezone.localtime(declaration.due_at, _tz())
            if declaration.contract is not None:
                subject = declaration.contract.member.display_name
            else:
                subject = f"{declaration.period_start}/{declaration.period_end}"
            for officer in officers:
                notify(
                    user=officer,
                    kind="declarations.deadline_near",
                    params={
                        "kind": str(declaration.get_kind_display()),
                        "subject": subject,
                        "due": local_due.date(),
                        "time": local_due.strftime("%H:%M"),
                    },
                    url=reverse("declarations:detail", args=[declaration.public_id]),
                )
            audit_log(
                actor=None,
                action="declarations.declaration.alerted",
                target=declaration,
                data={"officers": len(officers), "due": declaration.due_at.isoformat()},
            )
            alerted += 1
    return alerted


# --- Filing a period with one action (a worker builds it; the page follows its progress) -------


FILING_STALE_AFTER = dt.timedelta(minutes=30)


def _progress_key(job_id: int) -> str:
    return f"declarations:filing:{job_id}"


def filing_progress(job) -> dict:
    """The live progress of a running job (from the cache): step, done, total, percent."""
    from django.core.cache import cache

    if job.state == job.State.DONE:
        return {"step": "done", "done": 1, "total": 1, "percent": 100}
    found = cache.get(_progress_key(job.pk)) or {}
    return {
        "step": found.get("step", "queued"),
        "done": found.get("done", 0),
        "total": found.get("total", 0),
        "percent": found.get("percent", 0),
    }


# Share of the bar each step of a build takes (reading, worker lines, writing, schema check).
_STEP_SPAN = {
    "reading": (0, 10),
    "workers": (10, 60),
    "writing": (60, 80),
    "checking": (80, 98),
}


def _reporter(job_id: int):
    from django.core.cache import cache

    def report(step: str, done: int = 0, total: int = 0) -> None:
        low, high = _STEP_SPAN.get(step, (0, 0))
        percent = low + ((high - low) * done // total if total else 0)
        cache.set(
            _progress_key(job_id),
            {"step": step, "done": done, "total": total, "percent": percent},
            timeout=3600,
        )

    return report


def dsn_available() -> bool:
    """Whether the monthly DSN builder (`declarations.services_dsn.dsn_build_month`) is part of
    this code base and the deployment's pack files it (`periodic_declarations`: France)."""
    if not current_pack().files(K.DSN):
        return False
    return _dsn_builder() is not None


def _dsn_builder():
    """`declarations.services_dsn.dsn_build_month` (the DSN part of issue 12), when present."""
    import importlib

    try:
        module = importlib.import_module("declarations.services_dsn")
    except ImportError:
        return None
    return getattr(module, "dsn_build_month", None)


def period_bounds(kind: str, period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a filing's period: a quarter (YYYYQ) or a month (YYYY-MM)."""
    if "-" in period:
        from .services_dsn import month_bounds

        year, month = period.split("-")
        return month_bounds(int(year), int(month))
    return dmfa.quarter_bounds(period)


def refuse_empty_period(*, entity, kind: str, period: str) -> None:
    """Refuse to file a quarter or a month that has nothing to declare: no payslip at all (in
    draft or approved) has its period starting in it. A declaration built then would stay in
    draft forever ("no approved payslip") and count as late."""
    from payroll.models import Payslip

    start, end = period_bounds(kind, period)
    if Payslip.objects.filter(entity=entity, period_start__range=(start, end)).exists():
        return
    raise ValidationFailed(
        _(
            "Nothing to declare for %(period)s: no payslip of this entity has its period in it. "
            "Compute and approve the payslips first."
        )
        % {"period": period_label(period)},
        field="period",
    )


def declaration_withdraw(*, declaration: Declaration, reason: str, actor: User | None):
    """Staff withdraw a periodic declaration (DmfA, DmfA update, DSN, 281.10) in draft or ready
    that should not be sent (e.g. built for a period with nothing to declare): it is no longer
    open, so no longer late. Audited with the reason. A hiring declaration is withdrawn by
    cancelling its contract, not here."""
    reason = reason.strip()
    if declaration.kind not in Declaration.WITHDRAWN_BY_STAFF:
        raise Conflict(
            _("This declaration is withdrawn by cancelling its contract."), code="not_periodic"
        )
    if declaration.corrects_id is not None:
        # the rejected one it corrects would be left without anything to correct it
        raise Conflict(
            _("This declaration corrects a rejected one: build it again, it cannot be withdrawn."),
            code="correction",
        )
    if not reason:
        raise ValidationFailed(_("Say why it should not be sent."), field="reason")
    with transaction.atomic():
        locked = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if not locked.can("withdraw"):
            raise Conflict(
                _("This declaration is %(status)s: it can no longer be withdrawn.")
                % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status = S.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        audit_log(
            actor=actor,
            action="declarations.declaration.withdrawn",
            target=locked,
            data={"reason": reason[:500], "from": before},
        )
    declaration.refresh_from_db()
    return declaration


def filing_start(*, entity, kind: str, period: str, actor: User | None):
    """The payroll officer's one action: file the quarter (DmfA, YYYYQ) or the month (DSN,
    YYYY-MM). A job row is written and a worker builds it (`declarations.file_period`); a job
    already running for that period is returned instead of a second one (one active job per
    entity, kind and period, a database constraint). A job left running by a lost worker for
    more than 30 minutes is marked failed first."""
    import re

    from django.db import IntegrityError

    from .models import FilingJob

    J = FilingJob
    if kind == J.Kind.DMFA:
        if not current_pack().files(K.DMFA):
            raise ValidationFailed(_("The DmfA is a Belgian declaration."), field="period")
        if not re.fullmatch(r"20\d\d[1-4]", period):
            raise ValidationFailed(_("Choose a quarter."), field="period")
    elif kind == J.Kind.DSN:
        if not dsn_available():
            raise ValidationFailed(_("The DSN cannot be filed here."), field="period")
        if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", period):
            raise ValidationFailed(_("Choose a month."), field="period")
    else:
        raise ValidationFailed(_("Unknown declaration."), field="kind")
    refuse_empty_period(entity=entity, kind=kind, period=period)
    now = timezone.now()
    with transaction.atomic():
        active = (
            J.objects.select_for_update()
            .filter(entity=entity, kind=kind, period=period, state__in=J.ACTIVE_STATES)
            .first()
        )
        if active is not None:
            if active.created_at > now - FILING_STALE_AFTER:
                return active
            active.state = J.State.FAILED
            active.message = _("The filing stopped before the end: file it again.")
            active.finished_at = now
            active.save(update_fields=["state", "message", "finished_at", "updated_at"])
        try:
            with transaction.atomic():
                job = J.objects.create(
                    entity=entity,
                    kind=kind,
                    period=period,
                    requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            return J.objects.filter(
                entity=entity, kind=kind, period=period, state__in=J.ACTIVE_STATES
            ).get()
        audit_log(
            actor=actor,
            action="declarations.filing.started",
            target=job,
            entity=entity,
            data={"kind": kind, "period": period},
        )
        from .tasks import file_period

        file_period.enqueue(entity_id=entity.pk, job_id=job.pk)
    return job


def filing_run(*, job_id: int):
    """The worker's part: build the period's declaration, reporting progress, and record the
    outcome on the job (done with the declaration, or failed with the error). Runs once: a job
    that is not queued any more is left as it is."""
    from .models import FilingJob

    J = FilingJob
    with transaction.atomic():
        job = (
            # In the task's entity scope: another entity's job is not found, so not built.
            J.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("entity", "requested_by")
            .filter(pk=job_id, state=J.State.QUEUED)
            .first()
        )
        if job is None:
            return None
        job.state = J.State.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at", "updated_at"])
    report = _reporter(job.pk)
    report("reading")
    try:
        if job.kind == J.Kind.DSN:
            build_month = _dsn_builder()
            if build_month is None:
                raise RuntimeError("the DSN builder is not installed")
            report("writing")
            year, month = job.period.split("-")
            declaration = build_month(
                entity=job.entity, year=int(year), month=int(month), actor=job.requested_by
            )
        else:
            declaration = dmfa_build_quarter(
                entity=job.entity, quarter=job.period, actor=job.requested_by, progress=report
            )
    except Exception as error:
        J.objects.filter(pk=job.pk).update(
            state=J.State.FAILED,
            message=f"{type(error).__name__}: {error}"[:1000],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        job.state = J.State.DONE
        job.declaration = declaration
        job.finished_at = timezone.now()
        job.message = (
            ""
            if declaration.status == S.READY
            else "\n".join(p["message"] for p in declaration.problems)[:1000]
        )
        job.save(update_fields=["state", "declaration", "finished_at", "message", "updated_at"])
        audit_log(
            actor=job.requested_by,
            action="declarations.filing.done",
            target=job,
            entity=job.entity,
            data={"declaration": declaration.reference, "status": declaration.status},
        )
    return job
