"""One chain per case, keyed: the case's sequence number and the signing key's id (nullable
until 0003 has re-chained the existing events)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(max_length=8, default=""),
            preserve_default=False,
        ),
    ]
