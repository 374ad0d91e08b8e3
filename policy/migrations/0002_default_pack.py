"""Installs the default pack (POLICY.md) so a fresh database has a policy in force."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

PACK = Path(__file__).resolve().parent.parent / "packs" / "default.json"


def install(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    data = json.loads(PACK.read_text(encoding="utf-8"))
    PolicyVersion.objects.get_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "effective_from": dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            "data": data,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
