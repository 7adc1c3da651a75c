"""Closed votes are immutable in the database too (not only in services).

Once an assembly is closed, its ballots, "has voted" rows, voters' list, proxies and resolutions
can be neither added, changed nor deleted, and the assembly itself cannot be reopened or have
its dates, statutes or outcome facts changed (only its minutes file and checksum may be set)."""

from django.db import migrations

FROZEN = [
    "entity_id", "statutes_id", "kind", "title", "starts_at", "place", "online_url",
    "record_date", "vote_opens_at", "vote_closes_at", "second_convocation", "status",
    "convened_at", "closed_at", "public_id",
]
OLD = ", ".join(f"OLD.{c}" for c in FROZEN)
NEW = ", ".join(f"NEW.{c}" for c in FROZEN)

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


def via_resolution(col):
    return f"(SELECT assembly_id FROM governance_resolution WHERE id = {col}.resolution_id)"


CHILDREN = [
    ("ballot", "governance_ballot", via_resolution("OLD"), via_resolution("NEW")),
    ("voterecord", "governance_voterecord", via_resolution("OLD"), via_resolution("NEW")),
    ("voter", "governance_voter", "OLD.assembly_id", "NEW.assembly_id"),
    ("proxy", "governance_proxy", "OLD.assembly_id", "NEW.assembly_id"),
    ("resolution", "governance_resolution", "OLD.assembly_id", "NEW.assembly_id"),
]

SQL = "".join(
    CHILD.format(name=name, table=table, old_lookup=old, new_lookup=new)
    for name, table, old, new in CHILDREN
) + f"""
CREATE OR REPLACE FUNCTION governance_assembly_frozen() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'a convened assembly cannot be deleted'
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'closed' AND ROW({OLD}) IS DISTINCT FROM ROW({NEW}) THEN
    RAISE EXCEPTION 'closed assembly % cannot be changed', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER governance_assembly_frozen
  BEFORE UPDATE OR DELETE ON governance_assembly
  FOR EACH ROW EXECUTE FUNCTION governance_assembly_frozen();
"""

REVERSE = "".join(
    f"DROP TRIGGER IF EXISTS governance_{name}_frozen ON {table};"
    f"DROP FUNCTION IF EXISTS governance_{name}_frozen();"
    for name, table, _old, _new in CHILDREN
) + (
    "DROP TRIGGER IF EXISTS governance_assembly_frozen ON governance_assembly;"
    "DROP FUNCTION IF EXISTS governance_assembly_frozen();"
)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
