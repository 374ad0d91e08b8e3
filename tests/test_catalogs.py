"""The .po catalogs are the source of the translations (translators edit them; `make messages`
merges new msgids from the code and compiles). This fails when the zh-hans catalog has a msgid
without a translation or marked fuzzy, when a committed .mo no longer matches its .po (run
`make messages`, or `manage.py compilemessages`), or when a translation's python-format
placeholders differ from its msgid's."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ["zh_Hans", "en"]
# %(name)s, %(n)d, ... and bare %s / %d; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifeEgGrxXoc]")


def _po(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _mo(language):
    return polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))


def _placeholders(text):
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def _translations(entry):
    """The translated text(s) of an entry: one string, or one per plural form."""
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def test_zh_hans_catalog_is_complete():
    po = _po("zh_Hans")
    assert po.metadata.get("Plural-Forms") == "nplurals=1; plural=0;"
    untranslated = [e.msgid for e in po if not e.obsolete and not all(_translations(e))]
    assert untranslated == [], "msgids without a zh-hans translation"
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags]
    assert fuzzy == [], "fuzzy zh-hans translations (check them, then remove the fuzzy flag)"
    assert [e.msgid for e in po.obsolete_entries()] == [], "obsolete entries: run make messages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_po(language):
    # What gettext compiles: translated, non-fuzzy entries (fuzzy and empty ones are left out).
    expected = {
        _key(e): _translations(e) for e in _po(language) if e.translated() and not e.obsolete
    }
    compiled = {_key(e): _translations(e) for e in _mo(language)}
    stale = sorted(
        str(k[1]) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)
    )
    assert stale == [], f"locale/{language}/LC_MESSAGES/django.mo is out of date with its .po"
    assert _mo(language).metadata.get("Plural-Forms") == _po(language).metadata.get("Plural-Forms")


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_msgid(language):
    wrong = []
    for entry in _po(language):
        if entry.obsolete:
            continue
        expected = _placeholders(entry.msgid)
        if entry.msgid_plural:
            # One form may stand for all numbers (zh-hans has a single form): it carries the
            # placeholders of either English form.
            expected = expected | _placeholders(entry.msgid_plural)
        for text in _translations(entry):
            if text and _placeholders(text) != expected:
                wrong.append((entry.msgid, text))
    assert wrong == [], "translations whose %(name)s placeholders differ from the msgid's"


def test_placeholder_check_notices_a_renamed_or_dropped_placeholder():
    assert _placeholders("%(name)s has %(n)s days, 100%%") == Counter(["%(name)s", "%(n)s"])
    assert _placeholders("%(nom)s a %(n)s jours") != _placeholders("%(name)s has %(n)s days")
    assert _placeholders("剩余天数") != _placeholders("%(n)s days left")
