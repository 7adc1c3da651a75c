"""The authority's anomalies in plain words (pure, no ORM).

A Dimona anomaly code is the glossary code of the zone it is about and a number
(`00024-003`: zone 00024, the worker's INSZ; anomaly 003, "Ongeldig"), and the label the ONSS
sends names the fault, not the zone. The staff pages therefore say which of the data we sent each
code is about, next to the authority's words. The zones are the ones our Dimona messages carry
(`builders.dimona_xml`), named from the ONSS glossary Zones_Dimona 2023/3 (`shared/payroll-formats/
be-dimona/glossary`, zone codes and XML labels VERIFIED there); a code of another zone (e.g. the
90xxx business checks) is shown as the authority wrote it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# glossary zone code -> what it is, in the reader's language
DIMONA_ZONES = {
    "00011": _("the employer's ONSS number"),
    "00014": _("the employer's enterprise number"),
    "00024": _("the worker's national number (INSZ)"),
    "00046": _("the joint committee"),
    "00222": _("our reference"),
    "00655": _("the worker type"),
    "00777": _("the start hour"),
    "00778": _("the end hour"),
    "00910": _("the start date"),
    "00911": _("the end date"),
    "00913": _("the Dimona period number"),
    "01135": _("the planned hours"),
}
DIMONA_KINDS = ("dimona_in", "dimona_update", "dimona_cancel", "dimona_out")


@dataclass(frozen=True)
class Anomaly:
    code: str
    zone: str  # what the code is about, "" when we do not know
    text: str  # the authority's words


def explain(kind: str, codes: list[str], message: str) -> list[Anomaly]:
    """Each code with its zone and the authority's label for it. The labels are kept one a line
    in the order of the codes (`services._apply`); when they do not line up (an older answer, or
    one typed by staff), the codes and the message are shown apart."""
    zones = DIMONA_ZONES if kind in DIMONA_KINDS else {}
    lines = message.split("\n") if message else []
    if codes and (not lines or len(lines) == len(codes)):
        lines = lines or [""] * len(codes)
        return [
            Anomaly(code, str(zones.get(code[:5], "")), text.strip())
            for code, text in zip(codes, lines, strict=True)
        ]
    return [Anomaly(code, str(zones.get(code[:5], "")), "") for code in codes] + [
        Anomaly("", "", line.strip()) for line in lines if line.strip()
    ]
