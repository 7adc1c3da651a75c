"""Employment contracts: creation (by salary request or for an invoiced performance), the
status machine (validate, declare, performed, paid, close, cancel), posting and interruptions."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from members.services import member_mark_active
from smartcoop.core.audit import audit_log, audit_log_many
from smartcoop.core.errors import Conflict, PermissionDenied, ValidationFailed
from smartcoop.core.models import User
from smartcoop.core.money import quantize_money
from smartcoop.core.notifications import notify_many
from smartcoop.core.roles import Permission, has_permission
from smartcoop.core.validators import check_money_fits, check_texts, validate_country_code
from smartcoop.countries import current_pack, param

from .. import calculations, selectors
from ..contract_events import contract_event, contracts_event, declaration_filed_here
from ..models import Activity, EmploymentContract, PostingDocument, WorkInterruption
from ..uploads import validate_upload
from ._shared import K, _lock_activity, _money, _source_of, _today
from .ledger import _entry, _require_available


def _contract_type(code: str):
    try:
        return current_pack().contract_type(code)
    except KeyError:
        raise ValidationFailed(
            _("Unknown contract type %(code)s.") % {"code": code}, field="contract_type"
        ) from None


# The official format of a joint committee number (DmfA zone 00046 JointCommissionNbr:
# "\d{3}|\d{3}\.\d{2}|\d{3}\.\d{2}\.\d{2}"): the committee, then optionally its sub-committee.
_JOINT_COMMITTEE = re.compile(r"\d{3}(\.\d{2}){0,2}", re.ASCII)
# What people write before the number: PC/PSC (paritair (sub)comité), CP/SCP (commission).
_JOINT_COMMITTEE_PREFIX = re.compile(r"^(?:PSC|SPC|SCP|PC|CP)\s*", re.IGNORECASE)


def clean_joint_committee(value: str, *, field: str = "joint_committee") -> str:
    """A joint committee number as declared ("200", "302.01"), from what a person typed
    ("PC 200", " 302.01 "); refuses anything else with a message for the field."""
    compact = _JOINT_COMMITTEE_PREFIX.sub("", (value or "").strip()).strip()
    if not _JOINT_COMMITTEE.fullmatch(compact):
        raise ValidationFailed(
            _(
                "A joint committee is a number of 3 digits, optionally followed by its "
                "sub-committee after a dot (e.g. 200, 304 or 302.01): “%(value)s” is "
                "not one."
            )
            % {"value": (value or "").strip()[:30]},
            field=field,
            code="invalid_joint_committee",
        )
    return compact


def _joint_committee_for(*, contract_type: str, given: str, on: dt.date) -> str:
    """The committee given (checked), else the pack's default for the type on the start date;
    "" in a country without joint committees (a committee given there is refused)."""
    pack = current_pack()
    if not pack.joint_committee_param:
        if given.strip():
            raise ValidationFailed(
                _("Joint committees do not exist in this country."), field="joint_committee"
            )
        return ""
    if given.strip():
        return clean_joint_committee(given)
    return pack.default_joint_committee(contract_type, on=on)


def _check_contract_dates(
    *, start_date: dt.date, end_date: dt.date, hours: Decimal, today: dt.date
) -> None:
    if end_date < start_date:
        raise ValidationFailed(_("The end date comes before the start date."), field="end_date")
    if hours <= 0:
        raise ValidationFailed(_("Give the number of hours worked."), field="hours")
    calendar_days = (end_date - start_date).days + 1
    if hours > 24 * calendar_days or hours != hours.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _(
                "%(days)s day(s) hold at most %(max)s hours (with at most 2 decimals); "
                "%(hours)s were given."
            )
            % {"days": calendar_days, "max": 24 * calendar_days, "hours": hours},
            code="too_many_hours",
            field="hours",
        )
    max_past = int(current_pack().param("contract_start_past_days_max", on=today))
    earliest = today - dt.timedelta(days=max_past)
    if start_date < earliest:
        raise ValidationFailed(
            _(
                "A contract cannot start before %(earliest)s: the employment must be declared "
                "before work starts (the start asked is %(start)s)."
            )
            % {
                "earliest": date_format(earliest, "SHORT_DATE_FORMAT"),
                "start": date_format(start_date, "SHORT_DATE_FORMAT"),
            },
            field="start_date",
            code="start_in_past",
        )


def _lock_member_and_check_overlap(*, member, start_date: dt.date, end_date: dt.date) -> None:
    """Lock the member's row (so two requests for one person are checked one after the other),
    then refuse overlapping live contracts. The exclusion constraint is the backstop."""
    from members.models import Member

    Member.objects.select_for_update().filter(pk=member.pk).first()
    clash = (
        # Across entities on purpose: one person cannot work two contracts at once, whichever
        # entities of the cooperative employ them (the exclusion constraint spans them too).
        EmploymentContract.objects.with_scopes_disabled()
        .filter(member=member, start_date__lte=end_date, end_date__gte=start_date)
        .exclude(status=EmploymentContract.Status.CANCELLED)
        .order_by("start_date")
        .first()
    )
    if clash:
        raise ValidationFailed(
            _(
                "%(name)s already has a contract from %(start)s to %(end)s: contracts of one "
                "person cannot overlap."
            )
            % {
                "name": member.display_name,
                "start": date_format(clash.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(clash.end_date, "SHORT_DATE_FORMAT"),
            },
            field="start_date",
            code="contract_overlap",
            extra={"contract": str(clash.public_id)},
        )


def _student_warnings(*, member, contract_type: str, start_date: dt.date, hours: Decimal) -> list:
    kind = next((t for t in current_pack().contract_types if t.code == contract_type), None)
    if kind is None or not kind.yearly_hours_quota_param:  # pack data: Belgian students
        return []
    quota = param(kind.yearly_hours_quota_param, on=start_date)
    used = selectors.student_hours_in_year(member=member, year=start_date.year)
    if used + hours <= quota:
        return []
    return [
        {
            "code": "student_quota",
            "message": _(
                "With this contract %(total)s student hours are planned in %(year)s, above the "
                "quota of %(quota)s hours: the hours beyond the quota pay ordinary social "
                "security contributions (13.07 %% for the student, about 25 %% for the employer) "
                "instead of the solidarity contribution, and can affect child benefit."
            )
            % {"total": used + hours, "year": start_date.year, "quota": quota},
            "used": str(used),
            "quota": str(quota),
        }
    ]


def _membership_or_refuse(*, activity: Activity, member, right: str):
    membership = selectors.membership_of(activity=activity, member=member)
    if membership is None or not getattr(membership, right):
        raise PermissionDenied(
            _("%(name)s may not do this in the Activity %(activity)s.")
            % {"name": member.display_name, "activity": activity.name}
        )
    if not activity.can("work"):
        raise Conflict(
            _("The Activity %(activity)s is %(status)s: it must be active.")
            % {"activity": activity.name, "status": activity.get_status_display()}
        )
    return membership


def _new_contract(
    *,
    activity: Activity,
    member,
    contract_type: str,
    tool: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    days: int,
    gross_wage: Decimal,
    function: str,
    workplace_country: str,
    workplace_address: str,
    description: str,
    joint_committee: str,
    start_time,
    end_time,
    source_type: str,
    source_id: str,
    actor: User | None,
    today: dt.date,
) -> EmploymentContract:
    check_texts(
        function=function,
        workplace_address=workplace_address,
        description=description,
        multi_line=("description",),
    )
    check_money_fits("gross_wage", gross_wage)
    if workplace_country:
        try:
            validate_country_code(workplace_country)
        except DjangoValidationError as exc:
            raise ValidationFailed(exc.messages[0], field="workplace_country") from None
    pack = current_pack()
    kind = _contract_type(contract_type)
    coefficient = kind.coefficient(start_date)
    gross = quantize_money(gross_wage)
    if gross <= 0:
        raise ValidationFailed(_("The gross wage must be positive."), field="gross_wage")
    workplace_country = (workplace_country or pack.code).upper()
    posting = workplace_country != pack.code
    joint_committee = _joint_committee_for(
        contract_type=kind.code, given=joint_committee, on=start_date
    )
    contract = EmploymentContract(
        entity_id=activity.entity_id,
        member=member,
        activity=activity,
        contract_type=kind.code,
        tool=tool,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        end_time=end_time,
        hours=hours,
        days=days or (end_date - start_date).days + 1,
        workplace_country=workplace_country,
        workplace_address=workplace_address,
        joint_committee=joint_committee,
        function=function,
        sector=activity.sector,
        description=description,
        gross_wage=gross,
        coefficient=coefficient,
        employer_cost=calculations.employer_cost(gross=gross, coefficient=coefficient),
        wage_due_on=calculations.wage_due_date(
            rule=pack.wage_payment_rule(end_date), performance_end=end_date
        ),
        source_type=source_type,
        source_id=source_id,
        posting_required=posting,
        a1_status="missing" if posting else "not_needed",
        host_declaration_status="missing" if posting else "not_needed",
        warnings=_student_warnings(
            member=member, contract_type=kind.code, start_date=start_date, hours=hours
        ),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        if "contract_no_overlap_per_member" in str(exc):
            raise ValidationFailed(
                _("Contracts of one person cannot overlap."),
                field="start_date",
                code="contract_overlap",
            ) from exc
        raise
    audit_log(
        actor=actor,
        action="activities.contract.created",
        target=contract,
        data={
            "tool": tool,
            "type": kind.code,
            "gross": str(gross),
            "employer_cost": str(contract.employer_cost),
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
            "joint_committee": joint_committee,
        },
    )
    return contract


def contract_create_for_performance(
    *,
    activity: Activity,
    member,
    contract_type: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    price_excl_vat: Decimal,
    function: str,
    source_type: str,
    source_id: str,
    actor: User | None,
    days: int = 0,
    workplace_country: str = "",
    workplace_address: str = "",
    description: str = "",
    joint_committee: str = "",
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    today: dt.date | None = None,
) -> EmploymentContract:
    """Contract tool: the employment contract of one declared performance. Invoicing calls it in
    the transaction that issues the invoice, so both exist or neither does.

    gross = (price - fee) / coefficient of the type (the pack's rates on the start date).
    Idempotent per (source_type, source_id). Locks: the Member row (overlap check)."""
    today = today or _today()
    pack = current_pack()
    if "contract" not in pack.tools:
        raise ValidationFailed(_("The Contract tool is not available in this country."))
    existing = EmploymentContract.objects.filter(
        source_type=source_type, source_id=str(source_id)
    ).first()
    if existing:
        return existing
    _membership_or_refuse(activity=activity, member=member, right="can_invoice")
    _check_contract_dates(start_date=start_date, end_date=end_date, hours=hours, today=today)
    kind = _contract_type(contract_type)
    _fee, budget = calculations.budget_from_invoice(
        amount_excl_vat=price_excl_vat, fee_rate=pack.fee_rate(start_date)
    )
    gross = calculations.gross_from_budget(budget=budget, coefficient=kind.coefficient(start_date))
    with transaction.atomic():
        _lock_member_and_check_overlap(member=member, start_date=start_date, end_date=end_date)
        contract = _new_contract(
            activity=activity,
            member=member,
            contract_type=contract_type,
            tool=EmploymentContract.Tool.CONTRACT,
            start_date=start_date,
            end_date=end_date,
            hours=hours,
            days=days,
            gross_wage=gross,
            function=function,
            workplace_country=workplace_country,
            workplace_address=workplace_address,
            description=description,
            joint_committee=joint_committee,
            start_time=start_time,
            end_time=end_time,
            source_type=source_type,
            source_id=str(source_id),
            actor=actor,
            today=today,
        )
        _mark_member_active(member, actor)
    return contract


def contract_request_salary(
    *,
    activity: Activity,
    member,
    contract_type: str,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    gross_wage: Decimal,
    function: str,
    actor: User | None,
    days: int = 0,
    workplace_country: str = "",
    workplace_address: str = "",
    description: str = "",
    joint_committee: str = "",
    today: dt.date | None = None,
) -> EmploymentContract:
    """Activity tool: a salary paid from the Activity's available budget. Refused, with the
    figures, when its salary cost is above what is available now. Without a `joint_committee`
    the contract gets its type's default in the pack (Belgium; staff may change it).

    Locks: the Activity row (budget), then the Member row (overlap)."""
    today = today or _today()
    if "activity" not in current_pack().tools:
        raise ValidationFailed(_("The Activity tool is not available in this country."))
    _check_contract_dates(start_date=start_date, end_date=end_date, hours=hours, today=today)
    kind = _contract_type(contract_type)
    gross = quantize_money(gross_wage)
    cost = calculations.employer_cost(gross=gross, coefficient=kind.coefficient(start_date))
    with transaction.atomic():
        locked = _lock_activity(activity)
        _membership_or_refuse(activity=locked, member=member, right="can_request_salary")
        _require_available(
            activity=locked,
            amount=cost,
            what=_("A gross wage of %(gross)s (salary cost %(cost)s)")
            % {"gross": _money(gross), "cost": _money(cost)},
            field="gross_wage",
        )
        _lock_member_and_check_overlap(member=member, start_date=start_date, end_date=end_date)
        contract = _new_contract(
            activity=locked,
            member=member,
            contract_type=contract_type,
            tool=EmploymentContract.Tool.ACTIVITY,
            start_date=start_date,
            end_date=end_date,
            hours=hours,
            days=days,
            gross_wage=gross,
            function=function,
            workplace_country=workplace_country,
            workplace_address=workplace_address,
            description=description,
            joint_committee=joint_committee,
            start_time=None,
            end_time=None,
            source_type="",
            source_id="",
            actor=actor,
            today=today,
        )
        _mark_member_active(member, actor)
    return contract


def _mark_member_active(member, actor: User | None) -> None:
    """A member who gets an Activity or a contract becomes active (members' service; it refuses
    someone whose shares are not paid, which refuses the Activity or contract with them)."""
    member_mark_active(member=member, actor=actor)


def _transition_refusal(contract: EmploymentContract, *, allowed_from, to: str) -> Conflict | None:
    """The one rule of a status step: the locked contract must be in one of `allowed_from`.
    Returns the refusal (not raised: a batch reports it and goes on), or None."""
    if contract.status in allowed_from:
        return None
    if contract.status == to:
        return Conflict(
            _("This contract is already %(status)s.")
            % {"status": contract.get_status_display().lower()},
            code="already_done",
            extra={"status": contract.status},
        )
    return Conflict(
        _("This contract is %(status)s: it cannot become %(to)s.")
        % {
            "status": contract.get_status_display(),
            "to": EmploymentContract.Status(to).label,
        },
        extra={"status": contract.status},
    )


def _contract_transition(
    *,
    contract: EmploymentContract,
    allowed_from,
    to: str,
    actor: User | None,
    action: str,
    **fields,
) -> EmploymentContract:
    with transaction.atomic():
        locked = EmploymentContract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        refusal = _transition_refusal(locked, allowed_from=allowed_from, to=to)
        if refusal is not None:
            raise refusal
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "updated_at", *fields])
        audit_log(actor=actor, action=action, target=locked, data={"to": to})
    contract.refresh_from_db()
    return contract


def _validate_rows(
    rows, *, actor: User | None
) -> tuple[list[EmploymentContract], list[tuple[EmploymentContract, Conflict]]]:
    """Validate the contracts of the queryset `rows` in the caller's transaction: they are
    locked (FOR UPDATE, in id order), each checked by the validation step's rule, and those
    that pass are validated together: one UPDATE, one INSERT of their audit rows
    (`activities.contract.validated`), one of their members' notifications, and one
    `contracts_event("validated")` (declarations: their Dimona IN or DPAE in one batch). The
    same path for one contract and for many, so the queries do not grow with the batch.
    Returns (validated, [(contract, refusal)])."""
    locked = list(
        rows.select_for_update(of=("self",))
        .select_related("member__user", "activity")
        .order_by("pk")
    )
    refused: list[tuple[EmploymentContract, Conflict]] = []
    passing: list[EmploymentContract] = []
    to = EmploymentContract.Status.VALIDATED
    for contract in locked:
        refusal = _transition_refusal(
            contract, allowed_from=EmploymentContract.STEPS["validate"], to=to
        )
        if refusal is None:
            passing.append(contract)
        else:
            refused.append((contract, refusal))
    if not passing:
        return [], refused
    now = timezone.now()
    validated_by = actor if getattr(actor, "is_authenticated", False) else None
    EmploymentContract.objects.filter(pk__in=[c.pk for c in passing]).update(
        status=to, validated_by=validated_by, validated_at=now, updated_at=now
    )
    for contract in passing:
        contract.status = to
        contract.validated_by = validated_by
        contract.validated_at = contract.updated_at = now
    audit_log_many(
        [
            {
                "actor": actor,
                "action": "activities.contract.validated",
                "target": contract,
                "data": {"to": to},
            }
            for contract in passing
        ]
    )
    notify_many(
        kind="activities.contract_validated",
        notices=[
            (
                contract.member.user,
                {
                    "function": contract.function,
                    "start": contract.start_date,
                    "gross": contract.gross_wage,
                },
                reverse("activities:contract", args=[contract.public_id]),
            )
            for contract in passing
        ],
    )
    contracts_event("validated", passing, actor)
    return passing, refused


def contract_validate(*, contract: EmploymentContract, actor: User | None) -> EmploymentContract:
    """An adviser (or payroll) checks the contract; the member is told, and the listeners
    (declarations: the Dimona or DPAE) hear of it in the same transaction. A validation of one:
    the rule and the writes are those of `contracts_validate`."""
    with transaction.atomic():
        _validated, refused = _validate_rows(
            EmploymentContract.objects.filter(pk=contract.pk), actor=actor
        )
        if refused:
            raise refused[0][1]
    contract.refresh_from_db()
    return contract


@dataclass(frozen=True)
class ContractRefused:
    """A contract of a batch that was not validated, and why (for the adviser, one by one).
    `contract` is None when the reference names no contract this person may validate."""

    public_id: str
    contract: EmploymentContract | None
    reason: str


@dataclass(frozen=True)
class ContractsValidation:
    validated: list[EmploymentContract]
    refused: list[ContractRefused]


def contracts_validate(*, public_ids, actor: User, entity) -> ContractsValidation:
    """An adviser validates the contracts they ticked in their queue, in one transaction: each by
    the rule of a single validation (`contract_validate`: only a draft), audited and notified the
    same way; then their Dimona IN / DPAE are queued in one batch
    (`declarations.services.contracts_declarations_queue`, through `contracts_event`). Only the
    contracts this person may validate are touched: those of `entity` whose member is in their
    office (or any office, for staff who see all members); another reference is refused as not
    found, without saying whose it is. A contract that cannot be validated is reported with the
    reason and the others go through; running it again validates nothing twice.

    Locks: the contracts, in id order (declarations then locks them again: already held)."""
    if not has_permission(actor, Permission.VALIDATE_CONTRACTS):
        raise PermissionDenied(_("You may not validate contracts."))
    wanted: list[str] = []
    for value in public_ids:
        try:
            key = str(uuid.UUID(str(value)))
        except ValueError:
            raise ValidationFailed(
                _("%(value)s is not a contract reference.") % {"value": str(value)[:40]},
                field="contracts",
            ) from None
        if key not in wanted:
            wanted.append(key)
    if not wanted:
        raise ValidationFailed(_("Tick the contracts to validate."), field="contracts")
    visible = selectors.contract_list_for_staff(user=actor, entity=entity).filter(
        public_id__in=wanted
    )
    with transaction.atomic():
        validated, refusals = _validate_rows(
            EmploymentContract.objects.filter(pk__in=visible.values("pk")), actor=actor
        )
    found = {str(c.public_id) for c in validated} | {str(c.public_id) for c, _r in refusals}
    refused = [
        ContractRefused(str(contract.public_id), contract, refusal.message)
        for contract, refusal in refusals
    ] + [
        ContractRefused(key, None, _("Not found among the contracts you may validate."))
        for key in wanted
        if key not in found
    ]
    return ContractsValidation(validated=validated, refused=refused)


def contract_declare(*, contract: EmploymentContract, actor: User | None) -> EmploymentContract:
    """The employment is declared (Dimona/DPAE, by payroll): blocked while the posting
    documents of a contract abroad are not in place, unless staff lifted the block."""
    if (
        contract.posting_required
        and contract.posting_blocks_start
        and not contract.posting_in_place
    ):
        raise Conflict(
            _(
                "This contract is performed in %(country)s: the A1 certificate (%(a1)s) and the "
                "host-country declaration (%(host)s) must be in place before work starts."
            )
            % {
                "country": contract.workplace_country,
                "a1": contract.get_a1_status_display(),
                "host": contract.get_host_declaration_status_display(),
            },
            code="posting_documents_missing",
        )
    return _contract_transition(
        contract=contract,
        allowed_from=EmploymentContract.STEPS["declare"],
        to=EmploymentContract.Status.DECLARED,
        actor=actor,
        action="activities.contract.declared",
    )


def contract_declare_by_hand(
    *, contract: EmploymentContract, actor: User | None
) -> EmploymentContract:
    """Staff mark a contract declared themselves: only where no declaration of ours covers it
    (a country whose hiring declaration smartcoop does not file, a contract type that needs
    none, such as a French CAPE), so the declaration was filed outside. A contract covered by a
    Dimona or DPAE becomes declared when the authority accepts it, never by hand."""
    if declaration_filed_here(contract):
        raise Conflict(
            _(
                "This contract is declared by its %(what)s: it becomes declared when the "
                "authority accepts it, not by hand."
            )
            % {"what": declaration_filed_here(contract)},
            code="declared_by_authority",
        )
    return contract_declare(contract=contract, actor=actor)


def contract_change_dates(
    *,
    contract: EmploymentContract,
    start_date: dt.date,
    end_date: dt.date,
    hours: Decimal,
    reason: str,
    actor: User | None,
    days: int = 0,
    today: dt.date | None = None,
) -> EmploymentContract:
    """Staff move a validated (or declared) contract's dates. The same checks as a new contract:
    dates in order, hours that fit the days, no overlap with the person's other contracts, the
    Activity active, and — when the salary cost grows (the employer-cost coefficient of the new
    start date) — the difference available in the Activity's budget. A contract that has started
    keeps its start date, and a new start cannot lie in the past (the declaration must precede
    the work). The listeners hear `dates_changed` in the same transaction (declarations: the
    unsent Dimona is rebuilt, an accepted one gets an UPDATE); a listener's refusal undoes it.

    Locks: the Activity row (budget), then the Member row (overlap), then the contract."""
    today = today or _today()
    if not reason.strip():
        raise ValidationFailed(_("Say why the dates change."), field="reason")
    check_texts(reason=reason, multi_line=("reason",))
    if contract.status not in EmploymentContract.STEPS["change_dates"]:
        raise Conflict(
            _("This contract is %(status)s: its dates can no longer change.")
            % {"status": contract.get_status_display()},
            extra={"status": contract.status},
        )
    if start_date != contract.start_date:
        if contract.start_date <= today:
            raise ValidationFailed(
                _("The contract started on %(start)s: its start date can no longer change.")
                % {"start": date_format(contract.start_date, "SHORT_DATE_FORMAT")},
                field="start_date",
                code="contract_started",
            )
        if start_date < today:
            raise ValidationFailed(
                _(
                    "The new start date %(start)s is in the past: the employment must be "
                    "declared before work starts."
                )
                % {"start": date_format(start_date, "SHORT_DATE_FORMAT")},
                field="start_date",
                code="start_in_past",
            )
    if end_date < today and end_date != contract.end_date:
        raise ValidationFailed(
            _("The new end date %(end)s is in the past.")
            % {"end": date_format(end_date, "SHORT_DATE_FORMAT")},
            field="end_date",
        )
    _check_contract_dates(
        start_date=start_date, end_date=end_date, hours=hours, today=min(today, start_date)
    )
    if (
        start_date == contract.start_date
        and end_date == contract.end_date
        and hours == contract.hours
    ):
        raise ValidationFailed(_("These are the contract's dates and hours already."))
    kind = _contract_type(contract.contract_type)
    coefficient = kind.coefficient(start_date)
    cost = calculations.employer_cost(gross=contract.gross_wage, coefficient=coefficient)
    with transaction.atomic():
        activity = _lock_activity(contract.activity)
        if not activity.can("work"):
            raise Conflict(
                _("The Activity %(activity)s is %(status)s: it must be active.")
                % {"activity": activity.name, "status": activity.get_status_display()}
            )
        if cost > contract.employer_cost:
            _require_available(
                activity=activity,
                amount=cost - contract.employer_cost,
                what=_("The salary cost on the new dates (%(cost)s instead of %(before)s)")
                % {"cost": _money(cost), "before": _money(contract.employer_cost)},
                field="start_date",
            )
        from members.models import Member

        Member.objects.select_for_update().filter(pk=contract.member_id).first()
        clash = (
            # Across entities on purpose, as for a new contract (one person, one contract a day).
            EmploymentContract.objects.with_scopes_disabled()
            .filter(
                member_id=contract.member_id, start_date__lte=end_date, end_date__gte=start_date
            )
            .exclude(status=EmploymentContract.Status.CANCELLED)
            .exclude(pk=contract.pk)
            .first()
        )
        if clash:
            raise ValidationFailed(
                _(
                    "%(name)s already has a contract from %(start)s to %(end)s: contracts of one "
                    "person cannot overlap."
                )
                % {
                    "name": contract.member.display_name,
                    "start": date_format(clash.start_date, "SHORT_DATE_FORMAT"),
                    "end": date_format(clash.end_date, "SHORT_DATE_FORMAT"),
                },
                field="start_date",
                code="contract_overlap",
            )
        locked = EmploymentContract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.status not in EmploymentContract.STEPS["change_dates"]:
            raise Conflict(
                _("This contract is %(status)s: its dates can no longer change.")
                % {"status": locked.get_status_display()},
                extra={"status": locked.status},
            )
        before = {
            "start": locked.start_date.isoformat(),
            "end": locked.end_date.isoformat(),
            "hours": str(locked.hours),
            "employer_cost": str(locked.employer_cost),
        }
        span = (end_date - start_date).days + 1
        locked.start_date = start_date
        locked.end_date = end_date
        locked.hours = hours
        locked.days = min(days or span, span)
        locked.coefficient = coefficient
        locked.employer_cost = cost
        locked.wage_due_on = calculations.wage_due_date(
            rule=current_pack().wage_payment_rule(end_date), performance_end=end_date
        )
        locked.save(
            update_fields=[
                "start_date",
                "end_date",
                "hours",
                "days",
                "coefficient",
                "employer_cost",
                "wage_due_on",
                "updated_at",
            ]
        )
        # Counted once saved: the year's student hours then hold this contract's new hours.
        locked.warnings = _student_warnings(
            member=locked.member,
            contract_type=locked.contract_type,
            start_date=locked.start_date,
            hours=Decimal("0"),
        )
        locked.save(update_fields=["warnings"])
        audit_log(
            actor=actor,
            action="activities.contract.dates_changed",
            target=locked,
            data={
                "before": before,
                "after": {
                    "start": start_date.isoformat(),
                    "end": end_date.isoformat(),
                    "hours": str(hours),
                    "employer_cost": str(cost),
                },
                "reason": reason[:300],
            },
        )
        contract_event("dates_changed", locked, actor)
    contract.refresh_from_db()
    return contract


def contract_mark_performed(
    *, contract: EmploymentContract, actor: User | None
) -> EmploymentContract:
    allowed = EmploymentContract.STEPS["mark_performed"]
    if contract.goes_on_undeclared():  # the pack does not block an undeclared start
        allowed = (*allowed, EmploymentContract.Status.VALIDATED)
    return _contract_transition(
        contract=contract,
        allowed_from=allowed,
        to=EmploymentContract.Status.PERFORMED,
        actor=actor,
        action="activities.contract.performed",
    )


def contract_mark_paid(
    *, contract: EmploymentContract, paid_on: dt.date, actor: User | None
) -> EmploymentContract:
    """The wage was paid (payroll calls this): the salary cost leaves the planned figure and
    enters the ledger in the same transaction, so it is never counted twice. Whether the client
    paid or not (the guarantee fund advances it: see `BudgetFigures.exposure`)."""
    with transaction.atomic():
        _lock_activity(contract.activity)
        contract = _contract_transition(
            contract=contract,
            allowed_from=EmploymentContract.STEPS["mark_paid"],
            to=EmploymentContract.Status.PAID,
            actor=actor,
            action="activities.contract.paid",
            paid_on=paid_on,
        )
        source_type, source_id = _source_of(contract)
        _entry(
            activity=contract.activity,
            kind=K.SALARY_COST,
            amount=-contract.employer_cost,
            on=paid_on,
            source_type=source_type,
            source_id=source_id,
            actor=actor,
            description=(
                f"{contract.start_date.isoformat()}/{contract.end_date.isoformat()}: "
                f"{contract.gross_wage} x {contract.coefficient.normalize()}"
            ),
        )
    return contract


def contracts_mark_paid(*, entity, contract_ids, paid_on: dt.date, actor: User | None) -> int:
    """`contract_mark_paid` for many contracts of `entity` in one transaction (a pay run's
    posting): the Activities are locked first (in id order, as one contract's payment locks
    its Activity before the contract), then the contracts still payable; their status, ledger
    entries and audit rows are written in a few statements. A contract already paid is
    skipped (the ledger's unique source key backs it). Returns the number marked paid."""
    from smartcoop.core.audit import audit_copy
    from smartcoop.core.bulk import bulk_copy

    from ..models import LedgerEntry

    ids = sorted(set(contract_ids))
    payable = EmploymentContract.STEPS["mark_paid"]
    with transaction.atomic():
        activity_ids = sorted(
            set(
                EmploymentContract.objects.filter(
                    entity=entity, pk__in=ids, status__in=payable
                ).values_list("activity_id", flat=True)
            )
        )
        activities = {
            a.pk: a
            for a in Activity.objects.select_for_update(of=("self",))
            .filter(pk__in=activity_ids)
            .order_by("pk")
        }
        contracts = list(
            EmploymentContract.objects.select_for_update(of=("self",))
            .filter(entity=entity, pk__in=ids, status__in=payable)
            .order_by("pk")
            # what the ledger entries and audit rows need (a pay run posts thousands)
            .only(
                "public_id", "entity_id", "activity_id", "employer_cost", "gross_wage",
                "coefficient", "start_date", "end_date",
            )
        )  # fmt: skip
        if not contracts:
            return 0
        EmploymentContract.objects.filter(pk__in=[c.pk for c in contracts]).update(
            status=EmploymentContract.Status.PAID, paid_on=paid_on, updated_at=timezone.now()
        )
        created_by = actor if getattr(actor, "is_authenticated", False) else None
        entries = []
        for contract in contracts:
            contract.activity = activities[contract.activity_id]
            source_type, source_id = _source_of(contract)
            entries.append(
                LedgerEntry(
                    entity_id=contract.entity_id,
                    activity=contract.activity,
                    kind=K.SALARY_COST,
                    amount=quantize_money(-contract.employer_cost),
                    booked_on=paid_on,
                    source_type=source_type,
                    source_id=str(source_id),
                    description=(
                        f"{contract.start_date.isoformat()}/{contract.end_date.isoformat()}: "
                        f"{contract.gross_wage} x {contract.coefficient.normalize()}"
                    )[:300],
                    created_by=created_by,
                )
            )
        bulk_copy(LedgerEntry, entries)
        audit_copy(
            actor=actor,
            action="activities.contract.paid",
            entries=[(c, {"to": EmploymentContract.Status.PAID}) for c in contracts],
        )
        audit_copy(
            actor=actor,
            action=f"activities.ledger.{K.SALARY_COST}",
            entries=[
                (
                    entry,
                    {
                        "activity": str(entry.activity.public_id),
                        "amount": str(entry.amount),
                        "source": f"{entry.source_type}:{entry.source_id}",
                    },
                )
                for entry in entries
            ],
        )
    return len(contracts)


def contract_close(*, contract: EmploymentContract, actor: User | None) -> EmploymentContract:
    return _contract_transition(
        contract=contract,
        allowed_from=EmploymentContract.STEPS["close"],
        to=EmploymentContract.Status.CLOSED,
        actor=actor,
        action="activities.contract.closed",
    )


def contract_set_executive_status(
    *, contract: EmploymentContract, cadre: bool, actor: User | None
) -> EmploymentContract:
    """Staff record whether the worker is an executive (cadre) under this contract (France):
    payroll applies the cadres' contributions (APEC). Until the contract is paid; one audit row."""
    if not current_pack().executive_status:
        raise ValidationFailed(
            _("Executive (cadre) status does not exist in this country."), field="cadre"
        )
    if not current_pack().executive_status_for(contract.contract_type):
        raise ValidationFailed(
            _("This contract pays no salary: it has no executive (cadre) status."), field="cadre"
        )
    with transaction.atomic():
        locked = EmploymentContract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.status not in EmploymentContract.PLANNED_STATUSES:
            raise Conflict(
                _("This contract is %(status)s: its executive status can no longer change.")
                % {"status": locked.get_status_display()}
            )
        if locked.cadre != cadre:
            locked.cadre = cadre
            locked.save(update_fields=["cadre", "updated_at"])
            audit_log(
                actor=actor,
                action="activities.contract.executive_status",
                target=locked,
                data={"cadre": cadre},
            )
    contract.refresh_from_db()
    return contract


def contract_set_joint_committee(
    *, contract: EmploymentContract, joint_committee: str, actor: User | None
) -> EmploymentContract:
    """Staff record the joint committee the contract falls under (Belgium), before validating
    it: the Dimona filed on validation, the payslip and the DmfA use it. Refused once the
    contract is validated (its Dimona is filed with the committee). One audit row per change."""
    if not current_pack().joint_committee_param:
        raise ValidationFailed(
            _("Joint committees do not exist in this country."), field="joint_committee"
        )
    committee = clean_joint_committee(joint_committee)
    with transaction.atomic():
        locked = EmploymentContract.objects.select_for_update(of=("self",)).get(pk=contract.pk)
        if locked.status != EmploymentContract.Status.DRAFT:
            raise Conflict(
                _(
                    "This contract is %(status)s: its joint committee can no longer change "
                    "(its hiring declaration names it)."
                )
                % {"status": locked.get_status_display().lower()},
                extra={"status": locked.status},
            )
        if locked.joint_committee != committee:
            audit_log(
                actor=actor,
                action="activities.contract.joint_committee",
                target=locked,
                data={"from": locked.joint_committee, "to": committee},
            )
            locked.joint_committee = committee
            locked.save(update_fields=["joint_committee", "updated_at"])
    contract.refresh_from_db()
    return contract


def contracts_default_joint_committee(*, entity, actor: User | None) -> int:
    """Contracts of `entity` not paid yet (`PLANNED_STATUSES`) that name no joint committee --
    made before the pack gave a default -- get their type's default on their start date, so
    the pay run stops warning and the payslip names it. A contract already declared stays
    consistent with its Dimona: the defaults are declared as the table `be.dimona_joint_committee`
    declares a contract naming none (tested). Rerunnable: a second run changes nothing.
    One audit row per contract. Locks: those contracts, in id order."""
    pack = current_pack()
    if not pack.joint_committee_param:
        return 0
    changed = []
    now = timezone.now()
    with transaction.atomic():
        for contract in (
            EmploymentContract.objects.select_for_update(of=("self",))
            .filter(
                entity=entity, joint_committee="", status__in=EmploymentContract.PLANNED_STATUSES
            )
            .order_by("pk")
        ):
            committee = pack.default_joint_committee(contract.contract_type, on=contract.start_date)
            if committee:
                contract.joint_committee = committee
                contract.updated_at = now
                changed.append(contract)
        EmploymentContract.objects.bulk_update(changed, ["joint_committee", "updated_at"])
        audit_log_many(
            [
                {
                    "actor": actor,
                    "action": "activities.contract.joint_committee",
                    "target": contract,
                    "entity": entity,
                    "data": {"from": "", "to": contract.joint_committee, "default": True},
                }
                for contract in changed
            ]
        )
    return len(changed)


def contract_cancel(
    *, contract: EmploymentContract, reason: str, actor: User | None, today: dt.date | None = None
) -> EmploymentContract:
    """Cancel a contract before it starts (the Contract tool cancels the performance's contract
    this way; invoicing issues the credit note). Idempotent: cancelling a cancelled contract
    returns it. Once work has started, record cancelled work instead."""
    today = today or _today()
    if contract.status == EmploymentContract.Status.CANCELLED:
        return contract
    if not reason.strip():
        raise ValidationFailed(_("Say why the contract is cancelled."), field="reason")
    check_texts(reason=reason, multi_line=("reason",))
    refusal = contract.cancel_refusal(today)
    if refusal is not None:
        code, message = refusal
        raise Conflict(message, code=code, extra={"status": contract.status})
    with transaction.atomic():
        contract = _contract_transition(
            contract=contract,
            # Checked again under the row lock: a concurrent transition may have moved it on.
            allowed_from=EmploymentContract.CANCELLABLE_STATUSES,
            to=EmploymentContract.Status.CANCELLED,
            actor=actor,
            action="activities.contract.cancelled",
            cancel_reason=reason[:300],
            cancelled_at=timezone.now(),
        )
        contract_event("cancelled", contract, actor)
    return contract


def contract_update_posting(
    *,
    contract: EmploymentContract,
    actor: User | None,
    a1_status: str | None = None,
    a1_reference: str | None = None,
    host_declaration_status: str | None = None,
    host_declaration_reference: str | None = None,
    host_representative: str | None = None,
    blocks_start: bool | None = None,
) -> EmploymentContract:
    """Record the A1 and host-declaration data and status (blocks_start: staff only, checked by
    the view)."""
    if not contract.posting_required:
        raise Conflict(_("This contract is performed in the country of the entity."))
    changes = {
        key: value
        for key, value in {
            "a1_status": a1_status,
            "a1_reference": a1_reference,
            "host_declaration_status": host_declaration_status,
            "host_declaration_reference": host_declaration_reference,
            "host_representative": host_representative,
            "posting_blocks_start": blocks_start,
        }.items()
        if value is not None
    }
    valid = {c for c, _label in EmploymentContract.PostingStatus.choices} - {"not_needed"}
    for key in ("a1_status", "host_declaration_status"):
        if key in changes and changes[key] not in valid:
            raise ValidationFailed(_("Unknown status."), field=key)
    with transaction.atomic():
        for key, value in changes.items():
            setattr(contract, key, value)
        contract.save(update_fields=[*changes, "updated_at"])
        audit_log(
            actor=actor,
            action="activities.contract.posting_updated",
            target=contract,
            data={k: str(v) for k, v in changes.items()},
        )
        if contract.status == EmploymentContract.Status.VALIDATED and (
            contract.posting_in_place or not contract.posting_blocks_start
        ):
            # declarations: a hiring declaration accepted meanwhile now declares the contract
            contract_event("posting_in_place", contract, actor)
    return contract


def contract_posting_document_add(
    *, contract: EmploymentContract, kind: str, file, actor: User | None
) -> PostingDocument:
    if not contract.posting_required:
        raise Conflict(_("This contract is performed in the country of the entity."))
    validate_upload(file, field="file")
    with transaction.atomic():
        document = PostingDocument.objects.create(
            contract=contract, kind=kind, file=file, uploaded_by=actor
        )
        audit_log(
            actor=actor,
            action="activities.contract.posting_document_added",
            target=contract,
            data={"kind": kind},
        )
    return document


def contract_record_interruption(
    *,
    contract: EmploymentContract,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    actor: User | None,
    hours: Decimal = Decimal("0"),
) -> WorkInterruption:
    """Staff record temporary unemployment (a period paid without wage) or cancelled work."""
    if not reason.strip():
        raise ValidationFailed(_("Give the reason."), field="reason")
    if end_date < start_date:
        raise ValidationFailed(_("The end date comes before the start date."), field="end_date")
    if start_date < contract.start_date or end_date > contract.end_date:
        raise ValidationFailed(
            _("The period must lie within the contract (%(start)s to %(end)s).")
            % {
                "start": date_format(contract.start_date, "SHORT_DATE_FORMAT"),
                "end": date_format(contract.end_date, "SHORT_DATE_FORMAT"),
            },
            field="start_date",
        )
    with transaction.atomic():
        interruption = WorkInterruption.objects.create(
            contract=contract,
            kind=kind,
            start_date=start_date,
            end_date=end_date,
            hours=hours,
            reason=reason,
            recorded_by=actor,
        )
        audit_log(
            actor=actor,
            action=f"activities.contract.{kind}",
            target=contract,
            data={"from": start_date.isoformat(), "to": end_date.isoformat(), "reason": reason},
        )
    return interruption
