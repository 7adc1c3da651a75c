"""SEPA salary payments: the pain.001.001.09 credit-transfer file of a pay run — one file per
entity and pay date, one transfer per worker (end-to-end id = the payslip's reference), the
requested execution date = the pay date, category purpose SALA. Built from the approved
payslips only, with no clock and no random id inside, so building it again gives the same
bytes. A worker without a valid IBAN never reaches this point: it is a blocking anomaly of the
run (`runs/anomalies.py`), and a bad IBAN found here stops the file rather than skipping."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree
from schwifty import IBAN

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    name: str
    iban: str
    amount: Decimal
    remittance: str


class SepaError(ValueError):
    """The file cannot be built (an invalid IBAN, a non-positive amount)."""


def _text(value: str, limit: int) -> str:
    # SEPA's restricted Latin character set is wider in practice; keep printable text, one line.
    return " ".join(value.split())[:limit] or "-"


def build_pain001(
    *,
    message_id: str,
    created_at: dt.datetime,
    debtor_name: str,
    debtor_iban: str,
    debtor_bic: str,
    execution_date: dt.date,
    transfers: list[Transfer],
) -> bytes:
    def sub(parent, tag: str, text: str | None = None, **attrs):
        element = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
        if text is not None:
            element.text = text
        return element

    compact = []  # each creditor's IBAN, validated once (schwifty's parse is most of the time)
    for transfer in transfers:
        if transfer.amount <= 0:
            raise SepaError(f"transfer {transfer.end_to_end_id}: amount must be positive")
        try:
            compact.append(IBAN(transfer.iban).compact)
        except ValueError as error:
            raise SepaError(f"transfer {transfer.end_to_end_id}: invalid IBAN") from error
    total = sum((t.amount for t in transfers), Decimal("0"))
    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    initiation = sub(root, "CstmrCdtTrfInitn")
    header = sub(initiation, "GrpHdr")
    sub(header, "MsgId", message_id[:35])
    sub(header, "CreDtTm", created_at.replace(microsecond=0).isoformat())
    sub(header, "NbOfTxs", str(len(transfers)))
    sub(header, "CtrlSum", f"{total:.2f}")
    sub(sub(header, "InitgPty"), "Nm", _text(debtor_name, 140))
    info = sub(initiation, "PmtInf")
    sub(info, "PmtInfId", message_id[:35])
    sub(info, "PmtMtd", "TRF")
    sub(info, "BtchBookg", "true")
    sub(info, "NbOfTxs", str(len(transfers)))
    sub(info, "CtrlSum", f"{total:.2f}")
    kind = sub(info, "PmtTpInf")
    sub(sub(kind, "SvcLvl"), "Cd", "SEPA")
    sub(sub(kind, "CtgyPurp"), "Cd", "SALA")
    sub(sub(info, "ReqdExctnDt"), "Dt", execution_date.isoformat())
    sub(sub(info, "Dbtr"), "Nm", _text(debtor_name, 140))
    sub(sub(sub(info, "DbtrAcct"), "Id"), "IBAN", IBAN(debtor_iban).compact)
    institution = sub(sub(info, "DbtrAgt"), "FinInstnId")
    if debtor_bic:
        sub(institution, "BICFI", debtor_bic)
    else:
        sub(sub(institution, "Othr"), "Id", "NOTPROVIDED")
    sub(info, "ChrgBr", "SLEV")
    for transfer, iban in zip(transfers, compact, strict=True):
        tx = sub(info, "CdtTrfTxInf")
        sub(sub(tx, "PmtId"), "EndToEndId", transfer.end_to_end_id[:35])
        sub(sub(tx, "Amt"), "InstdAmt", f"{transfer.amount:.2f}", Ccy="EUR")
        sub(sub(tx, "Cdtr"), "Nm", _text(transfer.name, 140))
        sub(sub(sub(tx, "CdtrAcct"), "Id"), "IBAN", iban)
        sub(sub(tx, "Purp"), "Cd", "SALA")
        sub(sub(tx, "RmtInf"), "Ustrd", _text(transfer.remittance, 140))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def payslip_reference(payslip) -> str:
    """The end-to-end id of a worker's transfer: the payslip's number (`reference`, e.g.
    P2026-000042, given on approval), else its public id without dashes (32 characters, within
    SEPA's 35)."""
    return payslip.reference or payslip.public_id.hex


def payrun_message_id(run) -> str:
    """The file's message and payment-information id; banks print it on the batch's debit."""
    return f"SAL-{run.public_id.hex[:24].upper()}"


def payrun_sepa_xml(*, run) -> bytes:
    """The file of an approved run: its approved payslips with a positive net, ordered by
    reference; the creation time is the run's approval, so the bytes never change."""
    from .models import PayRunItem

    items = (
        run.items.filter(state=PayRunItem.State.APPROVED)
        .exclude(payslip=None)
        .select_related("payslip", "member")
        # what the transfers need: not the payslips' lines and parameters, nor the
        # members' other encrypted fields (each decrypted on reading)
        .only(
            "payslip__reference", "payslip__public_id", "payslip__net_pay", "member__kind",
            "member__legal_name", "member__first_name", "member__last_name", "member__email",
            "member__iban",
        )
    )  # fmt: skip
    transfers = sorted(
        (
            Transfer(
                end_to_end_id=payslip_reference(item.payslip),
                name=str(item.member),
                iban=item.member.iban,
                amount=item.payslip.net_pay,
                remittance=f"Salary {run.pay_date.isoformat()} {payslip_reference(item.payslip)}",
            )
            for item in items
            if item.payslip.net_pay > 0
        ),
        key=lambda t: t.end_to_end_id,
    )
    entity = run.entity
    return build_pain001(
        message_id=payrun_message_id(run),
        created_at=run.approved_at or dt.datetime.combine(run.pay_date, dt.time()),
        debtor_name=entity.name,
        debtor_iban=entity.iban,
        debtor_bic=entity.bic,
        execution_date=run.pay_date,
        transfers=transfers,
    )


def correction_message_id(replacement) -> str:
    """The message id of a correction's own transfer file (one per replacement payslip)."""
    return f"COR-{replacement.public_id.hex[:24].upper()}"


def correction_sepa_xml(*, replacement, corrected, amount: Decimal) -> bytes:
    """The file that pays a correction's positive net difference: one transfer, end-to-end id
    = the replacement payslip's reference, executed on its pay date; the creation time is the
    replacement's approval, so the bytes never change."""
    entity = replacement.entity
    member = replacement.member
    return build_pain001(
        message_id=correction_message_id(replacement),
        created_at=replacement.approved_at,
        debtor_name=entity.name,
        debtor_iban=entity.iban,
        debtor_bic=entity.bic,
        execution_date=replacement.pay_date,
        transfers=[
            Transfer(
                end_to_end_id=payslip_reference(replacement),
                name=str(member),
                iban=member.iban,
                amount=amount,
                remittance=(
                    f"Salary correction {payslip_reference(replacement)} "
                    f"of {payslip_reference(corrected)}"
                ),
            )
        ],
    )
