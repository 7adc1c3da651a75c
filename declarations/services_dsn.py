"""DSN (France): gather the frozen inputs of the monthly DSN of an entity (its SIRET) and of the
end-of-contract signals (FCTU) from the approved payslips, contracts, members and the pack's
parameters, build them with the pure builder (`dsn.py`) and move them on the declaration's status
machine. Nothing half-built is kept as ready: a missing NIR, birth date, DSN setting or parameter
leaves the declaration in draft with a message naming the worker or contract and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import asdict, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict, ValidationFailed
from smartcoop.countries import current_pack
from smartcoop.countries.params import ParameterNotInForce, param

from . import dsn
from .builders import Problem
from .models import Declaration, DsnSettings, PasRate
from .services import _at, _working_days_after, declaration_store_built

if TYPE_CHECKING:
    from smartcoop.core.models import User

K = Declaration.Kind
S = Declaration.Status
FULL_MONTH_HOURS = Decimal("151.67")
SOFTWARE_VERSION = "1.0"


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    return start, dsn.month_end(start)


def dsn_due(month_start: dt.date, headcount: int) -> dt.datetime:
    """The 5th (from the threshold's headcount) or the 15th of the next month, at the hour."""
    rule = param("fr.dsn_due", on=month_start)
    next_month = dsn.month_end(month_start) + dt.timedelta(days=1)
    due_day = (
        rule["day_from_threshold"]
        if headcount >= rule["threshold"]
        else rule["day_below_threshold"]
    )
    hour, minute = (int(part) for part in str(rule["hour"]).split(":"))
    return _at(next_month.replace(day=int(due_day)), dt.time(hour, minute))


def fctu_due(end: dt.date) -> dt.datetime:
    days = int(param("fr.fctu_due_working_days", on=end))
    return _at(_working_days_after(end, days), dt.time(23, 59))


def _digits(value: str) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())


def establishment_of(entity) -> tuple[dsn.Establishment | None, list[Problem]]:
    row = DsnSettings.objects.filter(entity=entity).first()
    siret = _digits(entity.employer_number)
    problems = []
    if len(siret) != 14:
        problems.append(
            Problem("entity.employer_number", _("the employer has no SIRET (14 digits)"))
        )
    required = (
        ("naf_code", _("the APE/NAF code")),
        ("urssaf_id", _("the URSSAF identifier")),
        ("retirement_id", _("the AGIRC-ARRCO institution")),
        ("contact_name", _("the contact name")),
        ("contact_email", _("the contact e-mail")),
    )
    for name, label in required:
        if row is None or not getattr(row, name):
            problems.append(
                Problem(
                    f"dsn_settings.{name}",
                    _("the DSN settings of the entity lack %(what)s") % {"what": label},
                )
            )
    if not entity.iban:
        problems.append(Problem("entity.iban", _("the employer has no IBAN")))
    if not re.fullmatch(r"[0-9]{5}", _digits(entity.postcode)):
        problems.append(Problem("entity.postcode", _("the employer's postcode is not 5 digits")))
    if (
        row is not None
        and row.naf_code
        and not re.fullmatch(r"[0-9]{4}[A-Z]", row.naf_code.upper().replace(".", ""))
    ):
        problems.append(
            Problem("dsn_settings.naf_code", _("the APE/NAF code is 4 digits and a letter"))
        )
    if problems or row is None:
        return None, problems
    return (
        dsn.Establishment(
            siren=siret[:9],
            nic=siret[9:],
            name=entity.name,
            street=entity.street,
            postcode=_digits(entity.postcode)[:5],
            city=entity.city,
            naf_code=row.naf_code.upper().replace(".", ""),
            iban=entity.iban.replace(" ", ""),
            bic=entity.bic,
            urssaf_id=_digits(row.urssaf_id),
            retirement_id=row.retirement_id.strip(),
            leave_fund_id=row.leave_fund_id.strip(),
            contact_name=row.contact_name,
            contact_email=row.contact_email,
            contact_phone=_digits(row.contact_phone),
        ),
        [],
    )


