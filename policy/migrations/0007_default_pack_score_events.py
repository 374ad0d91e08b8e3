"""The default pack gained the event catalogue and the month's rules (SCORE-2, SCORE-3, SCORE-7,
SCORE-9..11: `deduction_bands`, `score_events`, `score_month`, `score_alerts`): add them to the
shipped version from the file. Only the keys it lacks are added, so the rest of the stored pack
(and anything an earlier refresh wrote) stays as it was, and nothing judged before reads them.
Other versions (an administrator's) are left as they are: `policy_lint --code` reports what
they lack."""

import json
from pathlib import Path

from django.db import migrations

PACK = Path(__file__).resolve().parent.parent / "packs" / "default.json"
KEYS = ("deduction_bands", "score_events", "score_month", "score_alerts")


def refresh(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    data = json.loads(PACK.read_text(encoding="utf-8"))
    for version in PolicyVersion.objects.filter(code=data["code"]):
        stored = dict(version.data)
        missing = {key: data[key] for key in KEYS if key not in stored}
        if missing:
            PolicyVersion.objects.filter(pk=version.pk).update(data={**stored, **missing})


class Migration(migrations.Migration):
    dependencies = [("policy", "0006_default_pack_routing")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
