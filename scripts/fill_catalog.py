"""Fill locale/zh_Hans/LC_MESSAGES/django.po from locale/zh_hans_translations.py and report any
msgid still untranslated (run by `make messages` after makemessages)."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "locale"))
from zh_hans_translations import PLURALS, ZH  # noqa: E402

po = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
missing = []
for entry in po:
    if entry.msgid_plural:
        if entry.msgid in PLURALS:
            entry.msgstr_plural = dict(enumerate(PLURALS[entry.msgid]))
        else:
            missing.append(entry.msgid)
    elif entry.msgid in ZH:
        entry.msgstr = ZH[entry.msgid]
    else:
        missing.append(entry.msgid)
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
po.save()
for msgid in missing:
    print(f"untranslated: {msgid!r}")
sys.exit(1 if missing else 0)
