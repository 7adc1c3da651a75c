"""Demo governance data (idempotent): the cooperative's statutes, an assembly whose online vote
is open now and one already closed with its results, all through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from governance import selectors, services
from governance.models import Assembly
from members import selectors as member_selectors
from smartcoop.core.models import User


class Command(BaseCommand):
    help = "Statutes and two general assemblies of the cooperative (idempotent)."

    def handle(self, *args, **options) -> None:
        coop = member_selectors.cooperative_entity()
        if Assembly.objects.filter(entity=coop).exists():
            return
        admin = User.objects.filter(email="admin@smartcoop.demo").first()
        if selectors.statutes_in_force(entity=coop, on=date(2020, 1, 1)) is None:
            services.statutes_create(
                actor=admin, entity=coop, valid_from=date(2020, 1, 1), notice_days=15, proxy_max=2
            )
        now = timezone.now()
        today = timezone.localdate()
        for title, closed in (
            ("Ordinary general assembly (demo, closed)", True),
            ("Ordinary general assembly (demo)", False),
        ):
            starts = now + timedelta(days=20)
            assembly = services.assembly_create(
                actor=admin,
                entity=coop,
                kind=Assembly.Kind.ORDINARY,
                title=title,
                starts_at=starts,
                record_date=today,
                vote_opens_at=now - timedelta(hours=1),
                vote_closes_at=starts + timedelta(hours=3),
                place="Koolmijnenkaai 30, 1080 Brussel",
                online_url="https://stream.example.org/general-assembly",
            )
            for item, majority in (
                ("Approval of the annual accounts", "simple"),
                ("Discharge of the directors", "simple"),
                ("Amendment of the statutes: a new share category", "two_thirds"),
            ):
                services.resolution_add(
                    actor=admin, assembly=assembly, title=item, majority=majority
                )
            services.assembly_convene(actor=admin, assembly=assembly, today=today)
            if closed:
                for voter in assembly.voters.select_related("member"):
                    for resolution in assembly.resolutions.all():
                        services.vote_cast(
                            actor=None, resolution=resolution, voter=voter, choice="for"
                        )
                # Held today (convened with its notice, then moved to this morning for the
                # demo): a closed vote with published results on a meeting still weeks ahead
                # read as a mistake.
                Assembly.objects.filter(pk=assembly.pk).update(
                    starts_at=now - timedelta(minutes=30)
                )
                assembly.refresh_from_db()
                services.assembly_close(actor=admin, assembly=assembly)
        self.stdout.write("Governance demo: statutes and two assemblies.")
