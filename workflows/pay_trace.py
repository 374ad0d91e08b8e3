"""The pay sheet's trace in words (PAY-1: each figure traceable to its events and rules).

`performance.pay` records each step as a machine key (`what`), its figures (`data`) and a
reference to the row it came from (`ref`, "assessment:12"); the JSON API answers them as they
are. The page says each step as a sentence in the reader's language and names the reference by
what it is.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.levels import Level

_STEPS = {
    "base": gettext_lazy("base salary of %(level)s: %(amount)s"),
    "score": gettext_lazy("closed score %(amount)s"),
    "not_yet": gettext_lazy(
        "month %(service_month)s of service: pay floats from month %(from_month)s"
    ),
    "float": gettext_lazy("(score − %(around)s) × %(per_point)s = %(amount)s"),
    "clamp": gettext_lazy("held within ±%(clamp)s: %(amount)s"),
    "tier": gettext_lazy("score %(score)s is tier %(tier)s"),
    "performance_pay": gettext_lazy("%(base)s × %(rate)s × score ÷ 100 = %(amount)s"),
    "no_band": gettext_lazy("sales %(sales)s are below the lowest band, %(lowest)s: no commission"),
    "commission": gettext_lazy(
        "sales %(sales)s reach the band from %(band)s: × %(rate)s = %(amount)s"
    ),
    "fine": gettext_lazy("fine of %(event)s: %(amount)s"),
    "reward": gettext_lazy("reward: %(amount)s"),
}

_REFS = {
    "assessment": gettext_lazy("monthly assessment #%(id)s"),
    "sales": gettext_lazy("sales figure #%(id)s"),
    "score_event": gettext_lazy("ledger event #%(id)s"),
    "level_history": gettext_lazy("level change #%(id)s"),
    "award": gettext_lazy("award #%(id)s"),
}


def _level(code) -> str:
    try:
        return str(Level(code).label)
    except ValueError:
        return str(code or "—")


def _event(policy, code) -> str:
    if code and policy is not None:
        try:
            return policy.score_event(code).label()
        except LookupError:
            pass
    return _("an event")


def ref_text(ref: str | None) -> str:
    if not ref:
        return ""
    kind, _sep, pk = ref.partition(":")
    template = _REFS.get(kind)
    return (
        str(template) % {"id": pk} if template is not None else _("record %(ref)s") % {"ref": ref}
    )


def step_text(step, policy=None) -> str:
    """One step of a pay line as a sentence, e.g. "(score − 80) × 10 = 20"."""
    values = dict(step.data or {})
    values["amount"] = step.amount
    if "level" in values or step.what == "base":
        values["level"] = _level(values.get("level"))
    if step.what == "fine":
        values["event"] = _event(policy, values.get("code"))
    template = _STEPS.get(step.what)
    if template is None:
        return f"{step.what} {step.amount if step.amount is not None else ''}".strip()
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return f"{step.what} {step.amount if step.amount is not None else ''}".strip()


def trace_lines(figure, policy=None) -> list[dict]:
    """The steps of a pay line for the page: rule, sentence and reference."""
    return [
        {"rule": step.rule, "text": step_text(step, policy), "ref": ref_text(step.ref)}
        for step in figure.trace
    ]
