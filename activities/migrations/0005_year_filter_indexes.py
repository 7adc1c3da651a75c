"""Indexes for the key figures' year filters (issue 14): contracts paid in a year, and one ledger
kind over a year (measured in docs/scaling.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_ledger_append_only_and_contract_overlap")]

    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(fields=["kind", "booked_on"], name="ledger_kind_date"),
        ),
        migrations.AddIndex(
            model_name="employmentcontract",
            index=models.Index(fields=["paid_on"], name="contract_paid_on"),
        ),
    ]
