"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from smartcoop.core.demo import be_employer_number, be_enterprise_number
from smartcoop.core.models import LegalEntity, Office, User
from smartcoop.core.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"Office {n}")
    city = "Brussel"
    postcode_ranges = "1000-1299"


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity

    slug = factory.Sequence(lambda n: f"entity-{n}")
    name = factory.Sequence(lambda n: f"Entity {n}")
    legal_form = "vzw"
    is_cooperative = False
    is_employer = True
    enterprise_number = factory.Sequence(lambda n: be_enterprise_number(1_000_000 + n))
    vat_number = factory.LazyAttribute(lambda o: f"BE{o.enterprise_number}")
    employer_number = factory.Sequence(lambda n: be_employer_number(1_100_000 + n))
    street = "Koolmijnenkaai 30"
    postcode = "1080"
    city = "Brussel"
    country = "BE"
    iban = "BE68539007547034"
    bic = "GKCCBEBB"
    default_language = "nl"
    invoice_series_prefix = factory.Sequence(lambda n: f"E{n}")
    credit_note_series_prefix = factory.Sequence(lambda n: f"E{n}C")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    role = Role.MEMBER
    preferred_language = "en"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def staff_user(role: str, *, office=None, entities=(), mfa: bool = True, **fields) -> User:
    """A staff member with the role, office and entities given, with TOTP set up unless mfa=False."""
    if role == Role.ADVISER and office is None:
        office = OfficeFactory()
    user = UserFactory(role=role, office=office, **fields)
    if entities:
        user.entities.set(entities)
    if mfa:
        TOTP.activate(user, TEST_TOTP_SECRET)
    return user


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
