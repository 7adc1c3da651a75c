from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payroll", "0010_correction_settlement"),
    ]

    operations = [
        migrations.AddField(
            model_name="payrun",
            name="failed_step",
            field=models.CharField(blank=True, default="", max_length=12),
        ),
    ]
