"""What declarations registers in activities' contract hooks (`activities/contract_events.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from activities.contract_events import ContractStatus

from . import selectors, services

if TYPE_CHECKING:
    from smartcoop.core.models import User


def on_contracts_event(event: str, contracts: list, actor: User | None) -> None:
    """Contracts validated together (one, or the many an adviser ticked) get their Dimona IN or
    DPAE in one batch, in the transaction of their validation."""
    if event == "validated":
        services.contracts_declarations_queue(contracts=contracts, actor=actor)


def on_contract_event(event: str, contract, actor: User | None) -> None:
    if event == "cancelled":
        services.contract_cancelled(contract=contract, actor=actor)
    elif event == "dates_changed":
        services.contract_dates_changed(contract=contract, actor=actor)
    elif event == "posting_in_place":
        services.contract_declare_when_filed(contract=contract, actor=actor)


def declaration_owner(contract) -> str:
    """The hiring declaration of ours that covers the contract (staff cannot then mark it
    declared by hand), or "" when there is none (a country or contract type we file nothing for,
    e.g. a French CAPE)."""
    declaration = selectors.hiring_declaration(contract)
    if declaration is None or declaration.status == declaration.Status.WITHDRAWN:
        return ""
    return str(declaration.get_kind_display())


def goes_on_undeclared(contract) -> bool:
    """A contract whose Dimona IN / DPAE is not accepted may go on (be marked performed) when the
    pack, on its start date, says the missing acceptance does not block the start
    (`be.dimona_blocks_start`, `fr.dpae_blocks_start` false): it stays flagged."""
    declaration = selectors.hiring_declaration(contract)
    if declaration is None or declaration.status in (
        declaration.Status.ACCEPTED,
        declaration.Status.WITHDRAWN,
    ):
        return False
    return not services.blocks_start(declaration.kind, contract)


def contract_status(contract) -> ContractStatus | None:
    """Whether the contract is declared to the authority, and when (for the contract pages)."""
    declaration = selectors.hiring_declaration(contract)
    if declaration is None:
        return None
    d = declaration.Status
    name = declaration.get_kind_display()
    details: dict[str, str] = {
        d.DRAFT: _("%(kind)s incomplete: staff are completing it."),
        d.READY: _("%(kind)s ready, to be sent."),
        d.SENT: _("%(kind)s sent, waiting for the authority."),
        d.REJECTED: _("%(kind)s rejected by the authority: staff are correcting it."),
    }
    if declaration.status == d.ACCEPTED:
        when = timezone.localtime(declaration.answered_at) if declaration.answered_at else None
        detail = _("%(kind)s accepted on %(date)s.") % {
            "kind": name,
            "date": date_format(when, "DATETIME_FORMAT") if when else "—",
        }
        # the dates changed since: the UPDATE that tells the authority is on its way
        update = selectors.pending_update(contract)
        if update is not None:
            detail += " " + details[update.status] % {"kind": update.get_kind_display()}
        if contract.status == contract.Status.VALIDATED and not contract.posting_in_place:
            # accepted, but a contract abroad is declared once its posting documents are in place
            detail += " " + _(
                "The contract is declared once the A1 certificate and the host-country "
                "declaration are in place."
            )
            return ContractStatus(_("Not declared yet"), detail, "warn")
        return ContractStatus(_("Declared"), detail, "ok")
    if declaration.status == d.WITHDRAWN:
        return ContractStatus(
            _("Not declared"), _("Withdrawn: the contract was cancelled."), "warn"
        )
    late = selectors.start_passed_undeclared(contract, declaration)
    if declaration.status == d.REJECTED:
        return ContractStatus(_("Not declared"), details[d.REJECTED] % {"kind": name}, "bad")
    detail = details.get(declaration.status, "%(kind)s") % {"kind": name}
    if late and services.blocks_start(declaration.kind, contract):
        detail += " " + _("Work may not start before the declaration is accepted.")
    elif late:
        detail += " " + _(
            "The start has passed without an accepted declaration: file it now. The rules of "
            "this country let work go on meanwhile."
        )
    return ContractStatus(_("Not declared yet"), detail, "bad" if late else "warn")
