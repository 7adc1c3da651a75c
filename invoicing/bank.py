"""Bank statement parsers: ISO 20022 camt.053 (any version: elements are read by local name) and
Belgian CODA 2.x (128-character records). Pure: bytes in, entries out; every problem is collected
with its line/entry so a rejected file can be fixed (shared/RULES.md §4.11).

CODA field positions (1-based, Febelfin standard 2.6): record 1 — 6-42 account; record 2.1 —
11-31 bank reference, 32 sign (0 credit, 1 debit), 33-47 amount (12 + 3 decimals), 48-53 value
date DDMMYY, 62 communication type (1 = structured), 63-115 communication (structured type 101:
63-65 "101", 66-77 the 12 digits), 116-121 entry date DDMMYY; record 2.3 — 11-47 counterparty
account, 48-82 counterparty name. Positions beyond these are not read. UNCERTAIN: taken from the
Febelfin description as summarised by third-party parsers, to re-check against the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree


class StatementError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Entry:
    bank_reference: str
    booking_date: date
    amount: Decimal  # credit positive
    counterparty_name: str = ""
    counterparty_iban: str = ""
    structured_reference: str = ""
    free_text: str = ""


@dataclass
class Statement:
    format: str
    statement_id: str
    account_iban: str
    entries: list[Entry] = field(default_factory=list)


def parse_statement(content: bytes) -> Statement:
    head = content.lstrip()[:200]
    if head.startswith(b"<"):
        return parse_camt053(content)
    if head[:1] == b"0" and len(content.splitlines()[0].rstrip(b"\r\n")) == 128:
        return parse_coda(content)
    raise StatementError(["The file is neither a camt.053 XML statement nor a CODA file."])


def _child(node, *names):
    for name in names:
        if node is None:
            return None
        node = next(
            (c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name), None
        )
    return node


def _children(node, name):
    return [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _text(node, *names) -> str:
    found = _child(node, *names)
    return (found.text or "").strip() if found is not None else ""


def parse_camt053(content: bytes) -> Statement:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise StatementError([f"line {exc.lineno}: not well-formed XML ({exc.msg})"]) from None
    document = root if etree.QName(root).localname == "Document" else None
    statement_root = _child(document, "BkToCstmrStmt") if document is not None else None
    if statement_root is None:
        raise StatementError(["This XML is not a camt.053 statement (no Document/BkToCstmrStmt)."])
    errors: list[str] = []
    statements = _children(statement_root, "Stmt")
    if not statements:
        raise StatementError(["The statement has no Stmt element."])
    result = Statement("camt053", "", "")
    for stmt in statements:
        result.statement_id = result.statement_id or _text(stmt, "Id")
        result.account_iban = result.account_iban or _text(stmt, "Acct", "Id", "IBAN")
        for index, entry in enumerate(_children(stmt, "Ntry"), start=1):
            where = f"entry {index} (line {entry.sourceline})"
            try:
                amount = Decimal(_text(entry, "Amt"))
            except InvalidOperation:
                errors.append(f"{where}: the amount is missing or not a number")
                continue
            sign = _text(entry, "CdtDbtInd")
            if sign not in ("CRDT", "DBIT"):
                errors.append(f"{where}: CdtDbtInd must be CRDT or DBIT, not {sign!r}")
                continue
            raw_date = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm")[:10]
            try:
                booking = date.fromisoformat(raw_date)
            except ValueError:
                errors.append(f"{where}: the booking date is missing or invalid")
                continue
            reference = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
            details = _child(entry, "NtryDtls", "TxDtls")
            if not reference and details is not None:
                reference = _text(details, "Refs", "AcctSvcrRef") or _text(
                    details, "Refs", "EndToEndId"
                )
            if not reference:
                errors.append(f"{where}: no bank reference (AcctSvcrRef)")
                continue
            structured = free = name = iban = ""
            if details is not None:
                remittance = _child(details, "RmtInf")
                if remittance is not None:
                    structured = _text(remittance, "Strd", "CdtrRefInf", "Ref")
                    free = " ".join((u.text or "").strip() for u in _children(remittance, "Ustrd"))
                parties = _child(details, "RltdPties")
                if parties is not None:
                    party = "Dbtr" if sign == "CRDT" else "Cdtr"
                    name = _text(parties, party, "Nm") or _text(parties, party, "Pty", "Nm")
                    iban = _text(parties, f"{party}Acct", "Id", "IBAN")
            result.entries.append(
                Entry(
                    bank_reference=reference,
                    booking_date=booking,
                    amount=amount if sign == "CRDT" else -amount,
                    counterparty_name=name,
                    counterparty_iban=iban,
                    structured_reference="".join(ch for ch in structured if ch.isalnum()),
                    free_text=free,
                )
            )
    if errors:
        raise StatementError(errors)
    return result


def _coda_date(value: str) -> date:
    return datetime.strptime(value, "%d%m%y").date()


def parse_coda(content: bytes) -> Statement:
    try:
        text = content.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise StatementError(["The file is not text."]) from None
    lines = text.splitlines()
    errors: list[str] = []
    result = Statement("coda", "", "")
    current: Entry | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) != 128:
            errors.append(f"line {number}: a CODA record has 128 characters, not {len(line)}")
            continue
        record = line[0]
        if record == "0":
            result.statement_id = line[5:11] + line[24:34].strip()
        elif record == "1":
            result.account_iban = line[5:42].strip().split(" ")[0]
            result.statement_id = (result.statement_id + "/" + line[2:5]).strip("/")
        elif record == "2" and line[1] == "1":
            try:
                sign = line[31]
                if sign not in "01":
                    raise ValueError("sign")
                amount = Decimal(int(line[32:47])) / Decimal(1000)
                booking = _coda_date(line[115:121])
            except ValueError:
                errors.append(f"line {number}: amount, sign or entry date is not valid")
                current = None
                continue
            structured = ""
            communication = line[62:115]
            if line[61] == "1" and communication[:3] == "101":
                structured = communication[3:15]
            current = Entry(
                bank_reference=line[10:31].strip() or f"{result.statement_id}-{line[2:10]}",
                booking_date=booking,
                amount=amount if sign == "0" else -amount,
                structured_reference=structured,
                free_text="" if structured else communication.strip(),
            )
            result.entries.append(current)
        elif record == "2" and line[1] == "3" and current is not None:
            current.counterparty_iban = line[10:47].strip().split(" ")[0]
            current.counterparty_name = line[47:82].strip()
        elif record not in "012389":
            errors.append(f"line {number}: unknown record type {record!r}")
    if not result.account_iban and not errors:
        errors.append("the file has no record 1 (old balance with the account number)")
    if errors:
        raise StatementError(errors)
    return result
