"""Belgium: SmartCoop and its employing entities (Verenigde Producties, Verenigde Opleidingen,
Interimpaleis)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from stdnum.be import ssn, vat

from ..identifiers import BE_EMPLOYER_NUMBER, be_enterprise_format, from_stdnum
from ..pack import ContractType, CountryPack, IdentifierKind, PayslipLayout, ShareCategory

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
            format=be_enterprise_format,
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
            worker_category="employee",
        ),
        ContractType(
            "artistic",
            _("Employee, artistic performance"),
            "be.coefficient_artistic",
            estimate_contribution_base_param="be.estimate_ssc_base_artistic",
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
            worker_category="artist",
        ),
        ContractType(
            "student",
            _("Student"),
            "be.coefficient_student",
            estimate_contribution_param="be.estimate_student_solidarity_rate",
            yearly_hours_quota_param="be.student_hours_quota",
            worker_category="student",
        ),
        ContractType(
            "temporary_agency",
            _("Temporary agency work (Interimpaleis)"),
            "be.coefficient_temporary_agency",
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
            worker_category="employee",
        ),
        ContractType(
            "open_ended",
            _("Open-ended (monthly salary)"),
            "be.coefficient_open_ended",
            monthly_salary=True,
            estimate_contribution_param="be.estimate_personal_ssc_rate",
            estimate_withholding_param="be.estimate_withholding_rate",
            worker_category="employee",
        ),
    ),
    joint_committee_param="be.default_joint_committee",
    enterprise_number_scheme="0208",
    vat_number_holds_enterprise_number=True,
    peppol_by_enterprise_number=True,
    tools=("contract", "activity"),
    payroll_engine="be",
    payroll_batch_engine="be_batch",
    full_month_hours=Decimal("164.67"),  # 38 h x 52 / 12
    exit_holiday_pay=True,
    payslip=PayslipLayout(
        enterprise_number_label=gettext_noop("Enterprise number"),
        employer_number_label=gettext_noop("ONSS employer number"),
        mention=gettext_noop(
            "Keep this payslip: it proves your pay and the contributions withheld. "
            "Questions: contact your adviser."
        ),
        joint_committees=True,
    ),
    hiring_declaration="dimona_in",
    periodic_declarations=("dmfa", "belcotax_28110"),
    # Regions by postcode (bpost ranges): Brussels 1000-1299; Wallonia 1300-1499 and 4000-7999;
    # Flanders the rest.
    postcode_pattern="[0-9]{4}",
    postcode_regions=(
        ("brussels", 1000, 1299),
        ("wallonia", 1300, 1499),
        ("wallonia", 4000, 7999),
        ("flanders", 1500, 9999),
    ),
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
