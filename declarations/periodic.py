"""Writes of the yearly Belcotax 281.10: gather the frozen inputs from the approved payslips of
the year (payroll's models and `payroll.selectors.yearly_summaries`, read only), the members and
the entity, build the file with the pure builder (`belcotax.py`), check it against the schema the
pack names for the year, and move the status machine like every declaration.

A rebuild withdraws an unsent one; after an acceptance it makes a correction (the changed forms
only: modified, added or cancelled, with the sequence numbers of the accepted ones); after a
rejection it corrects the rejected one with a complete original again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log
from smartcoop.core.errors import Conflict
from smartcoop.countries import current_pack, pack_of_country
from smartcoop.countries.params import ParameterNotInForce, param

from . import belcotax, dmfa
from .builders import Problem
from .models import Declaration
from .services import _at, declaration_store_built

if TYPE_CHECKING:
    from smartcoop.core.models import User

K = Declaration.Kind
S = Declaration.Status
AMOUNTS = ("taxable", "withheld", "special_ssc", "early_holiday")
# The Belgian exit holiday pay and the personal contributions on it: zone 2.063, not 2.060.
EXIT_HOLIDAY_EARNINGS = ("exit_holiday_simple", "exit_holiday_double", "exit_holiday_additional")
EXIT_HOLIDAY_CONTRIBUTIONS = ("exit_holiday_ssc", "exit_holiday_special_contribution")


def belcotax_due(year: int) -> dt.datetime:
    """The last day of the `be.belcotax_due_months_after_year`-th month after the income year."""
    months = int(param("be.belcotax_due_months_after_year", on=dt.date(year, 12, 31)))
    first_after = dt.date(year + 1 + months // 12, months % 12 + 1, 1)
    return _at(first_after - dt.timedelta(days=1), dt.time(23, 59))


def _digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def _sender(entity, actor: User | None) -> tuple[belcotax.Party | None, list[Problem]]:
    problems = []
    enterprise = _digits(entity.enterprise_number)[-10:].rjust(10, "0")
    employer_pack = pack_of_country(entity.country)
    if employer_pack is None or not employer_pack.files(Declaration.Kind.BELCOTAX):
        problems.append(Problem("entity.country", _("the 281.10 is for a Belgian employer only")))
    if len(_digits(entity.enterprise_number)) not in (9, 10):
        problems.append(
            Problem("entity.enterprise_number", _("the employer has no enterprise number"))
        )
    phone = getattr(settings, "SMARTCOOP_DECLARATION_CONTACT_PHONE", "")
    if not phone:
        problems.append(
            Problem(
                "SMARTCOOP_DECLARATION_CONTACT_PHONE",
                _("the phone number of the sender is not configured"),
            )
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    email = (user.email if user else "") or entity.email
    if not email:
        problems.append(Problem("entity.email", _("the employer has no e-mail address")))
    if problems:
        return None, problems
    contact = (user.get_full_name() if user else "") or entity.name
    return (
        belcotax.Party(
            name=entity.name,
            street=entity.street,
            postcode=entity.postcode,
            city=entity.city,
            enterprise_number=enterprise,
            language=belcotax.LANGUAGE_CODES.get(entity.default_language[:2], "1"),
            contact=contact,
            phone=phone,
            email=email,
        ),
        [],
    )


def _workers(entity, year: int) -> list[tuple[Any, dict]]:
    """Per worker paid in the year, the member and the year's 281.10 amounts (payroll's own
    yearly summary of the approved payslips paid in the year, plus the special contribution)."""
    from payroll.models import Payslip
    from payroll.selectors import yearly_summaries

    payslips = (
        Payslip.objects.filter(entity=entity, status=Payslip.Status.APPROVED, pay_date__year=year)
        .select_related("member")
        .order_by("member__last_name", "member__first_name", "member_id", "pay_date", "id")
    )
    by_member: dict[int, list] = {}
    for payslip in payslips:
        by_member.setdefault(payslip.member_id, []).append(payslip)
    workers = []
    for slips in by_member.values():
        (summary,) = yearly_summaries(slips)
        special = sum(  # a deduction line, positive
            (
                Decimal(line["amount"])
                for slip in slips
                for line in slip.lines
                if line["code"] == "special_ssc"
            ),
            Decimal("0"),
        )
        lines = [line for slip in slips for line in slip.lines]
        early_holiday = sum(
            (Decimal(x["amount"]) for x in lines if x["code"] in EXIT_HOLIDAY_EARNINGS),
            Decimal("0"),
        ) - sum(
            (Decimal(x["amount"]) for x in lines if x["code"] in EXIT_HOLIDAY_CONTRIBUTIONS),
            Decimal("0"),
        )
        amounts = {
            "taxable": summary["taxable"] - early_holiday,
            "withheld": summary["withheld"],
            "special_ssc": special,
            "early_holiday": early_holiday,
        }
        workers.append((slips[0].member, amounts))
    return workers


def _country_code(value) -> str:
    """Zone 2.018: 0 for Belgium, else the five-digit code (the pack's table reads numbers)."""
    if value is None:
        return ""
    return "0" if int(value) == 0 else f"{int(value):05d}"


def _identity(member, countries: dict) -> tuple[dict, list[Problem]]:
    """What the form says of the worker (without the national number), or what is missing."""
    name = member.display_name
    home = current_pack()  # an address at home has the pack's postcodes (Belgium: four digits)
    problems = []
    for field, label in (
        ("street", _("street and number")),
        ("postcode", _("postcode")),
        ("city", _("city")),
    ):
        if not getattr(member, field).strip():
            problems.append(
                Problem(
                    f"member.{field}",
                    _("%(name)s: no %(field)s in the address for the 281.10")
                    % {"name": name, "field": label},
                )
            )
    country = member.country or ""
    if country not in countries:
        problems.append(
            Problem(
                "member.country",
                _("%(name)s: the country of the address (%(country)s) has no Belcotax code")
                % {"name": name, "country": country or "—"},
            )
        )
    elif (
        country == home.code
        and home.postcode_pattern
        and member.postcode
        and not re.fullmatch(home.postcode_pattern, member.postcode)
    ):
        problems.append(
            Problem(
                "member.postcode",
                _("%(name)s: a Belgian postcode has four digits") % {"name": name},
            )
        )
    return (
        {
            "last_name": member.last_name or name,
            "first_names": member.first_name,
            "street": member.street.strip(),
            "postcode": member.postcode.strip(),
            "city": member.city.strip(),
            "country_code": _country_code(countries.get(country)),
            "language": belcotax.LANGUAGE_CODES.get((member.language or "")[:2], ""),
        },
        problems,
    )


def _accepted_baseline(earlier: Declaration | None) -> Declaration | None:
    """The last accepted 281.10 of the chain `earlier` belongs to (what the FPS has)."""
    node = earlier
    while node is not None and node.status != S.ACCEPTED:
        node = node.corrects
    return node


def belcotax_build_year(
    *, entity, year: int, actor: User | None, now: dt.datetime | None = None
) -> Declaration:
    """The 281.10 forms of `year` for the entity: one per worker paid in the year, from the
    approved payslips. In draft, naming the worker and the field, when a national number or an
    address is missing. Once one was accepted, a new build corrects it."""
    now = now or timezone.now()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with transaction.atomic():
        earlier = (
            Declaration.objects.select_for_update(of=("self",))
            .filter(entity=entity, kind=K.BELCOTAX, period_start=start, corrected_by__isnull=True)
            .exclude(status=S.WITHDRAWN)
            .order_by("-id")
            .first()
        )
        if earlier is not None and earlier.status == S.SENT:
            raise Conflict(
                _("The 281.10 of %(year)s is sent: record the answer before building it again.")
                % {"year": year}
            )
        if earlier is not None and earlier.status in (S.DRAFT, S.READY):
            # Replaced before it was sent: what it corrected is corrected by the new one.
            earlier.status, replaced, earlier.corrects = S.WITHDRAWN, earlier.corrects, None
            earlier.save(update_fields=["status", "corrects", "updated_at"])
            audit_log(actor=actor, action="declarations.declaration.withdrawn", target=earlier)
            earlier = replaced
        corrects = (
            earlier if earlier is not None and earlier.status in (S.ACCEPTED, S.REJECTED) else None
        )
        if corrects is not None and corrects.status == S.REJECTED:
            corrects.status = S.CORRECTED
            corrects.save(update_fields=["status", "updated_at"])
            audit_log(actor=actor, action="declarations.declaration.corrected", target=corrects)
        baseline = _accepted_baseline(corrects)
        declaration = Declaration.objects.create(
            entity=entity,
            kind=K.BELCOTAX,
            period_start=start,
            period_end=end,
            due_at=belcotax_due(year),
            channel=Declaration.Channel.FILE,
            corrects=corrects,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        problems, fiches, state = _fiches(entity, year, baseline)
        sender, sender_problems = _sender(entity, actor)
        problems = sender_problems + problems
        try:
            schema_name = param("be.belcotax_schema", on=start)
        except ParameterNotInForce as missing:
            problems.append(Problem("parameter", str(missing)))
        if not problems and not fiches:
            problems.append(
                Problem(
                    "payslips",
                    _("nothing changed since the accepted 281.10 of %(year)s") % {"year": year}
                    if baseline is not None
                    else _("no approved payslip paid in %(year)s") % {"year": year},
                )
            )
        declaration.inputs = {
            "year": year,
            "fiches": state,
            "sent": len(fiches),
            "correction": baseline is not None,
        }
        declaration.problems = [asdict(p) for p in problems]
        document, errors = None, []
        if not problems and sender is not None:
            document = belcotax.belcotax_xml(
                belcotax.BelcotaxInput(
                    year=year,
                    created_on=timezone.localtime(now).date(),
                    sender=sender,
                    fiches=tuple(fiches),
                    corrections=baseline is not None,
                )
            )
            errors = belcotax.belcotax_errors(document, schema_name)
        declaration_store_built(
            declaration,
            document=document,
            errors=errors,
            content_type="application/xml",
            actor=actor,
            data={"kind": K.BELCOTAX, "year": year, "forms": len(fiches)},
        )
    return declaration


def _fiches(
    entity, year: int, baseline: Declaration | None
) -> tuple[list[Problem], list[belcotax.Fiche], dict]:
    """The forms to send and the state of every worker's form after this declaration (kept in
    `inputs`, without national numbers, so a later correction knows what the FPS has)."""
    try:
        countries = param("be.belcotax_country_codes", on=dt.date(year, 12, 31))
    except ParameterNotInForce as missing:
        return [Problem("parameter", str(missing))], [], {}
    before: dict = dict(baseline.inputs.get("fiches", {})) if baseline is not None else {}
    next_sequence = max((f["seq"] for f in before.values()), default=0) + 1
    problems: list[Problem] = []
    fiches: list[belcotax.Fiche] = []
    state: dict = {}
    members = {}
    for member, amounts in _workers(entity, year):
        if not any(amounts.values()):
            continue  # every payslip of the year was reversed
        key = str(member.public_id)
        members[key] = member
        identity, gaps = _identity(member, countries)
        inss = _digits(member.national_number)
        if len(inss) != 11:
            gaps.insert(
                0,
                Problem(
                    "member.national_number",
                    _("%(name)s: no national number (INSZ/NISS) for the 281.10")
                    % {"name": member.display_name},
                ),
            )
        if amounts["taxable"] < 0:
            gaps.append(
                Problem(
                    "payslips",
                    _("%(name)s: the taxable pay of the year is negative")
                    % {"name": member.display_name},
                )
            )
        problems.extend(gaps)
        if gaps:
            continue
        previous = before.get(key)
        sequence = previous["seq"] if previous else None
        if sequence is None:
            sequence, next_sequence = next_sequence, next_sequence + 1
        entry = {
            "seq": sequence,
            **identity,
            # a zero 2.063 is left out, so forms kept before it existed compare equal
            **{k: str(v) for k, v in amounts.items() if v or k != "early_holiday"},
        }
        state[key] = entry
        if previous == entry:
            continue
        treatment = (
            belcotax.ORIGINAL
            if baseline is None
            else belcotax.MODIFICATION
            if previous
            else belcotax.ADDITION
        )
        fiches.append(_fiche(entry, inss, treatment))
    if baseline is not None and not problems:
        from members.models import Member

        gone = [key for key in before if key not in state]
        for member in Member.objects.filter(public_id__in=gone).order_by("last_name", "id"):
            entry = before[str(member.public_id)]
            fiches.append(_fiche(entry, _digits(member.national_number), belcotax.CANCELLATION))
    fiches.sort(key=lambda f: f.sequence)
    return problems, fiches, state


def _fiche(entry: dict, inss: str, treatment: str) -> belcotax.Fiche:
    return belcotax.Fiche(
        sequence=entry["seq"],
        inss=inss,
        last_name=entry["last_name"],
        first_names=entry["first_names"],
        street=entry["street"],
        postcode=entry["postcode"],
        city=entry["city"],
        country_code=entry["country_code"],
        language=entry["language"],
        treatment=treatment,
        **{k: Decimal(entry.get(k, "0")) for k in AMOUNTS},
    )


# --- DmfA update (the correction of an accepted DmfA) --------------------------------------------


def _chain(head: Declaration) -> list[Declaration]:
    """The declaration and the ones it corrects, newest first."""
    nodes: list[Declaration] = []
    node: Declaration | None = head
    while node is not None:
        nodes.append(node)
        node = node.corrects
    return nodes


def dmfa_update_if_accepted(
    *, entity, quarter: str, actor: User | None, now: dt.datetime | None = None
) -> Declaration | None:
    """Once the original DmfA of the quarter was accepted, a new build is a `DmfAUpdate` that
    names the accepted declaration (its PID) and sends only the worker lines that changed since
    what the ONSS has: created, modified or deleted. None when no original was accepted (the
    caller builds an original)."""
    from .services import _dmfa_lines, _tz, dmfa_holiday_special

    now = now or timezone.now()
    start, end = dmfa.quarter_bounds(quarter)
    with transaction.atomic():
        head = (
            Declaration.objects.select_for_update(of=("self",))
            .filter(
                entity=entity,
                kind__in=(K.DMFA, K.DMFA_UPDATE),
                period_start=start,
                corrected_by__isnull=True,
            )
            .exclude(status=S.WITHDRAWN)
            .order_by("-id")
            .first()
        )
        if head is None:
            return None
        chain = _chain(head)
        original = next((n for n in chain if n.kind == K.DMFA and n.status == S.ACCEPTED), None)
        if original is None:
            return None
        if head.status == S.SENT:
            raise Conflict(
                _("The DmfA correction of %(quarter)s is sent: record the answer first.")
                % {"quarter": quarter}
            )
        if head.status in (S.DRAFT, S.READY):
            head.status, replaced, head.corrects = S.WITHDRAWN, head.corrects, None
            head.save(update_fields=["status", "corrects", "updated_at"])
            audit_log(actor=actor, action="declarations.declaration.withdrawn", target=head)
            head = replaced
        assert head is not None
        if head.status == S.REJECTED:
            head.status = S.CORRECTED
            head.save(update_fields=["status", "updated_at"])
            audit_log(actor=actor, action="declarations.declaration.corrected", target=head)
        accepted = [original.payload.encode()] + [
            n.payload.encode()
            for n in reversed(chain[: chain.index(original)])
            if n.kind == K.DMFA_UPDATE and n.status == S.ACCEPTED
        ]
        declaration = Declaration.objects.create(
            entity=entity,
            kind=K.DMFA_UPDATE,
            period_start=start,
            period_end=end,
            channel=Declaration.Channel.FILE,
            corrects=head,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        lines, problems = _dmfa_lines(entity, start, end)
        noss = _digits(entity.employer_number)
        if not noss:
            problems.insert(
                0, Problem("entity.employer_number", _("the employer has no ONSS number"))
            )
        pid = _digits(original.authority_reference)
        if not 1 <= len(pid) <= 11:
            problems.insert(
                0,
                Problem(
                    "authority_reference",
                    _(
                        "the accepted DmfA of %(quarter)s has no PID (the ONSS's declaration "
                        "number): record it with its acknowledgement"
                    )
                    % {"quarter": quarter},
                ),
            )
        declared, persons = dmfa.declared_lines(accepted)
        changes = dmfa.line_changes(tuple(lines), declared, quarter)
        # Worker code 870 (the special contribution on the double exit holiday pay) is restated
        # when the quarter's payslips now give another basis or amount than the ONSS has.
        special_basis, special = dmfa_holiday_special(entity, start, end)
        unrelated = dmfa.unrelated_changes(
            {dmfa.HOLIDAY_SPECIAL_WORKER_CODE: (special_basis, special)},
            dmfa.declared_unrelated(accepted),
        )
        if not problems and not changes and not unrelated:
            problems.append(
                Problem(
                    "payslips",
                    _("nothing changed since the accepted DmfA of %(quarter)s")
                    % {"quarter": quarter},
                )
            )
        declaration.inputs = {
            "quarter": quarter,
            "corrects_pid": pid,
            "changes": {
                action: sum(1 for c in changes if c.action == action)
                for action in (dmfa.CREATED, dmfa.MODIFIED, dmfa.DELETED)
            },
            "unrelated": {
                change.worker_code: {
                    "action": change.action,
                    "basis": str(change.basis),
                    "amount": str(change.amount),
                }
                for change in unrelated
            },
        }
        declaration.problems = [asdict(p) for p in problems]
        document, errors = None, []
        if not problems:
            document = dmfa.dmfa_update_xml(
                dmfa.DmfaUpdateInput(
                    reference=declaration.reference,
                    created_at=timezone.localtime(now, _tz()).replace(tzinfo=None),
                    quarter=quarter,
                    employer_noss=noss,
                    company_id=_digits(entity.enterprise_number)[-10:],
                    pid=pid,
                    person_numbers=persons,
                    changes=changes,
                    unrelated=unrelated,
                )
            )
            errors = dmfa.dmfa_update_errors(document)
        declaration_store_built(
            declaration,
            document=document,
            errors=errors,
            content_type="application/xml",
            actor=actor,
            data={"kind": K.DMFA_UPDATE, "quarter": quarter, "changes": len(changes)},
        )
    return declaration
