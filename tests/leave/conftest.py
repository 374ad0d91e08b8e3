import pytest
import time_machine

from .helpers import WEEK_BEFORE


@pytest.fixture
def week_before(org):
    """The suite's leave starts on Monday 2026-03-09; we stand a week earlier."""
    with time_machine.travel(WEEK_BEFORE, tick=False) as traveller:
        yield traveller
