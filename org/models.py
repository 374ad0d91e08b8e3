"""Departments, employees and their level history (ORG-1..3)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .levels import Level, Role


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    lead = models.ForeignKey(
        "Employee",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Employee(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee"
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="members"
    )
    level = models.CharField(  # noqa: DJ001  (null = staff off the ladder)
        _("level"), max_length=32, choices=Level.choices, null=True, blank=True
    )
    base_salary = models.DecimalField(
        _("base salary"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    hired_on = models.DateField(_("hired on"))
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["department__code", "user__username"]
        # One permission per role (ORG-2); role groups carry them.
        permissions = [(role.value, role.label) for role in Role]

    def __str__(self):
        return self.name


class LevelHistory(models.Model):
    """Every level change of an employee, with the date it took effect (ORG-3, PROMO-3.5)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="level_history")
    from_level = models.CharField(max_length=32, choices=Level.choices, null=True, blank=True)  # noqa: DJ001  (null = first level on hire)
    to_level = models.CharField(max_length=32, choices=Level.choices)
    base_salary = models.DecimalField(max_digits=10, decimal_places=2)
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level history")
        ordering = ["employee", "effective_on", "pk"]

    def __str__(self):
        return f"{self.employee} → {self.to_level} ({self.effective_on})"
