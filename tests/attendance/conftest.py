import pytest

from tests.orgdata import employee


@pytest.fixture
def deputy(org):
    """A senior agent of the department who stands in for the lead (LEAVE-6)."""
    return employee("deputy", department=org.cs, level="senior", name="代理人")