def _codes(on: dt.date) -> dict[str, tuple[str, str, str, str, str]]:
    table = param("fr.dsn_contribution_codes", on=on)
    return {key: tuple(str(value).split()) for key, value in table.items()}  # type: ignore[misc]


def _contract_number(contract) -> str:
    return contract.public_id.hex[:20]


def _nir13(member) -> str:
    compact = "".join(ch for ch in (member.national_number or "") if ch.isalnum()).upper()
    return compact[:13] if len(compact) in (13, 15) else ""


def _pas_identifiers(entity, members) -> dict[int, list[PasRate]]:
    rows: dict[int, list[PasRate]] = {}
    for rate in PasRate.objects.filter(entity=entity, member__in=members).order_by(
        "member_id", "-valid_from", "-id"
    ):
        rows.setdefault(rate.member_id, []).append(rate)
    return rows


def _payment(payslip, *, codes, large: bool, pas_rows, where: str):
    problems: list[Problem] = []
    contributions = []
    pas_amount = Decimal("0")
    pas_base = payslip.net_taxable
    pas_rate = Decimal("0")
    for line in payslip.lines:
        code = line["code"]
        amount = Decimal(line["amount"])
        if code == "pas":
            pas_amount += amount
            pas_base = Decimal(line["base"])
            pas_rate = Decimal(line["rate"] or "0")
            continue
        key = f"fnal_{'50_and_more' if large else 'under_50'}" if code == "fnal" else code
        mapping = codes.get(key)
        if mapping is None:
            problems.append(
                Problem(
                    "parameter",
                    f"{where}: "
                    + _("no DSN code for the payslip line '%(code)s' (fr.dsn_contribution_codes)")
                    % {"code": code},
                )
            )
            continue
        individual, base_code, body, ctp, qualifier = mapping
        contributions.append(
            dsn.Contribution(
                line_code=code,
                individual_code=individual,
                base_code=base_code,
                body=body,
                ctp=ctp,
                qualifier=qualifier,
                base=Decimal(line["base"]),
                rate=Decimal(line["rate"]) if line.get("rate") not in (None, "") else None,
                amount=amount,
            )
        )
    personalised = (payslip.tax_profile or {}).get("fr_pas_rate")
    pas_type, pas_id = "13", ""
    if personalised is not None:
        pas_type, pas_id = "01", "0"
        pas_rate = Decimal(personalised)
        for row in pas_rows:
            if row.valid_from <= payslip.pay_date and row.rate == pas_rate:
                pas_id = row.identifier
                break
    hours = sum((paid.hours for paid in payslip.paid_contracts.all()), Decimal("0"))
    smic_hourly = Decimal("0")
    for parameter in payslip.parameters:  # the values the payslip read, as JSON
        if parameter["key"].endswith(".reduction_generale"):
            value = parameter["value"]
            value = json.loads(value) if isinstance(value, str) else value
            smic_hourly = Decimal(str(value.get("smic_hourly", "0")))
    payment = dsn.Payment(
        pay_date=payslip.pay_date,
        period_start=payslip.period_start,
        period_end=payslip.period_end,
        gross=payslip.gross,
        net_taxable=payslip.net_taxable,
        net_paid=payslip.net_pay,
        pas_rate=pas_rate,
        pas_type=pas_type,
        pas_rate_id=pas_id,
        pas_amount=pas_amount,
        pas_base=pas_base,
        smic_component=(smic_hourly * min(hours, FULL_MONTH_HOURS)).quantize(dsn.CENT),
        contracts=tuple(
            dsn.PaidContract(_contract_number(paid.contract), paid.gross, paid.hours)
            for paid in payslip.paid_contracts.all()
        ),
        contributions=tuple(contributions),
    )
    return payment, problems


def _intermittent(contract) -> bool:
    """Payroll's reading (payroll/engine_facts.py): a French CDDU is an intermittent's contract
    of the performing arts (annexes 8/10, `ContractType.intermittent`); its hours are declared in
    unit 35."""
    from payroll.engine_facts import intermittent_of

    return intermittent_of(current_pack().code, [contract]) is not None


