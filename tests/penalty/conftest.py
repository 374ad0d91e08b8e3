import pytest


@pytest.fixture
def working_days_policy(db):
    """The default pack with both appeal windows counted in working days (DEADLINE-1)."""
    from policy.models import PolicyVersion

    version = PolicyVersion.objects.get()
    data = dict(version.data)
    data["deadlines"] = {
        **data["deadlines"],
        "objection_mode": "working",
        "response_mode": "working",
    }
    version.data = data
    from tests.packs import store_pack

    store_pack(version)
    return version


@pytest.fixture(params=["calendar", "working"])
def mode(request, org):
    """Both day modes of DEADLINE-1: the default calendar days, and working days."""
    if request.param == "working":
        request.getfixturevalue("working_days_policy")
    return request.param
