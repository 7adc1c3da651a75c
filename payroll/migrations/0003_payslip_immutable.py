"""An approved payslip is immutable: a trigger refuses UPDATE and DELETE of an approved payslip
and any change to the contracts an approved payslip pays (a correction is a new payslip)."""

from django.db import migrations

TRIGGERS = """
CREATE OR REPLACE FUNCTION payroll_payslip_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'payroll_payslip %: an approved payslip is immutable (% refused)', OLD.id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payroll_payslip_immutable
    BEFORE UPDATE OR DELETE ON payroll_payslip
    FOR EACH ROW EXECUTE FUNCTION payroll_payslip_immutable();

CREATE OR REPLACE FUNCTION payroll_payslipcontract_immutable() RETURNS trigger AS $$
DECLARE
    payslip_id bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN payslip_id := NEW.payslip_id; ELSE payslip_id := OLD.payslip_id; END IF;
    IF EXISTS (SELECT 1 FROM payroll_payslip WHERE id = payslip_id AND status = 'approved') THEN
        RAISE EXCEPTION 'payroll_payslip %: the contracts of an approved payslip are fixed (% refused)', payslip_id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payroll_payslipcontract_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON payroll_payslipcontract
    FOR EACH ROW EXECUTE FUNCTION payroll_payslipcontract_immutable();
"""
REVERSE = """
DROP TRIGGER IF EXISTS payroll_payslipcontract_immutable ON payroll_payslipcontract;
DROP FUNCTION IF EXISTS payroll_payslipcontract_immutable();
DROP TRIGGER IF EXISTS payroll_payslip_immutable ON payroll_payslip;
DROP FUNCTION IF EXISTS payroll_payslip_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("payroll", "0002_payslip")]

    operations = [migrations.RunSQL(TRIGGERS, REVERSE)]
