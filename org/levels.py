"""The ladder (ORG-1) and the roles that act in processes (ORG-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """ORG-1, lowest first. The order of declaration is the order of the ladder."""

    PROBATIONER = "probationer", _("Probationer")
    JUNIOR = "junior", _("Junior agent")
    INTERMEDIATE = "intermediate", _("Intermediate agent")
    SENIOR = "senior", _("Senior agent")
    RESERVE_SUPERVISOR = "reserve_supervisor", _("Reserve supervisor")


LADDER: list[str] = [choice.value for choice in Level]


def rank(level: str) -> int:
    """Position on the ladder (0 = probationer); ValueError for an unknown code."""
    return LADDER.index(level)


def next_level(level: str | None) -> str | None:
    """The level one step up, or None at the top (or for staff off the ladder)."""
    if level is None:
        return None
    i = rank(level)
    return LADDER[i + 1] if i + 1 < len(LADDER) else None


class Role(models.TextChoices):
    """ORG-2. Each role is a Django group of the same name holding the permission `org.<role>`,
    so viewflow's `.Permission("org.<role>")` queues and `user.has_perm` agree."""

    DEPARTMENT_LEAD = "department_lead", _("Department lead")
    TRAINER = "trainer", _("Trainer")
    GM_OFFICE = "gm_office", _("GM office")
    ADMINISTRATION = "administration", _("Administration")
    DEFENCE_PANEL = "defence_panel", _("Defence panel member")


ROLE_CODES: list[str] = [choice.value for choice in Role]
