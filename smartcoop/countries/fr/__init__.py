"""France: SmartFr and its entities (SmartFr, GrandsEnsemble, Alterna). The Activity tool only."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from stdnum.fr import nir, siren, siret, tva

from ..identifiers import from_stdnum
from ..pack import ContractType, CountryPack, IdentifierKind, PayslipLayout, ShareCategory

# Employees' net estimate (the simulator): employee contributions, then the flat withholding
# (params/activities.yaml).
PACK = CountryPack(
    code="FR",
    name=_("France"),
    currency="EUR",
    languages=("fr", "en"),
    timezone="Europe/Paris",
    identifiers={
        IdentifierKind.NATIONAL_NUMBER: from_stdnum(
            IdentifierKind.NATIONAL_NUMBER,
            nir,
            _("social security number (NIR)"),
            "2 95 10 99 126 111 93",
        ),
        IdentifierKind.ENTERPRISE_NUMBER: from_stdnum(
            IdentifierKind.ENTERPRISE_NUMBER,
            siren,
            _("SIREN number"),
            "732 829 320",
        ),
        IdentifierKind.VAT_NUMBER: from_stdnum(
            IdentifierKind.VAT_NUMBER,
            tva,
            _("VAT number"),
            "FR 40 303 265 045",
        ),
        IdentifierKind.EMPLOYER_NUMBER: from_stdnum(
            IdentifierKind.EMPLOYER_NUMBER,
            siret,
            _("SIRET number"),
            "732 829 320 00074",
        ),
    },
    share_categories=(
        ShareCategory("1", _("1 — beneficiaries (members using the services)"), default=True),
        ShareCategory("2", _("2 — beneficiaries (entrepreneurs-employees)")),
        ShareCategory("3", _("3 — beneficiaries (other)")),
        ShareCategory("4", _("4 — staff")),
        ShareCategory("5", _("5 — partners: legal persons"), for_legal_persons=True),
        ShareCategory("6", _("6 — partners: local authorities"), for_legal_persons=True),
        ShareCategory("7", _("7 — partners: associations"), for_legal_persons=True),
        ShareCategory("8", _("8 — partners: supporters")),
        ShareCategory("9", _("9 — partners: founders")),
    ),
    contract_types=(
        ContractType(
            "cddu",
            _("CDDU (fixed-term, per mission)"),
            "fr.coefficient_cddu",
            estimate_contribution_param="fr.estimate_employee_contribution_rate",
            estimate_withholding_param="fr.estimate_withholding_rate",
            worker_category="non_cadre",
            intermittent=True,
        ),
        # A business-support contract pays no salary: no contributions in the estimate.
        ContractType(
            "cape", _("CAPE (business-support contract)"), "fr.coefficient_cape", pays_salary=False
        ),
        ContractType(
            "cdi",
            _("CDI (open-ended)"),
            "fr.coefficient_cdi",
            monthly_salary=True,
            estimate_contribution_param="fr.estimate_employee_contribution_rate",
            estimate_withholding_param="fr.estimate_withholding_rate",
            worker_category="non_cadre",
        ),
    ),
    enterprise_number_scheme="0002",
    vat_mentions="fr_cgi",
    tools=("activity",),
    executive_status=True,
    payroll_engine="fr",
    payroll_batch_engine="fr_batch",
    full_month_hours=Decimal("151.67"),  # the legal 35 h x 52 / 12
    personalised_withholding_rate=True,
    work_accident_rates=True,
    payslip=PayslipLayout(
        enterprise_number_label=gettext_noop("SIREN"),
        employer_number_label=gettext_noop("SIRET"),
        mention=gettext_noop(
            "Keep this payslip without time limit. The employer contributions shown are "
            "paid by the employer in addition to your gross pay."
        ),
        net_breakdown=True,
    ),
    hiring_declaration="dpae",
    periodic_declarations=("dsn",),
    extra={
        "public_figures": (
            (18997, _("invoices a year")),
            (8364, _("clients")),
            (63, _("countries where clients are")),
        ),
        "public_figures_source": _("Figures of SmartFr, annual report 2020."),
    },
)
