"""The default pack's PUNCH-1 keys are now `attendance.punch_window_days` and
`attendance.punch_max_per_month`: refresh the shipped version's data from the file. Other
versions (an administrator's) are left as they are; the pack reader falls back to the old key
names and then to the handbook's figures (3 days, 5 a month)."""

import json
from pathlib import Path

from django.db import migrations

PACK = Path(__file__).resolve().parent.parent / "packs" / "default.json"


def refresh(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    data = json.loads(PACK.read_text(encoding="utf-8"))
    PolicyVersion.objects.filter(code=data["code"]).update(data=data)


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_default_pack_penalties")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
