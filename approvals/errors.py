"""The one error hierarchy of the domain.

Every refusal carries a machine-readable `code`, the `rule` it enforces (a POLICY.md ID, or None)
and a human message that names the figure or deadline involved. The message is a lazy gettext
string formatted with `params` only when rendered, so the API and the pages show it in the
language of the request. The API maps the classes to HTTP statuses (`status`).
"""

from typing import Any


class DomainError(Exception):
    status = 400
    default_code = "invalid"

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        rule: str | None = None,
        params: dict[str, Any] | None = None,
        field: str | None = None,
    ):
        self.message = message
        self.code = code or self.default_code
        self.rule = rule
        self.params = params or {}
        self.field = field
        super().__init__(self.code)

    @property
    def detail(self) -> str:
        """The message in the active language, with its figures filled in."""
        text = str(self.message)
        if self.params:
            text = text % {k: str(v) for k, v in self.params.items()}
        if self.rule:
            text = f"{text} ({self.rule})"
        return text

    def __str__(self) -> str:
        return self.detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, "rule": self.rule}


class InvalidInput(DomainError):
    """400: the request itself is malformed (missing reason, bad date, unknown level)."""

    default_code = "invalid"


class PolicyViolation(DomainError):
    """400: the input is well-formed but a policy rule refuses it (not_eligible, cool_down...)."""

    default_code = "policy_violation"


class NotAllowed(DomainError):
    """403: the actor may not do this (wrong role, own_request)."""

    status = 403
    default_code = "not_allowed"


class NotFound(DomainError):
    """404: does not exist, or the actor may not see it."""

    status = 404
    default_code = "not_found"


class StateConflict(DomainError):
    """409: the case is no longer in a state that allows the action (someone acted first)."""

    status = 409
    default_code = "state_conflict"
