"""Demo Activities for the demo member (run after `seed_demo`): fourteen months of budget history,
contracts in several states, a posting abroad, an expense claim, a loan and a draft Activity for
the adviser to validate. Idempotent: does nothing when the demo Activity exists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from activities import calculations, services
from activities.models import Activity, EmploymentContract
from smartcoop.core.models import LegalEntity, User
from smartcoop.core.sectors import Sector
from smartcoop.countries import current_pack

DEMO_NAME = "Studio Lotte — sound design"


class Command(BaseCommand):
    help = "Create demo Activities for member@smartcoop.demo (idempotent)."

    def handle(self, *args, **options) -> None:
        from members.models import Member

        if not any(not t.monthly_salary for t in current_pack().contract_types):
            # A partial pack (DE, ES, …) has no contract types yet: nothing to show.
            self.stdout.write("No contract types in this country pack yet: no demo Activities.")
            return

        employers = LegalEntity.objects.filter(is_employer=True, is_active=True)
        entity = employers.filter(slug="verenigde-producties").first() or employers.first()
        if entity is None:
            raise CommandError("No active employer entity: run seed_demo first.")
        # The demo Activities belong to that one entity: everything runs in its scope.
        with scope(entity=entity.pk), transaction.atomic():
            if Activity.objects.filter(name=DEMO_NAME).exists():
                self.stdout.write("Demo Activities already there.")
                return
            user = User.objects.get(email="member@smartcoop.demo")
            adviser = User.objects.filter(email="adviser@smartcoop.demo").first()
            member = Member.objects.filter(user=user).first() or Member.objects.create(
                user=user,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
            )
            member.status = Member.Status.ACTIVE
            member.office = adviser.office if adviser else None
            member.adviser = adviser
            member.save()
            activity = services.activity_create(
                entity=entity,
                coordinator=member,
                name=DEMO_NAME,
                sector=Sector.IMAGE_SOUND_STAGE,
                description="Sound design and live mixing for theatre and dance.",
                actor=user,
            )
            services.activity_validate(activity=activity, actor=adviser)
            today = timezone.localdate()
            pack = current_pack()
            # The deployment's own contract types: BE employee/artistic, FR CDDU.
            per_day = [t for t in pack.contract_types if not t.monthly_salary]
            ordinary, second = per_day[0], per_day[1] if len(per_day) > 1 else per_day[0]
            for back in range(13, -1, -1):
                index = today.year * 12 + today.month - 1 - back
                month = dt.date(index // 12, index % 12 + 1, 5)
                amount = Decimal(1400 + (back * 337) % 1900)
                services.activity_credit_client_payment(
                    activity=activity,
                    amount_excl_vat=amount,
                    on=month,
                    source_type="demo.payment",
                    source_id=f"demo-{back}",
                    actor=None,
                )
                if back == 0:
                    continue
                coefficient = ordinary.coefficient(month)
                gross = calculations.max_gross_for_budget(
                    budget=amount * Decimal("0.8"), coefficient=coefficient
                )
                start = month + dt.timedelta(days=10)
                contract = EmploymentContract.objects.create(
                    entity=entity,
                    member=member,
                    activity=activity,
                    contract_type=ordinary.code,
                    tool="activity",
                    status="declared",
                    start_date=start,
                    end_date=start,
                    hours=Decimal("8"),
                    days=1,
                    workplace_country=pack.code,
                    function="Sound designer",
                    sector=activity.sector,
                    gross_wage=gross,
                    coefficient=coefficient,
                    employer_cost=calculations.employer_cost(gross=gross, coefficient=coefficient),
                    wage_due_on=start + dt.timedelta(days=9),
                )
                services.contract_mark_paid(
                    contract=contract, paid_on=start + dt.timedelta(days=9), actor=None
                )
            services.contract_request_salary(
                activity=activity,
                member=member,
                contract_type=ordinary.code,
                start_date=today + dt.timedelta(days=12),
                end_date=today + dt.timedelta(days=13),
                hours=Decimal("16"),
                gross_wage=Decimal("600"),
                function="Sound designer",
                actor=user,
            )
            services.contract_request_salary(
                activity=activity,
                member=member,
                contract_type=second.code,
                start_date=today + dt.timedelta(days=30),
                end_date=today + dt.timedelta(days=31),
                hours=Decimal("12"),
                gross_wage=Decimal("450"),
                function="Live mixing",
                workplace_country="FR",
                workplace_address="Le Phénix, Valenciennes",
                actor=user,
            )
            claim = services.expense_claim_create(
                activity=activity, member=member, title="Tour Lille", actor=user
            )
            services.expense_line_add(
                claim=claim,
                spent_on=today,
                category="km",
                description="Brussel - Lille",
                km=Decimal("230"),
                actor=user,
            )
            services.expense_claim_submit(claim=claim, actor=user)
            loan = services.loan_apply(
                activity=activity,
                member=member,
                purpose="A new mixing desk",
                amount=Decimal("2400"),
                months=12,
                actor=user,
            )
            services.loan_decide(loan=loan, approve=True, reason="", actor=adviser)
            services.loan_disburse(loan=loan, actor=adviser, on=today - dt.timedelta(days=70))
            services.activity_create(
                entity=entity,
                coordinator=member,
                name="Workshops for schools",
                sector=Sector.TRAINING,
                description="Sound workshops for pupils.",
                actor=user,
            )
        self.stdout.write(self.style.SUCCESS("Demo Activities created."))
