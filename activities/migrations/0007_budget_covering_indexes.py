"""Covering indexes for the Activities' budgets summed over an office (the validation queues,
issue 14): the ledger's amounts and the planned contracts' costs read from the index alone."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("activities", "0006_contract_cadre")]

    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                fields=["activity"], include=["entity", "amount"], name="ledger_activity_amount"
            ),
        ),
        migrations.AddIndex(
            model_name="employmentcontract",
            index=models.Index(
                condition=Q(status__in=["draft", "validated", "declared", "performed"]),
                fields=["activity"],
                include=["entity", "employer_cost"],
                name="contract_planned_cost",
            ),
        ),
    ]
