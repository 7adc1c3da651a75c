"""The demo member (member@smartcoop.demo) joins through the real services: identity, bank
account, profile, consent, one share paid and confirmed, and a few information sessions to book.
Idempotent: does nothing once the demo member has a member number."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from members import selectors, services
from members.models import InfoSession, Member
from smartcoop.core.models import Office, User
from smartcoop.core.sectors import Sector

# Made-up but valid numbers (check digits computed), per country.
DEMO_IDENTITY = {
    "BE": {
        "national_number": "90.02.01-997.04",
        "postcode": "1060",
        "city": "Sint-Gillis",
        "country": "BE",
        "iban": "BE71 0961 2345 6769",
    },
    "FR": {
        "national_number": "2 90 02 75 115 123 12",
        "postcode": "75011",
        "city": "Paris",
        "country": "FR",
        "iban": "FR76 3000 4000 0100 0000 0000 136",
    },
}


class Command(BaseCommand):
    help = "Make member@smartcoop.demo a full member of the cooperative (idempotent)."

    def handle(self, *args, **options) -> None:
        identity = DEMO_IDENTITY.get(settings.SMARTCOOP_COUNTRY)
        user = User.objects.filter(email="member@smartcoop.demo").first()
        if identity is None or user is None:
            self.stdout.write("No demo member for this country.")
            return
        # Members, shares and sessions belong to no entity: no scope is needed (or opened).
        self._seed(user, identity)

    def _seed(self, user: User, identity: dict) -> None:
        member = selectors.member_of_user(user=user) or services.member_start_onboarding(user=user)
        if member.member_number:
            self.stdout.write("Demo member already joined.")
            return
        if member.onboarding_step != Member.OnboardingStep.DONE:
            services.member_save_identity(
                member=member,
                actor=user,
                kind=Member.Kind.PERSON,
                first_name=user.first_name,
                last_name=user.last_name,
                birth_date=date(1990, 2, 1),
                national_number=identity["national_number"],
                nationality=identity["country"],
                street="Rue de la Victoire 12",
                postcode=identity["postcode"],
                city=identity["city"],
                country=identity["country"],
            )
            services.member_save_bank(member=member, actor=user, iban=identity["iban"])
            services.member_save_profile(
                member=member,
                actor=user,
                language=settings.LANGUAGE_CODE,
                profession="Sound designer",
                sector=Sector.IMAGE_SOUND_STAGE,
                heard_from=Member.HeardFrom.FRIEND,
            )
            services.member_give_consent(member=member, actor=user, accepted=True)
        accountant = User.objects.filter(email="accountant@smartcoop.demo").first()
        subscription = services.share_subscribe(member=member, actor=user, shares=1)
        services.share_payment_confirm(subscription=subscription, actor=accountant)
        office = Office.objects.order_by("name").first()
        adviser = User.objects.filter(email="adviser@smartcoop.demo").first()
        start = timezone.now().replace(hour=18, minute=0, second=0, microsecond=0)
        for days, online in ((3, True), (10, False), (17, True)):
            if not InfoSession.objects.filter(starts_at=start + timedelta(days=days)).exists():
                services.info_session_create(
                    actor=adviser,
                    starts_at=start + timedelta(days=days),
                    mode=InfoSession.Mode.ONLINE if online else InfoSession.Mode.OFFICE,
                    office=None if online else office,
                    language=settings.LANGUAGE_CODE,
                    capacity=30,
                    online_url="https://meet.example.org/smartcoop" if online else "",
                )
        member.refresh_from_db()
        self.stdout.write(f"Demo member joined, with member number {member.member_number}.")
