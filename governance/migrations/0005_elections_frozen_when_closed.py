"""Board elections are frozen with the closed vote, like the rest of the ballot box (0002):
once the assembly is closed, its elections (seats, lot seed) and candidacies can be neither
added, changed nor deleted."""

from django.db import migrations

CHILD = """
CREATE OR REPLACE FUNCTION governance_{name}_frozen() RETURNS trigger AS $$
DECLARE
  row_assembly bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT {old_lookup} INTO row_assembly;
  ELSE
    SELECT {new_lookup} INTO row_assembly;
  END IF;
  IF EXISTS (SELECT 1 FROM governance_assembly WHERE id = row_assembly AND status = 'closed') THEN
    RAISE EXCEPTION 'the vote of assembly % is closed: % refused on {table}', row_assembly, TG_OP
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER governance_{name}_frozen
  BEFORE INSERT OR UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION governance_{name}_frozen();
"""


def via_election(col):
    return (
        "(SELECT r.assembly_id FROM governance_resolution r "
        f"WHERE r.id = {col}.election_id)"
    )


def via_resolution(col):
    return f"(SELECT assembly_id FROM governance_resolution WHERE id = {col}.resolution_id)"


CHILDREN = [
    ("election", "governance_election", via_resolution("OLD"), via_resolution("NEW")),
    ("candidacy", "governance_candidacy", via_election("OLD"), via_election("NEW")),
]

SQL = "".join(
    CHILD.format(name=name, table=table, old_lookup=old, new_lookup=new)
    for name, table, old, new in CHILDREN
)
REVERSE = "".join(
    f"DROP TRIGGER IF EXISTS governance_{name}_frozen ON {table};"
    f"DROP FUNCTION IF EXISTS governance_{name}_frozen();"
    for name, table, _old, _new in CHILDREN
)


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_board_elections")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
