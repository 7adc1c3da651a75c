"""Demo data of a country deployment: the cooperative, its entities, offices and one account per
audience. Idempotent: running it again changes nothing. Identifiers are made up but valid
(check digits computed), so nobody's real number appears in a demo."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction
from schwifty import IBAN

from .demo_constants import DEMO_PASSWORD, DEMO_TOTP_SECRET
from .models import LegalEntity, Office, User
from .roles import Role


def be_enterprise_number(seven_digits: int) -> str:
    first8 = f"0{seven_digits:07d}"
    return first8 + f"{97 - int(first8) % 97:02d}"


def be_employer_number(sequence: int) -> str:
    check = (96 - (sequence * 100) % 97) % 97
    return f"{sequence:07d}{check:02d}"


def luhn_complete(partial: str) -> str:
    for check in range(10):
        candidate = partial + str(check)
        total = 0
        for index, ch in enumerate(reversed(candidate)):
            digit = int(ch)
            if index % 2 == 1:
                digit *= 2
                digit = digit - 9 if digit > 9 else digit
            total += digit
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def fr_vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


@dataclass
class EntitySpec:
    slug: str
    name: str
    legal_form: str
    is_cooperative: bool
    is_employer: bool
    enterprise_number: str
    vat_number: str
    employer_number: str
    street: str
    postcode: str
    city: str
    iban: str
    bic: str
    language: str
    invoice_prefix: str
    credit_prefix: str
    # The register mention (CSA art. 2:20 in Belgium, C. com. R123-237 in France) and the capital.
    register_court: str = ""
    share_capital: Decimal | None = None
    variable_capital: bool = False


def _be_entities() -> list[EntitySpec]:
    def be(slug, name, form, coop, employer, base, seq, prefix, account):
        number = be_enterprise_number(base)
        return EntitySpec(
            slug,
            name,
            form,
            coop,
            employer,
            number,
            f"BE{number}",
            be_employer_number(seq) if employer else "",
            "Koolmijnenkaai 30-34",
            "1080",
            "Brussel",
            str(IBAN.generate("BE", bank_code="539", account_code=account)),
            "GKCCBEBB",
            "nl",
            prefix,
            prefix + "C",
            register_court="Brussel",  # the Dutch-speaking enterprise court of Brussels
        )

    return [
        be("smartcoop", "SmartCoop", "cv / SC", True, False, 896_7553, 0, "SC", "0075470"),
        be(
            "verenigde-producties",
            "Verenigde Producties / Productions Associées",
            "vzw / asbl",
            False,
            True,
            466_3884,
            1_234_567,
            "VP",
            "0075471",
        ),
        be(
            "verenigde-opleidingen",
            "Verenigde Opleidingen / Formations Associées",
            "vzw / asbl",
            False,
            True,
            541_2008,
            1_345_678,
            "VO",
            "0075472",
        ),
        be(
            "interimpaleis",
            "Interimpaleis",
            "bv / srl",
            False,
            True,
            662_3119,
            1_456_789,
            "IP",
            "0075473",
        ),
    ]


def _fr_entities() -> list[EntitySpec]:
    def fr(slug, name, form, coop, employer, siren8, prefix, account, capital=None):
        siren = luhn_complete(siren8)
        return EntitySpec(
            slug,
            name,
            form,
            coop,
            employer,
            siren,
            fr_vat(siren),
            luhn_complete(siren + "0001"),
            "16 rue du Faubourg Saint-Denis",
            "75010",
            "Paris",
            str(IBAN.generate("FR", bank_code="42559", branch_code="10000", account_code=account)),
            "CCOPFRPP",
            "fr",
            prefix,
            prefix + "A",
            register_court="Paris",
            share_capital=capital,
            variable_capital=capital is None,
        )

    return [
        fr(
            "smartfr",
            "SmartFr",
            "SCIC SA",
            True,
            True,
            "51243765",
            "SF",
            "08001234567",
        ),
        fr(
            "grandsensemble",
            "GrandsEnsemble",
            "SCOP SARL (CAE)",
            False,
            True,
            "79845213",
            "GE",
            "08001234568",
        ),
        fr(
            "alterna",
            "Alterna",
            "SAS coopérative",
            False,
            True,
            "84312657",
            "AL",
            "08001234569",
            capital=Decimal("37000.00"),
        ),
    ]


PARTIAL_NAMES = {
    "DE": ("SmartDe", "Genossenschaft", "Berlin", "10115"),
    "ES": ("SmartIb Cooperativa", "Cooperativa de Impulso Empresarial", "Madrid", "28001"),
    "IT": (
        "SmartIt Società Mutualistica per Artisti",
        "Società Cooperativa Impresa Sociale",
        "Milano",
        "20121",
    ),
    "NL": ("Stichting SmartNL", "Stichting", "Rotterdam", "3011"),
    "AT": ("SmartAt", "Genossenschaft", "Wien", "1010"),
    "SE": ("SmartSe AB", "Aktiebolag", "Stockholm", "11120"),
}


def _partial_entities(code: str) -> list[EntitySpec]:
    name, form, city, postcode = PARTIAL_NAMES[code]
    iban = {
        "DE": "DE89370400440532013000",
        "ES": "ES9121000418450200051332",
        "IT": "IT60X0542811101000000123456",
        "NL": "NL91ABNA0417164300",
        "AT": "AT611904300234573201",
        "SE": "SE4550000000058398257466",
    }[code]
    return [
        EntitySpec(
            code.lower(),
            name,
            form,
            True,
            True,
            f"{code}-DEMO-0001",
            "",
            "",
            "Demo street 1",
            postcode,
            city,
            iban,
            "",
            settings.LANGUAGE_CODE,
            code,
            code + "C",
        )
    ]


OFFICES = {
    "BE": [
        ("Brussel / Bruxelles", "Brussel", "1000-1299,1500-1999,3000-3499"),
        ("Antwerpen", "Antwerpen", "2000-2999"),
        ("Gent", "Gent", "9000-9999,8000-8999"),
        ("Liège", "Liège", "4000-4999"),
        ("Namur", "Namur", "5000-5999,6000-6999,1300-1499"),
        ("Hasselt", "Hasselt", "3500-3999"),
    ],
    "FR": [
        ("Paris", "Paris", "75000-75999,77000-78999,91000-95999"),
        ("Lyon", "Lyon", "69000-69999,38000-38999"),
        ("Nantes", "Nantes", "44000-44999"),
        ("Lille", "Lille", "59000-59999,62000-62999"),
        ("Marseille", "Marseille", "13000-13999"),
    ],
}


@dataclass
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    mfa: bool


ACCOUNTS = [
    DemoAccount("admin@smartcoop.demo", "Ada", "Admin", Role.ADMINISTRATOR, True),
    DemoAccount("adviser@smartcoop.demo", "Sofie", "Peeters", Role.ADVISER, True),
    DemoAccount("payroll@smartcoop.demo", "Karim", "Benali", Role.PAYROLL_OFFICER, True),
    DemoAccount("accountant@smartcoop.demo", "Marie", "Dubois", Role.ACCOUNTANT, True),
    DemoAccount("service@smartcoop.demo", "Jonas", "Maes", Role.CUSTOMER_SERVICE, True),
    DemoAccount("member@smartcoop.demo", "Lotte", "Janssens", Role.MEMBER, False),
]


def entity_specs(country: str) -> list[EntitySpec]:
    if country == "BE":
        return _be_entities()
    if country == "FR":
        return _fr_entities()
    return _partial_entities(country)


@transaction.atomic
def seed_demo(country: str | None = None) -> dict:
    country = country or settings.SMARTCOOP_COUNTRY
    entities = []
    for spec in entity_specs(country):
        entity, _created = LegalEntity.objects.update_or_create(
            slug=spec.slug,
            defaults=dict(
                name=spec.name,
                legal_form=spec.legal_form,
                is_cooperative=spec.is_cooperative,
                is_employer=spec.is_employer,
                enterprise_number=spec.enterprise_number,
                vat_number=spec.vat_number,
                employer_number=spec.employer_number,
                street=spec.street,
                postcode=spec.postcode,
                city=spec.city,
                country=country,
                iban=spec.iban,
                bic=spec.bic,
                default_language=spec.language,
                invoice_series_prefix=spec.invoice_prefix,
                credit_note_series_prefix=spec.credit_prefix,
                register_court=spec.register_court,
                share_capital=spec.share_capital,
                variable_capital=spec.variable_capital,
            ),
        )
        entity.full_clean()  # the demo data passes the same validation as real data
        entities.append(entity)
    offices = []
    for name, city, ranges in OFFICES.get(
        country, [(PARTIAL_NAMES.get(country, ("",))[0] or "Main office", "", "")]
    ):
        office, _created = Office.objects.update_or_create(
            name=name, defaults={"city": city or name, "postcode_ranges": ranges}
        )
        offices.append(office)
    accounts = []
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                role=account.role,
                office=offices[0] if account.role == Role.ADVISER else None,
                preferred_language=settings.LANGUAGE_CODE,
            )
            if account.role not in (Role.MEMBER, Role.ADMINISTRATOR):
                user.entities.set(entities)
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if (
            account.mfa
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)
        accounts.append(user)
    return {"entities": entities, "offices": offices, "accounts": accounts}
