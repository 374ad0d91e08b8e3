import pytest
import time_machine

from tests.orgdata import build_org, employee

from .helpers import START


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """CASE-6: stored attachments go to a directory of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def clock(db):
    """Monday 2026-03-02 10:00 company time, frozen (the leave suite's week before)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(clock):
    """The small organisation, built at the travelled time (scores are for the months before)."""
    return build_org()


@pytest.fixture
def gm2(org):
    """A second member of the GM office."""
    return employee("gm2", department=org.gm.department, level=None, roles=["gm_office"])
