"""Every API error has the body {"code", "detail", "rule"} (API.md), in the request's language."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from approvals.errors import DomainError
from workflows.engine import is_database_locked


def _body(code: str, detail, rule=None, **extra) -> dict:
    return {"code": code, "detail": str(detail), "rule": rule, **extra}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = exc.as_dict()
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    if isinstance(exc, FlowLockFailed) or is_database_locked(exc):
        return Response(
            _body(
                "case_busy",
                _("Someone else is acting on this case right now; reload it and try again."),
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body("invalid", _("The request is not valid."), fields=exc.detail)
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = _body("not_authenticated", exc.detail)
    elif isinstance(exc, exceptions.NotFound):
        response.data = _body("not_found", _("Not found."))
    elif isinstance(exc, exceptions.APIException):
        response.data = _body(exc.default_code, exc.detail)
    return response
