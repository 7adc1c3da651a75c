"""The PAS rates the tax administration returns after a DSN (the "compte rendu métier" of the
DGFiP, CRM "taux PAS"): parsed, then each worker's personalised rate applied to the member's tax
profile (payroll's dated TaxProfile, through its service) from the rate's date.

The official layout of the CRM was not available offline (shared/payroll-formats README §5,
"Missing"). We read it as a NEODeS flat file, as the DSN it answers (UNCERTAIN, to map to the
real CRM before use):

    S21.G00.06.001,'SIREN'   S21.G00.11.001,'NIC'       the establishment the rates are for
    S21.G00.30.001,'NIR'                                  one worker (13 characters)
    S21.G00.50.001,'DDMMYYYY'                             date from which the rate applies
    S21.G00.50.006,'7.50'                                 the rate, in percent
    S21.G00.50.008,'123456'                               the rate's identifier (sent back in
                                                          S21.G00.50.008 of the next DSN)

A file that does not parse (not this layout, no worker, a rate or date that is not one) is kept
and reported, never applied. A rate dated in the past applies from today: payments already
computed keep the rate they used (payroll's rule).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from smartcoop.core.audit import audit_log

from .answers import AnswerUnreadable
from .dsn import parse_lines
from .models import AuthorityAnswer, PasRate

if TYPE_CHECKING:
    from smartcoop.core.models import User

NIR13 = re.compile(r"^[12][0-9]{2}[0-9]{2}(?:[0-9]{2}|2A|2B)[0-9]{6}$")
RATE = re.compile(r"^[0-9]{1,2}\.[0-9]{2}$")


@dataclass(frozen=True)
class ReturnedRate:
    nir: str
    valid_from: dt.date
    rate: Decimal  # a ratio (0.075)
    identifier: str


def parse_pas_return(raw: bytes) -> tuple[str, list[ReturnedRate]]:
    """(SIRET, rates) of a CRM; AnswerUnreadable naming what is wrong."""
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        content = raw.decode("latin-1")
    try:
        rows = parse_lines(content)
    except ValueError as error:
        raise AnswerUnreadable(str(error)) from error
    siren = nic = ""
    rates: list[ReturnedRate] = []
    current: dict[str, str] = {}

    def close() -> None:
        if not current:
            return
        nir = current.get("nir", "")
        if not NIR13.match(nir):
            raise AnswerUnreadable(_("a worker has no valid NIR"))
        missing = [key for key in ("from", "rate", "id") if key not in current]
        if missing:
            raise AnswerUnreadable(
                _("the worker %(nir)s has no %(what)s") % {"nir": nir[:5] + "…", "what": missing[0]}
            )
        try:
            valid_from = dt.datetime.strptime(current["from"], "%d%m%Y").date()
        except ValueError:
            raise AnswerUnreadable(_("a date is not DDMMYYYY")) from None
        if not RATE.match(current["rate"]):
            raise AnswerUnreadable(_("a rate is not a percentage such as 7.50"))
        try:
            rate = Decimal(current["rate"]) / 100
        except InvalidOperation:
            raise AnswerUnreadable(_("a rate is not a percentage such as 7.50")) from None
        rates.append(ReturnedRate(nir, valid_from, rate, current["id"][:18]))
        current.clear()

    for rubric, value in rows:
        if rubric == "S21.G00.06.001":
            siren = value
        elif rubric == "S21.G00.11.001":
            nic = value
        elif rubric == "S21.G00.30.001":
            close()
            current["nir"] = value.upper()
        elif rubric == "S21.G00.50.001" and current:
            current["from"] = value
        elif rubric == "S21.G00.50.006" and current:
            current["rate"] = value
        elif rubric == "S21.G00.50.008" and current:
            current["id"] = value
    close()
    if not rates:
        raise AnswerUnreadable(_("no worker's rate in the file"))
    if not (siren and nic):
        raise AnswerUnreadable(_("the file names no establishment (SIREN and NIC)"))
    return siren + nic, rates


def _members_by_nir(entity) -> dict:
    """The entity's workers (a contract with it) by the 13 first characters of their NIR."""
    from activities.models import EmploymentContract
    from members.models import Member

    ids = EmploymentContract.objects.filter(entity=entity).values("member_id").distinct()
    found = {}
    for member in Member.objects.filter(pk__in=ids):
        compact = "".join(ch for ch in (member.national_number or "") if ch.isalnum()).upper()
        if len(compact) in (13, 15):
            found[compact[:13]] = member
    return found


def pas_return_import(*, entity, raw: bytes, actor: User | None, today: dt.date) -> AuthorityAnswer:
    """Keep the file; when it parses and is for this entity's SIRET, apply each rate to its
    worker's tax profile from its date (today at the earliest). Workers not found are listed."""
    from payroll.selectors import tax_profile_entry_at
    from payroll.services import tax_profile_record

    with transaction.atomic():
        answer = AuthorityAnswer.objects.create(
            entity=entity,
            kind=AuthorityAnswer.Kind.PAS_RATES,
            raw=raw.decode("utf-8", errors="replace"),
            sha256=hashlib.sha256(raw).hexdigest(),
            received_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            siret, rates = parse_pas_return(raw)
            ours = "".join(ch for ch in entity.employer_number if ch.isdigit())
            if siret != ours:
                raise AnswerUnreadable(
                    _("the file is for the establishment %(siret)s, not this entity's")
                    % {"siret": siret}
                )
        except AnswerUnreadable as error:
            answer.error = str(error)[:500]
            answer.save(update_fields=["error", "updated_at"])
            audit_log(
                actor=actor,
                action="declarations.pas_return.unreadable",
                target=answer,
                data={"error": answer.error},
            )
            return answer
        answer.parsed = True
        members = _members_by_nir(entity)
        for returned in rates:
            member = members.get(returned.nir)
            if member is None:
                answer.unmatched.append(returned.nir[:5] + "…")
                continue
            start = max(returned.valid_from, today)
            entry = tax_profile_entry_at(member=member, on=start)
            tax_profile_record(
                member=member,
                valid_from=start,
                marital_status=entry.marital_status if entry else "single",
                partner_has_income=entry.partner_has_income if entry else False,
                dependent_children=entry.dependent_children if entry else 0,
                disabled_children=entry.disabled_children if entry else 0,
                other_dependants=entry.other_dependants if entry else 0,
                disabled=entry.disabled if entry else False,
                fr_pas_rate=returned.rate,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                today=today,
            )
            PasRate.objects.create(
                entity=entity,
                member=member,
                rate=returned.rate,
                valid_from=start,
                identifier=returned.identifier,
                answer=answer,
            )
            answer.applied += 1
        answer.save(update_fields=["parsed", "applied", "unmatched", "updated_at"])
        audit_log(
            actor=actor,
            action="declarations.pas_return.applied",
            target=answer,
            data={"applied": answer.applied, "unmatched": len(answer.unmatched)},
        )
    return answer
