"""Lists of the API (API.md: "Lists are paginated (`?page=`, `?page_size=`) and filterable
(`?state=`, `?department=`, `?overdue=`, `?q=`)").

Every list pages the same way as the inbox: the body stays the page's list of rows and a `Link`
header (RFC 8288) names the neighbouring pages. The case lists and the employees list give no
total: counting every case the GM office may see would cost more than the page itself (the
inbox's `X-Total-Count` counts only the caller's open tasks). A page is read as one more row
than it shows, which says whether there is a next one.

A filter value that is not one the list knows is a 400 naming the parameter and what it
accepts, never an empty list that looks like "nothing there".
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.deadlines import Deadline
from approvals.errors import InvalidInput
from approvals.history import case_type_of
from approvals.inputs import _shown, check_text, label_of, record_id, whole_number

PAGE_MAX = 100_000
# What a list answered before it was paginated (its newest 200), so a client that never pages
# reads the same rows as before.
LIST_PAGE_SIZE = 200
LIST_PAGE_SIZE_MAX = 200
QUERY_MAX = 100

_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no", ""}


def page_params(params, *, default_size: int, max_size: int) -> tuple[int, int]:
    page = whole_number(params.get("page"), field="page", default=1, limit=PAGE_MAX)
    size = whole_number(
        params.get("page_size"), field="page_size", default=default_size, limit=max_size
    )
    return page, size


def page_links(request, page: int, last: int) -> str:
    """`Link` header: rel="prev" and rel="next" to the neighbouring pages ("" when there is
    neither). `last` is the last page there is (a page past it links back to it)."""
    links = []
    for rel, number in (("prev", min(page - 1, last)), ("next", page + 1)):
        if 1 <= number <= last and number != page:
            query = request.GET.copy()
            query["page"] = str(number)
            url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            links.append(f'<{url}>; rel="{rel}"')
    return ", ".join(links)


def page_of(request, qs, *, default_size: int = LIST_PAGE_SIZE) -> tuple[list, str]:
    """The requested page of an ordered queryset and its `Link` header."""
    page, size = page_params(
        request.query_params, default_size=default_size, max_size=LIST_PAGE_SIZE_MAX
    )
    start = (page - 1) * size
    # The page's ids first, then its rows by id: one query for both let PostgreSQL misjudge
    # how few rows a lead's visibility keeps and join every case of the company to its people
    # before cutting the page (benchmarks/inbox.py, shift swaps at 100,000 tasks: 90 ms for 3).
    ids = list(qs.values_list("pk", flat=True)[start : start + size + 1])
    more = len(ids) > size
    ids = ids[:size]
    found = {row.pk: row for row in _by_id(qs, ids)} if ids else {}
    rows = [found[pk] for pk in ids if pk in found]
    # Without a total, the last page known is this one (or the next, when a row is beyond it).
    return rows, page_links(request, page, page + 1 if more else page)


def _by_id(qs, ids):
    """The rows of `ids` (read from `qs` a moment ago) as `qs` reads them (its joins, deferred
    fields and prefetches), without `qs`'s conditions: they chose these ids already, and asked
    again they made PostgreSQL hash every case a big department's lead may see to keep ten
    (benchmarks/inbox.py, promotions at 100,000 tasks). A queryset with annotations keeps its
    conditions (an annotation may depend on them)."""
    if qs.query.annotations or qs.query.extra:
        return qs.filter(pk__in=ids).order_by()
    rows = qs.model._default_manager.filter(pk__in=ids)
    rows.query.select_related = qs.query.select_related
    rows.query.deferred_loading = qs.query.deferred_loading
    return rows.prefetch_related(*qs._prefetch_related_lookups)


def _invalid(field: str, value, accepted) -> InvalidInput:
    return InvalidInput(
        _("The %(field)s “%(value)s” is not one this list knows; it accepts: %(accepted)s."),
        code=f"invalid_{field}",
        params={"field": label_of(field), "value": _shown(value), "accepted": accepted},
        field=field,
    )


def _department(params):
    value = params.get("department")
    if value is None:
        return None
    pk = record_id(value)
    if pk is None:
        raise _invalid("department", value, _("a department id"))
    return pk


def _search(params):
    value = params.get("q")
    if value is None or not value.strip():
        return None
    return check_text(value.strip(), field="q", max_length=QUERY_MAX)


def filter_cases(qs, params):
    """`?state=` (a state of this kind of case), `?department=` (id), `?overdue=1` (an open
    deadline of the case is past due), `?q=` (the employee's name contains it, any case)."""
    model = qs.model
    state = params.get("state")
    if state is not None:
        states = [value for value, _label in model._meta.get_field("state").choices]
        if state not in states:
            raise _invalid("state", state, ", ".join(states))
        qs = qs.filter(state=state)
    department = _department(params)
    if department is not None:
        qs = qs.filter(department_id=department)
    if _flag(params, "overdue"):
        open_past_due = Deadline.objects.filter(
            case_type=case_type_of(model),
            case_id=OuterRef("pk"),
            met_at__isnull=True,
            due_at__lt=timezone.now(),
        )
        qs = qs.filter(Exists(open_past_due))
    needle = _search(params)
    if needle is not None:
        qs = qs.filter(employee__name__icontains=needle)
    return qs


def inbox_filters(params) -> dict:
    """The inbox's filters (workflows.inbox.filter_tasks): `?kind=` (a resource, or `findings`:
    the attendance findings waiting for the caller), `?department=`,
    `?overdue=1` (the step's due time is past), `?q=` (the applicant's name contains it)."""
    from workflows.inbox import FINDINGS, FLOWS

    kinds = [f.resource for f in FLOWS] + [FINDINGS]
    kind = params.get("kind")
    if kind is not None and kind not in kinds:
        raise _invalid("kind", kind, ", ".join(kinds))
    return {
        "kind": kind,
        "department": _department(params),
        "overdue": _flag(params, "overdue"),
        "q": _search(params),
    }


def _flag(params, field: str) -> bool:
    value = params.get(field)
    if value is None:
        return False
    flag = value.strip().lower()
    if flag not in _TRUE | _FALSE:
        raise _invalid(field, value, "1, 0")
    return flag in _TRUE


def filter_employees(qs, params):
    """`?department=` (id) and `?q=` (the name or the username contains it)."""
    department = _department(params)
    if department is not None:
        qs = qs.filter(department_id=department)
    needle = _search(params)
    if needle is not None:
        qs = qs.filter(Q(name__icontains=needle) | Q(user__username__icontains=needle))
    return qs
