"""Demo invoicing data for `make run`: the demo member's Activity, three clients, an issued
invoice, a paid one, an overdue one with its first reminder, a draft. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scope

from activities.models import Activity, ActivityMembership
from invoicing import services
from invoicing.models import Invoice
from invoicing.tasks import invoice_render_documents
from members.models import Member
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.sectors import Sector

LINES = [
    {
        "description": "Sound engineering, concert",
        "quantity": Decimal("8"),
        "unit": "HUR",
        "unit_price": Decimal("65"),
        "vat_rate_code": "standard",
    },
    {
        "description": "Light design and rehearsal",
        "quantity": Decimal("1.5"),
        "unit": "DAY",
        "unit_price": Decimal("420"),
        "vat_rate_code": "standard",
    },
]


class Command(BaseCommand):
    help = "Create demo clients and invoices for the demo member (idempotent)."

    def handle(self, *args, **options):
        user = User.objects.filter(email="member@smartcoop.demo").first()
        # The main employing entity (the oldest), where the demo Activities are too.
        entity = (
            LegalEntity.objects.filter(is_employer=True, is_cooperative=False)
            .order_by("pk")
            .first()
        )
        if user is None:
            self.stdout.write("Run seed_demo first.")
            return
        if entity is None:
            self.stdout.write("No separate employing entity in this deployment: no invoicing demo.")
            return
        # Everything the demo creates belongs to that one entity: it runs in its scope.
        with scope(entity=entity.pk):
            self._seed(user, entity)

    def _seed(self, user: User, entity: LegalEntity) -> None:
        if not entity.email:
            entity.email = "invoices@smartcoop.demo"
            entity.save(update_fields=["email"])
        member = Member.objects.filter(user=user).first() or Member.objects.create(
            user=user,
            status=Member.Status.ACTIVE,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
        )
        activity = Activity.objects.filter(entity=entity, coordinator=member).first()
        if activity is None:
            activity = Activity.objects.create(
                entity=entity,
                coordinator=member,
                name="Lumen — sound and light",
                sector=Sector.MUSIC,
                status=Activity.Status.ACTIVE,
            )
            ActivityMembership.objects.create(activity=activity, member=member, can_invoice=True)
        if Invoice.objects.filter(activity=activity).exists():
            self.stdout.write("Invoicing demo data already there.")
            unpaid = (
                Invoice.objects.filter(
                    activity=activity, kind="invoice", status__in=["issued", "partly_paid"]
                )
                .order_by("-pk")
                .first()
            )
            if unpaid is not None:
                self._print_link(unpaid)
            return
        client_create = partial(
            services.client_create, entity=entity, actor=user, activity=activity
        )
        theater = client_create(
            kind="company",
            name="Theater Antwerpen nv",
            street="Kunstlaan 1",
            postcode="2000",
            city="Antwerpen",
            country="BE",
            vat_number="BE0403170701",
            email="ap@theater.example",
            language="en",
        )
        festival = client_create(
            kind="company",
            name="Festival de Lille SAS",
            street="1 rue de la Gare",
            postcode="59000",
            city="Lille",
            country="FR",
            vat_number="FR40303265045",
            email="compta@festival.example",
            language="fr",
        )
        person = client_create(
            kind="person",
            name="Jan Peeters",
            street="Veldstraat 10",
            postcode="9000",
            city="Gent",
            country="BE",
            email="jan@example.org",
            language="nl",
        )
        today = timezone.localdate()
        made = []
        for client, days_ago in ((theater, 50), (festival, 20), (theater, 2)):
            draft = services.invoice_draft_save(
                actor=user,
                activity=activity,
                client=client,
                lines=LINES,
                buyer_reference="PO-2026-114" if client == theater else "",
            )
            made.append(
                services.invoice_issue(
                    invoice=draft, issued_by=user, on=today - timedelta(days=days_ago)
                )
            )
        services.payment_record(
            invoice=made[1], amount=made[1].total_incl_vat, on=today, source="manual", actor=None
        )
        services.invoice_draft_save(actor=user, activity=activity, client=person, lines=LINES[:1])
        for invoice in made:
            invoice_render_documents(invoice.pk, entity_id=entity.pk)
        services.reminders_run(on=today)
        self._print_link(made[2])

    def _print_link(self, invoice: Invoice) -> None:
        # `make run` (scripts/run.py) reads this line and prints it in its banner, after the URL.
        self.stdout.write(
            f"Payment page of {invoice.reference}: {services.payment_link_url(invoice=invoice)}"
        )
