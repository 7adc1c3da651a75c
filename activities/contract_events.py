"""Hooks on employment contracts for the apps above activities (declarations, payroll).

Activities imports nothing of them: an app registers a listener when it starts
(`register_contract_listener`), and the contract services call `contract_event` inside the
transaction of the change, so a listener's rows are written with it or not at all (a listener
enqueues its tasks with `enqueue`, which sends them after the commit). An app may also register a
status provider (`register_contract_status`): the contract pages show what it answers, e.g.
"Dimona accepted on 3 June". And it may say it files the contract's hiring declaration
(`register_declaration_owner`): staff then cannot mark the contract declared by hand. And it
may let a contract go on before its declaration is accepted, when its pack does not block the
start (`register_start_rule`): it can then be marked performed from validated.

A change made to many contracts at once (an adviser validating the contracts they ticked) is
one `contracts_event`: a listener registered with `register_contracts_listener` hears it once
with the whole list (declarations: one batch of Dimona), the others once per contract. A single
validation is a batch of one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smartcoop.core.models import User

# Events: "validated", "cancelled", "dates_changed", "posting_in_place" (the A1 and host-country
# declaration of a validated contract abroad are in place, or staff lifted the block).
ContractListener = Callable[[str, Any, Any], None]  # (event, contract, actor)


@dataclass(frozen=True)
class ContractStatus:
    label: str
    detail: str
    tone: str  # "ok", "warn", "bad"


# Events heard once for many contracts: "validated". (event, contracts, actor)
ContractsListener = Callable[[str, list, Any], None]

ContractStatusProvider = Callable[[Any], ContractStatus | None]
# Which declaration of ours covers the contract ("Dimona IN"), or "" when none does.
DeclarationOwner = Callable[[Any], str]

# Whether a validated contract may go on (be marked performed) although its hiring declaration
# is not accepted: the declaring app answers from its pack's rule (`be.dimona_blocks_start`).
StartRule = Callable[[Any], bool]

_listeners: list[ContractListener] = []
_start_rules: list[StartRule] = []
_batch_listeners: list[ContractsListener] = []
_status_providers: list[ContractStatusProvider] = []
_declaration_owners: list[DeclarationOwner] = []


def register_contract_listener(listener: ContractListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def register_contracts_listener(listener: ContractsListener) -> None:
    if listener not in _batch_listeners:
        _batch_listeners.append(listener)


def register_contract_status(provider: ContractStatusProvider) -> None:
    if provider not in _status_providers:
        _status_providers.append(provider)


def register_declaration_owner(owner: DeclarationOwner) -> None:
    if owner not in _declaration_owners:
        _declaration_owners.append(owner)


def register_start_rule(rule: StartRule) -> None:
    if rule not in _start_rules:
        _start_rules.append(rule)


def goes_on_undeclared(contract) -> bool:
    """Whether the contract may be marked performed before its hiring declaration is accepted
    (the app that files it says its pack does not block the start; no app: it may not)."""
    return any(rule(contract) for rule in _start_rules)


def declaration_filed_here(contract) -> str:
    """The name of the declaration an app files for this contract ("Dimona IN"), or "": then
    staff may mark the contract declared by hand (it was declared outside smartcoop)."""
    for owner in _declaration_owners:
        name = owner(contract)
        if name:
            return name
    return ""


def contract_event(event: str, contract, actor: User | None) -> None:
    for listener in _listeners:
        listener(event, contract, actor)


def contracts_event(event: str, contracts: list, actor: User | None) -> None:
    """`event` happened to each of `contracts` (in the caller's transaction): batch listeners hear
    it once with the list, the others once per contract."""
    if not contracts:
        return
    for batch_listener in _batch_listeners:
        batch_listener(event, contracts, actor)
    for contract in contracts:
        contract_event(event, contract, actor)


def contract_statuses(contract) -> list[ContractStatus]:
    found = (provider(contract) for provider in _status_providers)
    return [status for status in found if status is not None]
