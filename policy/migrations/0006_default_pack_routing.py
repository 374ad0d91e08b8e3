"""The default pack names the self-decision fallback (`routing.self_decision_fallback`:
administration decides a request whose only possible decider is its own requester): refresh the
shipped version's data from the file. Other versions are left as they are; the pack reader
defaults to administration."""

import json
from pathlib import Path

from django.db import migrations

PACK = Path(__file__).resolve().parent.parent / "packs" / "default.json"


def refresh(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    data = json.loads(PACK.read_text(encoding="utf-8"))
    for version in PolicyVersion.objects.filter(code=data["code"]):
        # Only the key is added: the rest of the stored pack stays as it was.
        stored = dict(version.data)
        stored["routing"] = {**data["routing"], **(stored.get("routing") or {})}
        PolicyVersion.objects.filter(pk=version.pk).update(data=stored)


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_default_pack_attendance")]
    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
