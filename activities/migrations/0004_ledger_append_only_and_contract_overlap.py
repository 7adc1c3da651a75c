"""Two invariants the ORM cannot express here:

- the budget ledger is append-only: a trigger refuses UPDATE and DELETE on its rows (corrections
  are reversing entries);
- no two live (non-cancelled) contracts of one person on overlapping days: an exclusion
  constraint. Ranges have their own GiST operator class, so member equality is written as an
  overlap of one-point int8 ranges and the btree_gist extension is not needed.
"""

from django.db import migrations

LEDGER_TRIGGER = """
CREATE OR REPLACE FUNCTION activities_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'activities_ledgerentry is append-only: % refused (reverse the entry instead)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER activities_ledger_append_only
    BEFORE UPDATE OR DELETE ON activities_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION activities_ledger_append_only();
"""
LEDGER_TRIGGER_REVERSE = """
DROP TRIGGER IF EXISTS activities_ledger_append_only ON activities_ledgerentry;
DROP FUNCTION IF EXISTS activities_ledger_append_only();
"""

OVERLAP = """
ALTER TABLE activities_employmentcontract ADD CONSTRAINT contract_no_overlap_per_member
    EXCLUDE USING gist (
        int8range(member_id, member_id + 1) WITH &&,
        daterange(start_date, end_date, '[]') WITH &&
    ) WHERE (status <> 'cancelled');
"""
OVERLAP_REVERSE = """
ALTER TABLE activities_employmentcontract DROP CONSTRAINT IF EXISTS contract_no_overlap_per_member;
"""


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_ledger_contracts_expenses_loans_solidarity")]

    operations = [
        migrations.RunSQL(LEDGER_TRIGGER, LEDGER_TRIGGER_REVERSE),
        migrations.RunSQL(OVERLAP, OVERLAP_REVERSE),
    ]
