"""Reading the written texts every process asks for (a reason, a statement, the facts of a
slip): one rule for all, so a blank, a number or a list in a JSON body is refused the same way,
with the field named, never stored as its repr and never a 500."""

from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

FIELD_LABELS = {
    "reason": _("reason"),
    "statement": _("statement"),
    "skip_level_reason": _("justification for skip-level promotion"),
    "comment": _("comment"),
    "facts": _("facts"),
    "rule": _("rule broken"),
    "evidence": _("evidence"),
}


def required_text(value, *, field: str, rule: str | None = None) -> str:
    """The stripped text, or InvalidInput `<field>_required` naming the field and the rule."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput(
            _("A written %(field)s is required."),
            code=f"{field}_required",
            rule=rule,
            params={"field": FIELD_LABELS.get(field, field)},
            field=field,
        )
    return text
