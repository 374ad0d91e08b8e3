"""The default pack gained the penalty points and the observation period (PEN-1, APPEAL-3):
refresh the shipped version's data from the file. Other versions (an administrator's) are left
as they are."""

import json
from pathlib import Path

from django.db import migrations

PACK = Path(__file__).resolve().parent.parent / "packs" / "default.json"


def refresh(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    data = json.loads(PACK.read_text(encoding="utf-8"))
    PolicyVersion.objects.filter(code=data["code"]).update(data=data)


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_calendaroverride")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
