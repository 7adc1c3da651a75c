"""Each Activity's balance kept beside its ledger (issue 14: the validation queues summed every
entry of every Activity of an office on each request).

`activities_activitybalance` is written only by a statement-level trigger on the append-only
ledger: the entries a statement inserts (one by one, bulk_create or COPY) are summed by Activity
and added to its row, in the inserting transaction, in Activity order (so two transactions lock
rows in the same order). Existing entries are summed once here.
"""

from django.db import migrations, models
import django.db.models.deletion

BALANCE_TRIGGER = """
CREATE OR REPLACE FUNCTION activities_ledger_balance_add() RETURNS trigger AS $$
BEGIN
    INSERT INTO activities_activitybalance (activity_id, balance)
    SELECT activity_id, SUM(amount) FROM new_entries GROUP BY activity_id ORDER BY activity_id
    ON CONFLICT (activity_id)
    DO UPDATE SET balance = activities_activitybalance.balance + EXCLUDED.balance;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activities_ledger_balance_add
    AFTER INSERT ON activities_ledgerentry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION activities_ledger_balance_add();
INSERT INTO activities_activitybalance (activity_id, balance)
SELECT activity_id, SUM(amount) FROM activities_ledgerentry GROUP BY activity_id;
"""
BALANCE_TRIGGER_REVERSE = """
DROP TRIGGER IF EXISTS activities_ledger_balance_add ON activities_ledgerentry;
DROP FUNCTION IF EXISTS activities_ledger_balance_add();
"""


class Migration(migrations.Migration):
    dependencies = [("activities", "0007_budget_covering_indexes")]

    operations = [
        migrations.CreateModel(
            name="ActivityBalance",
            fields=[
                (
                    "activity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="ledger_balance",
                        serialize=False,
                        to="activities.activity",
                    ),
                ),
                ("balance", models.DecimalField(decimal_places=2, max_digits=14)),
            ],
        ),
        migrations.RunSQL(BALANCE_TRIGGER, BALANCE_TRIGGER_REVERSE),
    ]
