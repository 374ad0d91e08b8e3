"""Issue 11, finding 10 (SWAP-1, PUNCH-1): a swap or make-up the GM office would decide, whose
GM office is only the requester (or the colleague), goes to the policy's fallback role
(administration); the requester is still refused."""

import pytest
import time_machine

from tests.attendance.helpers import PUNCHES, SWAPS, act, local, request_punch, request_swap, tasks
from tests.orgdata import employee

pytestmark = pytest.mark.django_db

MISSED = "2026-03-02T18:00:00+08:00"


def test_finding10_punch1_a_sole_gm_office_members_make_up_goes_to_administration(org):
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        case = request_punch(org.gm, MISSED)
        assert tasks(org.gm, PUNCHES) == []
        assert [t["case_id"] for t in tasks(org.admin, PUNCHES)] == [case["id"]]
        refused = act(PUNCHES, org.gm, case["id"], "approve", expect=403)
        assert (refused["code"], refused["rule"]) == ("own_request", "PUNCH-1")
        assert act(PUNCHES, org.admin, case["id"], "approve")["state"] == "approved"


def test_finding10_punch1_with_two_gm_office_members_the_other_one_approves(org):
    gm2 = employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
    with time_machine.travel(local(2026, 3, 3, 9, 0), tick=False):
        case = request_punch(org.gm, MISSED)
        assert tasks(org.admin, PUNCHES) == []
        assert act(PUNCHES, org.admin, case["id"], "approve", expect=403)["code"] == "wrong_role"
        assert act(PUNCHES, gm2, case["id"], "approve")["state"] == "approved"


def test_finding10_swap1_a_sole_gm_office_members_swap_goes_to_administration(org):
    aide = employee("aide", department=org.gm.department, level="junior")
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        case = request_swap(org.gm, aide)
        act(SWAPS, aide, case["id"], "consent")
        assert [t["case_id"] for t in tasks(org.admin, SWAPS)] == [case["id"]]
        refused = act(SWAPS, org.gm, case["id"], "approve", expect=403)
        assert (refused["code"], refused["rule"]) == ("own_request", "SWAP-1")
        assert act(SWAPS, org.admin, case["id"], "approve")["state"] == "approved"
