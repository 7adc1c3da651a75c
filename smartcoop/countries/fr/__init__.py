"""France: SmartFr and its entities (SmartFr, GrandsEnsemble, Alterna). The Activity tool only."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from stdnum.fr import nir, siren, siret, tva

from ..identifiers import from_stdnum
from ..pack import (
    ContractType,
    CountryPack,
    IdentifierKind,
    PayslipHeading,
    PayslipLayout,
    PayslipRow,
    ShareCategory,
)

# The "bulletin de paie clarifié" (Code du travail R3243-2; arrêté of 25 February 2016, amended):
# the contributions grouped by risk under the official headings, the employee's and the
# employer's parts of each in one row. Left out because the engine computes none: supplementary
# health and death/disability cover (the cadres' 1.50 % prévoyance of the 1947 agreement) and
# the "cotisations statutaires ou prévues par la convention collective".
CLARIFIED_PAYSLIP = (
    PayslipHeading(
        gettext_noop("Health"),
        (
            PayslipRow(
                employer="maladie_employer",
                label=gettext_noop("Social security – sickness, maternity, disability, death"),  # noqa: RUF001
            ),
        ),
    ),
    PayslipHeading(
        gettext_noop("Work accidents – occupational diseases"),  # noqa: RUF001
        (PayslipRow(employer="at_mp"),),
        inline=True,
    ),
    PayslipHeading(
        gettext_noop("Retirement"),
        (
            PayslipRow(
                "vieillesse_plafonnee",
                "vieillesse_plafonnee_employer",
                gettext_noop("Social security, capped"),
            ),
            PayslipRow(
                "vieillesse_deplafonnee",
                "vieillesse_deplafonnee_employer",
                gettext_noop("Social security, uncapped"),
            ),
            PayslipRow(
                "agirc_arrco_t1",
                "agirc_arrco_t1_employer",
                gettext_noop("Supplementary, tranche 1"),
            ),
            PayslipRow(
                "agirc_arrco_t2",
                "agirc_arrco_t2_employer",
                gettext_noop("Supplementary, tranche 2"),
            ),
            PayslipRow("ceg_t1", "ceg_t1_employer"),
            PayslipRow("ceg_t2", "ceg_t2_employer"),
            PayslipRow("cet", "cet_employer"),
        ),
    ),
    PayslipHeading(
        gettext_noop("Family"), (PayslipRow(employer="allocations_familiales"),), inline=True
    ),
    PayslipHeading(
        gettext_noop("Unemployment insurance"),
        (
            PayslipRow("chomage", "chomage_employer", gettext_noop("Unemployment")),
            PayslipRow("chomage_intermittent", "chomage_intermittent_employer"),
            PayslipRow(employer="chomage_cddu_surcharge"),
            PayslipRow(employer="ags"),
            PayslipRow("apec", "apec_employer"),
        ),
    ),
    PayslipHeading(
        gettext_noop("Other contributions due by the employer"),
        (
            PayslipRow(employer="csa"),
            PayslipRow(employer="fnal"),
            PayslipRow(employer="conges_spectacles"),
        ),
    ),
    PayslipHeading(
        gettext_noop("CSG deductible from income tax"),
        (PayslipRow("csg_deductible"),),
        inline=True,
    ),
    PayslipHeading(
        gettext_noop("CSG/CRDS not deductible from income tax"),
        (PayslipRow("csg_non_deductible"), PayslipRow("crds")),
    ),
    PayslipHeading(
        gettext_noop("Exemptions and reductions of contributions"),
        (PayslipRow(employer="reduction_generale"),),
    ),
)

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
        contribution_headings=CLARIFIED_PAYSLIP,
        other_heading=gettext_noop("Other lines"),
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