def _contract_facts(contract, *, ended: bool) -> dsn.Contract:
    cdd = contract.contract_type == "cddu"
    return dsn.Contract(
        number=_contract_number(contract),
        start=contract.start_date,
        end=contract.end_date,
        nature="02" if cdd else "01",
        recourse="05" if cdd else "",
        cadre=bool(getattr(contract, "cadre", False)),
        function=contract.function,
        hours=contract.hours,
        artistic=_intermittent(contract),
        ended=ended,
    )


# The NIR the DSN takes (S21.G00.30.001, 13 characters without the key): sex 1 or 2, year, month
# (or 20, 30-42, 50-99 for unknown months), department (2A/2B for Corsica), commune, order.
NIR_PATTERN = re.compile(
    r"[12][0-9]{2}(0[1-9]|1[0-2]|20|3[0-9]|4[0-2]|[5-9][0-9])(0[1-9]|[1-9][0-9]|2A|2B)"
    r"(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})"
)


def _member_problems(member, where: str) -> list[Problem]:
    problems = []
    nir = _nir13(member)
    if not nir:
        problems.append(
            Problem("member.national_number", f"{where}: " + _("the worker has no NIR"))
        )
    elif not NIR_PATTERN.fullmatch(nir):
        problems.append(
            Problem(
                "member.national_number",
                f"{where}: " + _("the NIR is not a definitive social security number"),
            )
        )
    if not member.birth_date:
        problems.append(
            Problem("member.birth_date", f"{where}: " + _("the worker's birth date is missing"))
        )
    elif nir and nir[1:3] != member.birth_date.strftime("%y"):
        problems.append(
            Problem(
                "member.birth_date",
                f"{where}: " + _("the birth year differs from the one in the NIR"),
            )
        )
    return problems


def _approved_payslips(entity, start: dt.date, end: dt.date):
    from payroll.models import Payslip

    return (
        Payslip.objects.filter(
            entity=entity, status=Payslip.Status.APPROVED, period_start__range=(start, end)
        )
        .select_related("member")
        .prefetch_related("paid_contracts__contract")
        .order_by("member__last_name", "member_id", "pay_date", "id")
    )


def month_inputs(
    entity, start: dt.date, *, order: str, created_on: dt.date
) -> tuple[dsn.DsnInput | None, list[Problem], dict]:
    """The frozen inputs of the monthly DSN, or the problems that keep it in draft."""
    end = dsn.month_end(start)
    problems: list[Problem] = []
    establishment, found = establishment_of(entity)
    problems += found
    payslips = list(_approved_payslips(entity, start, end))
    by_member: dict[int, list] = {}
    for payslip in payslips:
        by_member.setdefault(payslip.member_id, []).append(payslip)
    large = len(by_member) >= int(param("fr.dsn_due", on=start)["threshold"])
    try:
        codes = _codes(start)
        norm = str(param("fr.dsn_norm_version", on=start))
    except ParameterNotInForce as missing:
        return None, [*problems, Problem("parameter", str(missing))], {}
    pas = _pas_identifiers(entity, list(by_member))
    individuals = []
    for slips in by_member.values():
        member = slips[0].member
        where = member.display_name
        person_problems = _member_problems(member, where)
        contracts = []
        payments = []
        for slip in slips:
            payment, found = _payment(
                slip, codes=codes, large=large, pas_rows=pas.get(member.pk, []), where=where
            )
            person_problems += found
            payments.append(payment)
            contracts += [
                _contract_facts(paid.contract, ended=False) for paid in slip.paid_contracts.all()
            ]
        problems += person_problems
        if person_problems:
            continue
        individuals.append(
            dsn.Individual(
                nir=_nir13(member),
                last_name=member.last_name,
                first_name=member.first_name,
                birth_date=member.birth_date,
                member_number=str(member.member_number or member.pk),
                contracts=tuple(contracts),
                payments=tuple(payments),
            )
        )
    pays_leave_fund = any(
        item.body == "leave_fund"
        for person in individuals
        for payment in person.payments
        for item in payment.contributions
    )
    if pays_leave_fund and establishment is not None and not establishment.leave_fund_id:
        problems.append(
            Problem(
                "dsn_settings.leave_fund_id",
                _("the DSN settings of the entity lack %(what)s")
                % {"what": _("the Congés Spectacles identifier")},
            )
        )
    meta = {"workers": len(by_member), "payslips": len(payslips)}
    if not payslips:
        problems.append(Problem("payslips", _("no approved payslip in the month")))
    if problems or establishment is None:
        return None, problems, meta
    return (
        dsn.DsnInput(
            nature="01",
            order=order,
            month=start,
            created_on=created_on,
            test=DsnSettings.objects.get(entity=entity).test_mode,
            norm_version=norm,
            software_version=SOFTWARE_VERSION,
            establishment=establishment,
            individuals=tuple(individuals),
        ),
        [],
        meta,
    )


