"""Messages are asserted in English (the msgids); the default language is zh-hans."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
