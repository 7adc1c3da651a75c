"""Demo payroll (run by `seed_demo` after the demo Activities): the demo member's work of earlier
this month paid through an approved pay run (a payslip with its PDF in their account), and the
next contract validated, so its Dimona waits in the declarations queue and the run of its pay
date waits for review with the anomaly 'not declared yet'. Idempotent: does nothing once the
entity has a pay run. All through the real services, as the payroll officer would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scope

from activities import calculations
from activities import services as activity_services
from activities.models import Activity, EmploymentContract
from payroll.models import PayRun
from payroll.runs import services as runs
from smartcoop.core.models import User
from smartcoop.countries import current_pack

DEMO_ACTIVITY = "Studio Lotte — sound design"
DEMO_JOINT_COMMITTEE = "200"


def _compute(run: PayRun) -> PayRun:
    """What the workers do after `payrun_create`, done here so the demo is ready at once (the
    queued task then finds the run computed and does nothing)."""
    for chunk in runs.payrun_compute_chunks(run=run):
        for item_id in chunk:
            runs.payrun_item_compute(item_id=item_id)
    return runs.payrun_compute_finish(run_id=run.pk)


class Command(BaseCommand):
    help = "A paid pay run and one to review for the demo member (idempotent)."

    def handle(self, *args, **options) -> None:
        activity = (
            Activity.objects.with_scopes_disabled()
            .filter(name=DEMO_ACTIVITY)
            .select_related("entity")
            .first()
        )
        if activity is None:
            self.stdout.write("No demo Activity: no demo pay run.")
            return
        entity = activity.entity
        officer = User.objects.filter(email="payroll@smartcoop.demo").first()
        with scope(entity=entity.pk):
            if PayRun.objects.filter(entity=entity).exists():
                return
            member = activity.coordinator
            today = timezone.localdate()
            pack = current_pack()
            kind = next(t for t in pack.contract_types if not t.monthly_salary)
            start = today - dt.timedelta(days=6)
            mine = EmploymentContract.objects.filter(member=member)
            while mine.filter(start_date__lte=start, end_date__gte=start).exists():
                start -= dt.timedelta(days=1)
            gross = Decimal("720.00")
            coefficient = kind.coefficient(start)
            # The joint committee staff record on the contract (Belgium prints it on the
            # payslip): the cooperative's PC 200, the committee the pack's payroll parameters
            # are written for (full-time hours, Loonmotor PC 200 tables).
            printed = pack.payslip is not None and pack.payslip.joint_committees
            committee = DEMO_JOINT_COMMITTEE if printed else ""
            # Worked earlier this month, declared at the time (as the Activities' seed does for
            # the months before): its wage falls due today.
            EmploymentContract.objects.create(
                entity=entity,
                member=member,
                activity=activity,
                contract_type=kind.code,
                tool="activity",
                status="declared",
                start_date=start,
                end_date=start,
                hours=Decimal("8"),
                days=1,
                workplace_country=pack.code,
                function="Sound designer",
                joint_committee=committee,
                sector=activity.sector,
                gross_wage=gross,
                coefficient=coefficient,
                employer_cost=calculations.employer_cost(gross=gross, coefficient=coefficient),
                wage_due_on=today,
            )
            paid = _compute(runs.payrun_create(entity=entity, pay_date=today, actor=officer))
            if paid.state == PayRun.State.REVIEW:
                # The worker then renders the PDFs, builds the SEPA file and posts the ledger.
                runs.payrun_approve(run=paid, actor=officer)
            upcoming = mine.filter(status="draft", start_date__gt=today).order_by("start_date")
            following = upcoming.first()
            if following is not None and following.wage_due_on:
                # Validated: the declarations queue gets its Dimona; not declared yet, so the
                # run of its pay date shows the anomaly until the authority accepts it.
                activity_services.contract_validate(contract=following, actor=officer)
                _compute(
                    runs.payrun_create(entity=entity, pay_date=following.wage_due_on, actor=officer)
                )
        self.stdout.write(
            "Payroll demo: a paid pay run, one to review and a hiring declaration to file."
        )