def _order(declaration: Declaration) -> str:
    """S20.G00.05.004: our sequence number, the declaration's primary key (unique, stable)."""
    return str(declaration.pk)


def _save_built(
    declaration: Declaration, problems, payload: str, meta: dict, actor: User | None
) -> None:
    declaration.inputs = meta
    declaration.problems = [asdict(p) for p in problems]
    declaration_store_built(
        declaration,
        document=None if problems else payload,
        errors=[],
        content_type="text/plain",
        actor=actor,
        data={"kind": declaration.kind, **meta},
    )


def _replaceable(
    entity, kind: str, *, actor: User | None, **where
) -> tuple[Declaration | None, Declaration | None]:
    """The current declaration of the same scope: withdrawn when unsent (returns None), kept as
    `corrects` when rejected (it becomes corrected); an accepted or sent one is refused."""
    earlier = (
        Declaration.objects.select_for_update(of=("self",))
        .filter(entity=entity, kind=kind, corrected_by__isnull=True, **where)
        .exclude(status__in=(S.WITHDRAWN, S.CORRECTED))
        .first()
    )
    if earlier is None:
        return None, None
    if earlier.status in (S.DRAFT, S.READY):
        earlier.status = S.WITHDRAWN
        earlier.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="declarations.declaration.withdrawn", target=earlier)
        return None, earlier
    if earlier.status == S.REJECTED:
        earlier.status = S.CORRECTED
        earlier.save(update_fields=["status", "updated_at"])
        audit_log(actor=actor, action="declarations.declaration.corrected", target=earlier)
        return earlier, None
    raise Conflict(
        _(
            "This declaration is %(status)s: a change now goes into a later month's DSN "
            "(regularisation)."
        )
        % {"status": earlier.get_status_display()}
    )


