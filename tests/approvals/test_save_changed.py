"""approvals.db.save_changed: an instance read under the engine's lock is saved in the columns
that changed since it was read, nothing when none did; a JSON value changed in place counts as a
change; a column never loaded (deferred) is neither read nor written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Process

from approvals.db import as_read, save_changed
from workflows.promotion import PromotionFlow

pytestmark = pytest.mark.django_db


def process(**data):
    return Process.objects.create(flow_class=PromotionFlow, data=data or {"a": [1]})


def updates(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]


def test_nothing_changed_writes_nothing():
    obj = as_read(Process.objects.get(pk=process().pk))
    with CaptureQueriesContext(connection) as ctx:
        save_changed(obj)
    assert ctx.captured_queries == []


def test_json_changed_in_place_is_saved_alone():
    obj = as_read(Process.objects.get(pk=process(a=[1]).pk))
    obj.data["a"].append(2)
    with CaptureQueriesContext(connection) as ctx:
        save_changed(obj)
    [sql] = updates(ctx)
    assert '"data"' in sql and '"status"' not in sql
    assert Process.objects.get(pk=obj.pk).data == {"a": [1, 2]}


def test_a_deferred_column_is_not_loaded_nor_written():
    pk = process().pk
    obj = as_read(Process.objects.defer("data").get(pk=pk))
    obj.status = "DONE"
    with CaptureQueriesContext(connection) as ctx:
        save_changed(obj)
    [sql] = updates(ctx)
    assert '"data"' not in sql and len(ctx.captured_queries) == 1
    assert Process.objects.get(pk=pk).status == "DONE"


def test_a_second_save_sees_the_first_as_read():
    obj = as_read(Process.objects.get(pk=process().pk))
    obj.status = "DONE"
    save_changed(obj)
    with CaptureQueriesContext(connection) as ctx:
        save_changed(obj)
    assert updates(ctx) == []
