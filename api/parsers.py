"""The JSON body parser of every API view (settings REST_FRAMEWORK DEFAULT_PARSER_CLASSES).

DRF's JSONParser turns a syntax error into a 400 but lets through what Python's json reads and
nothing downstream can hold (issue 11): thousands of nested brackets (a RecursionError, a 500),
a NUL byte (PostgreSQL refuses it after part of the request was written), a lone surrogate such
as "\\ud800" (no encoder takes it), and numbers beyond a float (1e999 reads as infinity). This
parser refuses each with a 400 `{"code", "detail", "rule", "field"}` before any view runs, so
no service ever sees such a value.
"""

import math

from django.utils.translation import gettext_lazy as _
from rest_framework.parsers import JSONParser

from approvals.errors import InvalidInput
from approvals.inputs import check_text

# No request body of the API nests deeper than three levels ({"panel": [1, 2]}).
MAX_DEPTH = 20


def _too_deep():
    return InvalidInput(
        _("The request body nests deeper than %(limit)s levels."),
        code="too_deep",
        params={"limit": MAX_DEPTH},
    )


def _path(parent: str, key) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def check_value(data, path: str = "", depth: int = 1) -> None:
    """Every text (keys included) and number of a parsed body, or InvalidInput naming where.
    `depth`: the nesting level of `data` (the body itself is level 1)."""
    if isinstance(data, dict | list) and depth > MAX_DEPTH:
        raise _too_deep()
    if isinstance(data, str):
        check_text(data, field=path or "body", max_length=None)
    elif isinstance(data, float) and not math.isfinite(data):
        raise InvalidInput(
            _("“%(field)s” is not a number that can be stored."),
            code="invalid_number",
            params={"field": path or "body"},
            field=path or "body",
        )
    elif isinstance(data, dict):
        for key, value in data.items():
            check_text(key, field=path or "body", max_length=None)
            check_value(value, _path(path, key), depth + 1)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            check_value(value, _path(path, index), depth + 1)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        check_value(data)
        return data
