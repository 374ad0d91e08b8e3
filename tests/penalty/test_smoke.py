import pytest
import time_machine

from performance.models import ScoreEvent
from tests.orgdata import build_org
from tests.penalty.helpers import act, inbox, local, read, serve, sweep_timers

pytestmark = pytest.mark.django_db


def test_smoke_sign_object_respond_final():
    org = build_org()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.lead, org.agent)
        assert case["state"] == "served"
        tasks = inbox(org.agent)
        assert sorted(t["action"] for t in tasks) == ["object", "sign"]
        act(org.agent, case["id"], "sign")
        case = act(org.agent, case["id"], "object", {"reason": "那天系统故障"})
        assert case["state"] == "objected"
        [task] = inbox(org.gm)
        assert task["action"] == "respond"
        case = act(org.gm, case["id"], "respond", {"decision": "uphold", "reason": "记录无误"})
        assert case["state"] == "final", case
    assert ScoreEvent.objects.get().fine == 10
    assert read(org.agent, case["id"])["final"] is True


def test_smoke_lapse():
    org = build_org()
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        case = serve(org.lead, org.agent)
        act(org.agent, case["id"], "sign")
    with time_machine.travel(local(2026, 3, 6, 0, 0), tick=False):
        assert sweep_timers() >= 1
        assert read(org.agent, case["id"])["state"] == "final"
