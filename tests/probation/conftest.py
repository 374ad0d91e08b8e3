import pytest
import time_machine

from tests.orgdata import employee

from .helpers import HIRED, local


@pytest.fixture
def trainee(org):
    """A probationer of the customer-service department, hired on 2026-01-10."""
    person = employee("newbie", department=org.cs, level="probationer")
    person.hired_on = HIRED
    person.save()
    return person


@pytest.fixture
def trainer(org):
    return org.panel[2]  # "trainer": the cs department's trainer (role trainer)


@pytest.fixture
def case(trainee):
    """PROB-1: the trainee's probation, opened at hire (10:00 on the hire date)."""
    from workflows.probation import probation_start

    with time_machine.travel(local(2026, 1, 10, 10, 0), tick=False):
        return probation_start(employee=trainee)
