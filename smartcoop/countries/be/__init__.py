"""Belgium: SmartCoop and its employing entities (Verenigde Producties, Verenigde Opleidingen,
Interimpaleis)."""

from django.utils.translation import gettext_lazy as _
from stdnum.be import ssn, vat

from ..identifiers import BE_EMPLOYER_NUMBER, from_stdnum
from ..pack import ContractType, CountryPack, IdentifierKind, ShareCategory

# Employees' net estimate (the simulator): personal social security on the gross (x 1.08 for
# artists), then the flat withholding tax (params/activities.yaml).
PACK = CountryPack(
    code="BE",
    name=_("Belgium"),
    currency="EUR",
    languages=("nl", "fr", "en", "de"),
    timezone="Europe/Brussels",
    identifiers={
        IdentifierKind.NATIONAL_NUMBER: from_stdnum(
            IdentifierKind.NATIONAL_NUMBER,
            ssn,
            _("national register or BIS number (INSZ/NISS)"),
            "85.07.30-033.28",
        ),
        IdentifierKind.ENTERPRISE_NUMBER: from_stdnum(
            IdentifierKind.ENTERPRISE_NUMBER,
            vat,
            _("enterprise number (KBO/BCE)"),
            "0403.170.701",
        ),
        IdentifierKind.VAT_NUMBER: from_stdnum(
            IdentifierKind.VAT_NUMBER,
            vat,
            _("VAT number"),
            "BE 0403.170.701",
        ),
        IdentifierKind.EMPLOYER_NUMBER: BE_EMPLOYER_NUMBER,
    },
    share_categories=(
        ShareCategory("A", _("A — users of the services"), default=True),
        ShareCategory("B", _("B — permanent staff")),
        ShareCategory("C", _("C — partners and legal persons"), for_legal_persons=True),
    ),
    contract_types=(
        ContractType(
            "employee",
            _("Employee (fixed term)"),
            "be.coefficient_employee",
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
        ),
        ContractType(
            "artistic",
            _("Employee, artistic performance"),
            "be.coefficient_artistic",
            estimate_contribution_base_param="be.estimate_ssc_base_artistic",
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
        ),
        ContractType(
            "student",
            _("Student"),
            "be.coefficient_student",
            estimate_contribution_param="be.estimate_student_solidarity_rate",
            yearly_hours_quota_param="be.student_hours_quota",
        ),
        ContractType(
            "temporary_agency",
            _("Temporary agency work (Interimpaleis)"),
            "be.coefficient_temporary_agency",
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
        ),
        ContractType(
            "open_ended",
            _("Open-ended (monthly salary)"),
            "be.coefficient_open_ended",
            monthly_salary=True,
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
        ),
    ),
    enterprise_number_scheme="0208",
    vat_number_holds_enterprise_number=True,
    peppol_by_enterprise_number=True,
    tools=("contract", "activity"),
    extra={
        # Shown on the public landing page: the cooperative's published figures.
        "public_figures": (
            (27268, _("members")),
            (17627, _("salaried members in a year")),
            (139598, _("employment contracts a year")),
            (149308, _("invoices a year")),
        ),
        "public_figures_source": _("Figures of the Belgian cooperative, annual report 2020."),
    },
)
