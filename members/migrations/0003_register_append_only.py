"""The register of members is append-only: the database itself refuses to change or remove an
entry, so no code path (admin, shell, a buggy service) can rewrite history."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION members_registerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the register of members is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS members_registerentry_append_only ON members_registerentry;
CREATE TRIGGER members_registerentry_append_only
    BEFORE UPDATE OR DELETE ON members_registerentry
    FOR EACH ROW EXECUTE FUNCTION members_registerentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS members_registerentry_append_only ON members_registerentry;
DROP FUNCTION IF EXISTS members_registerentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("members", "0002_member_profile_shares_register")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