def dsn_build_month(
    *, entity, year: int, month: int, actor: User | None, now: dt.datetime | None = None
):
    """The monthly DSN (nature 01) of the entity's establishment for the month, from the
    approved payslips whose period starts in it, and the FCTU of every CDDU they pay that ended
    by the month's end. Rebuilding withdraws an unsent one and corrects a rejected one."""
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise ValidationFailed(_("Choose a month."), field="month")
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    created_on = timezone.localtime(now).date()
    with transaction.atomic():
        corrects, _withdrawn = _replaceable(entity, K.DSN, actor=actor, period_start=start)
        workers = (
            _approved_payslips(entity, start, end).order_by().values("member_id").distinct().count()
        )
        declaration = Declaration.objects.create(
            entity=entity,
            kind=K.DSN,
            period_start=start,
            period_end=end,
            due_at=dsn_due(start, workers),
            channel=Declaration.Channel.FILE,
            corrects=corrects,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        data, problems, meta = month_inputs(
            entity, start, order=_order(declaration), created_on=created_on
        )
        payload = dsn.dsn_text(data) if data is not None else ""
        _save_built(declaration, problems, payload, {"month": f"{year}-{month:02d}", **meta}, actor)
        ended = {
            paid.contract_id: paid.contract
            for slip in _approved_payslips(entity, start, end)
            for paid in slip.paid_contracts.all()
            if paid.contract.contract_type == "cddu" and paid.contract.end_date <= end
        }
    for contract in ended.values():
        if (
            not Declaration.objects.filter(contract=contract, kind=K.DSN_FCTU)
            .exclude(status__in=(S.WITHDRAWN, S.CORRECTED))
            .exists()
        ):
            fctu_build(contract=contract, actor=actor, now=now)
    return declaration


def fctu_inputs(contract, *, order: str, created_on: dt.date):
    from payroll.models import PayslipContract

    entity = contract.entity
    member = contract.member
    where = _("contract %(start)s of %(name)s") % {
        "start": contract.start_date.isoformat(),
        "name": member.display_name,
    }
    establishment, problems = establishment_of(entity)
    problems += _member_problems(member, where)
    paid = (
        PayslipContract.objects.filter(contract=contract, payslip__status="approved")
        .select_related("payslip")
        .first()
    )
    if paid is None:
        problems.append(
            Problem("payslip", f"{where}: " + _("the contract is not paid by an approved payslip"))
        )
    month = contract.end_date.replace(day=1)
    try:
        codes = _codes(month)
        norm = str(param("fr.dsn_norm_version", on=month))
    except ParameterNotInForce as missing:
        return None, [*problems, Problem("parameter", f"{where}: {missing}")]
    if problems or establishment is None or paid is None:
        return None, problems
    payment, found = _payment(
        paid.payslip,
        codes=codes,
        large=False,
        pas_rows=_pas_identifiers(entity, [member.pk]).get(member.pk, []),
        where=where,
    )
    if found:
        return None, found
    number = _contract_number(contract)
    payment = replace(payment, contracts=tuple(c for c in payment.contracts if c.number == number))
    return (
        dsn.DsnInput(
            nature="07",
            order=order,
            month=month,
            created_on=created_on,
            test=DsnSettings.objects.get(entity=entity).test_mode,
            norm_version=norm,
            software_version=SOFTWARE_VERSION,
            establishment=establishment,
            individuals=(
                dsn.Individual(
                    nir=_nir13(member),
                    last_name=member.last_name,
                    first_name=member.first_name,
                    birth_date=member.birth_date,
                    member_number=str(member.member_number or member.pk),
                    contracts=(_contract_facts(contract, ended=True),),
                    payments=(payment,),
                ),
            ),
        ),
        [],
    )


def fctu_build(*, contract, actor: User | None, now: dt.datetime | None = None) -> Declaration:
    """The "fin de contrat de travail unique" signal (nature 07) of an ended CDDU, with the
    contract's pay, hours and end (the employer-certificate data France Travail reads)."""
    now = now or timezone.now()
    with transaction.atomic():
        corrects, _withdrawn = _replaceable(
            contract.entity, K.DSN_FCTU, actor=actor, contract=contract
        )
        declaration = Declaration.objects.create(
            entity=contract.entity,
            kind=K.DSN_FCTU,
            contract=contract,
            period_start=contract.start_date,
            period_end=contract.end_date,
            due_at=fctu_due(contract.end_date),
            channel=Declaration.Channel.FILE,
            corrects=corrects,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        data, problems = fctu_inputs(
            contract, order=_order(declaration), created_on=timezone.localtime(now).date()
        )
        payload = dsn.dsn_text(data) if data is not None else ""
        _save_built(declaration, problems, payload, {"contract": str(contract.public_id)}, actor)
    return declaration


def dsn_rebuild(*, declaration: Declaration, actor: User | None) -> Declaration:
    """ "Build again" or "Correct" from the declaration's page."""
    if declaration.kind == K.DSN:
        assert declaration.period_start is not None
        return dsn_build_month(
            entity=declaration.entity,
            year=declaration.period_start.year,
            month=declaration.period_start.month,
            actor=actor,
        )
    return fctu_build(contract=declaration.contract, actor=actor)
