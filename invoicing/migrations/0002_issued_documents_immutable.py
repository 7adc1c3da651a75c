"""Issued invoices and credit notes are immutable in the database too (not only in services).

A BEFORE UPDATE trigger refuses any change to the printed facts of a numbered document; a
BEFORE DELETE trigger refuses deleting one; lines of a numbered document can be neither added,
changed nor deleted. What may still change: status, amounts paid/credited, dispute and
collection flags, the rendered files and their checksums, the link key, updated_at.
"""

from django.db import migrations

FROZEN = [
    "entity_id", "kind", "activity_id", "client_id", "credited_invoice_id", "series", "year",
    "number", "reference", "issue_date", "delivery_date", "payment_days", "due_date", "currency",
    "buyer_reference", "note", "discount_rate", "vat_regime", "vat_explanation",
    "vat_override_reason", "total_excl_vat", "total_vat", "total_incl_vat",
    "structured_communication", "snapshot", "issued_at", "public_id",
]
OLD = ", ".join(f"OLD.{c}" for c in FROZEN)
NEW = ", ".join(f"NEW.{c}" for c in FROZEN)

SQL = f"""
CREATE OR REPLACE FUNCTION invoicing_invoice_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.number IS NOT NULL THEN
      RAISE EXCEPTION 'issued invoice % cannot be deleted', OLD.reference
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.number IS NOT NULL AND ROW({OLD}) IS DISTINCT FROM ROW({NEW}) THEN
    RAISE EXCEPTION 'issued invoice % cannot be changed', OLD.reference
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoice_immutable
  BEFORE UPDATE OR DELETE ON invoicing_invoice
  FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_immutable();

CREATE OR REPLACE FUNCTION invoicing_line_immutable() RETURNS trigger AS $$
DECLARE
  parent_id bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN parent_id := OLD.invoice_id; ELSE parent_id := NEW.invoice_id; END IF;
  IF EXISTS (SELECT 1 FROM invoicing_invoice WHERE id = parent_id AND number IS NOT NULL) THEN
    RAISE EXCEPTION 'lines of an issued invoice cannot be changed'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_line_immutable
  BEFORE INSERT OR UPDATE OR DELETE ON invoicing_invoiceline
  FOR EACH ROW EXECUTE FUNCTION invoicing_line_immutable();
"""

REVERSE = """
DROP TRIGGER IF EXISTS invoicing_line_immutable ON invoicing_invoiceline;
DROP FUNCTION IF EXISTS invoicing_line_immutable();
DROP TRIGGER IF EXISTS invoicing_invoice_immutable ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_invoice_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
