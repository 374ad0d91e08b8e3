from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_rechain_per_case")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("case_type", "case_id", "seq"), name="audit_event_case_seq_unique"
            ),
        ),
    ]
