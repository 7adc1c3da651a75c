"""Austria: partial pack — only what the 2020 annual report gives (fee, wage payment terms,
share price, currency). Payroll, declarations and invoice rules are not written yet."""

from django.utils.translation import gettext_lazy as _
from stdnum.at import uid

from ..identifiers import from_stdnum
from ..pack import CountryPack, IdentifierKind, ShareCategory

PACK = CountryPack(
    code="AT",
    name=_("Austria"),
    currency="EUR",
    languages=("de", "en"),
    timezone="Europe/Vienna",
    identifiers={
        IdentifierKind.VAT_NUMBER: from_stdnum(IdentifierKind.VAT_NUMBER, uid, _("VAT number"), ""),
    },
    share_categories=(ShareCategory("A", _("Member"), default=True),),
    contract_types=(),
    partial=True,
)
