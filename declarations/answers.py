"""Reading the authority's answers (pure, no ORM).

- A Dimona notification file (batch answer, elements of `NOTIFICATION_20223.xsd`): one `Form`
  per message handled, naming our reference (`HandledReference/ReferenceNbr`), the Dimona period
  created (`DimonaPeriodId`) and any anomalies (`AnomalyReport`: `ErrorID`, `AnomalyClass`,
  `AnomalyLabel`). The class is the anomaly's severity in the ONSS glossaries (Zones_Dimona
  2023/3 `AnomalieErnst`, DmfA 2022/3 `GraviteAnomalie`): B blocks the declaration; NP, P and W
  do not (e.g. 90373-460 "late declaration" is NP). A form is rejected when one of its anomalies
  is blocking or has no class (we do not guess); otherwise it is accepted and its non-blocking
  anomalies are kept as warnings.
- The web service's status (REST v2 `declarationStatus`): result "A"/"W" accepted, "B" refused,
  anything else still pending (SECONDARY: shape from an MIT client, see README).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree


class AnswerUnreadable(ValueError):
    """The answer is not a file we can read: it is kept and reported, never applied. `raw` is
    the answer as received, when the reader had it (the web service's body)."""

    def __init__(self, message: str, *, raw: str = ""):
        super().__init__(message)
        self.raw = raw


@dataclass(frozen=True)
class Outcome:
    reference: str
    accepted: bool | None  # None: not processed yet
    period_id: str = ""
    authority_reference: str = ""
    codes: tuple[str, ...] = ()
    messages: tuple[str, ...] = field(default=())


# Severity classes that do not block (glossary codes; B is the blocking one).
NON_BLOCKING_CLASSES = frozenset({"NP", "P", "W"})


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _first(node, name: str) -> str:
    for element in node.iter():
        if _local(element.tag) == name and element.text:
            return element.text.strip()
    return ""


def parse_dimona_notification(raw: bytes) -> list[Outcome]:
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as error:
        raise AnswerUnreadable(f"not well-formed XML: {error}") from error
    forms = [node for node in root.iter() if _local(node.tag) == "Form"]
    if not forms:
        raise AnswerUnreadable("no Form element: this is not a Dimona notification")
    outcomes = []
    for form in forms:
        reference = ""
        for node in form.iter():
            if _local(node.tag) == "HandledReference":
                reference = _first(node, "ReferenceNbr")
        if not reference:
            raise AnswerUnreadable("a Form names no HandledReference/ReferenceNbr")
        codes, messages, blocking = [], [], False
        for node in form.iter():
            children = {_local(child.tag): (child.text or "").strip() for child in node}
            if "ErrorID" in children and node is not form:
                codes.append(children["ErrorID"])
                messages.append(children.get("AnomalyLabel", ""))
                if children.get("AnomalyClass", "").upper() not in NON_BLOCKING_CLASSES:
                    blocking = True
        outcomes.append(
            Outcome(
                reference=reference,
                accepted=not blocking,
                period_id=_first(form, "DimonaPeriodId"),
                codes=tuple(codes),
                messages=tuple(messages),
            )
        )
    return outcomes


def parse_rest_status(reference: str, data: dict) -> Outcome:
    try:
        status = data["declarationStatus"]
        result = status.get("result", "")
    except (KeyError, TypeError, AttributeError) as error:
        raise AnswerUnreadable("no declarationStatus in the answer") from error
    anomalies = status.get("anomalies") or []
    period = status.get("period") or {}
    if (
        not isinstance(result, str)
        or not isinstance(anomalies, list)
        or not isinstance(period, dict)
        or not isinstance(data.get("declarationId", ""), str | int)
    ):
        raise AnswerUnreadable("the declarationStatus is not in the expected shape")
    codes = tuple(str(a.get("code", "")) for a in anomalies if isinstance(a, dict))
    messages = tuple(str(a.get("label", "")) for a in anomalies if isinstance(a, dict))
    accepted: bool | None
    if result in ("A", "W"):
        accepted = True
    elif result == "B":
        accepted = False
    else:
        accepted = None
    return Outcome(
        reference=reference,
        accepted=accepted,
        period_id=str(period.get("id", "") or ""),
        authority_reference=str(data.get("declarationId", "") or ""),
        codes=codes,
        messages=messages,
    )
