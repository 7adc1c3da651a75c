"""Index for the key figures' year filter on issued documents (issue 14, docs/scaling.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0014_client_message_submission")]

    operations = [
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["issue_date"], name="invoice_issue_date"),
        ),
    ]
