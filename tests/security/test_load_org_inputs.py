"""Issue 11, finding 5: load_org refuses what no table can hold, names the row, and writes
nothing; a UTF-8 file with a BOM is read."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from org.models import Employee
from org.services import OrgFileError, org_load
from tests.org.factories import org_data, person, write_org

pytestmark = pytest.mark.django_db
User = get_user_model()


def _refused(data) -> list[str]:
    with pytest.raises(OrgFileError) as refused:
        org_load(data=data)
    assert not User.objects.exists() and not Employee.objects.exists()
    return refused.value.errors


@pytest.mark.parametrize("hired_on", ["0001-01-01", "9999-12-31", "1969-12-31"])
def test_finding5_load_org_refuses_impossible_hire_dates_and_writes_nothing(tmp_path, hired_on):
    data = org_data()
    data["people"].append(person("odd", hired_on=hired_on))
    errors = _refused(data)
    assert len(errors) == 1
    assert "people[3] (odd)" in errors[0] and hired_on in errors[0] and "1970-01-01" in errors[0]
    with pytest.raises(CommandError):
        call_command("load_org", write_org(tmp_path, data))
    assert not Employee.objects.exists()
    # The good file still loads, and the probations open (nothing was poisoned).
    call_command("load_org", write_org(tmp_path, org_data()))
    call_command("open_probations")
    assert Employee.objects.count() == 3


def test_finding5_load_org_accepts_hire_dates_in_the_window():
    data = org_data()
    data["people"].append(person("veteran", hired_on="1970-01-01"))
    org_load(data=data)
    assert Employee.objects.get(user__username="veteran").hired_on.year == 1970


def test_finding5_load_org_bom_file_is_read(tmp_path):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(org_data(), ensure_ascii=False), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    call_command("load_org", str(path))
    assert Employee.objects.count() == 3


def test_finding5_load_org_nul_and_overlong_names_refused_with_row_named():
    data = org_data()
    data["departments"].append({"code": "long", "name": "部" * 101, "lead": None})
    data["people"] += [
        {**person("nul"), "name": "王\x00五"},
        {**person("sur"), "email": "a\ud800@example.com"},
        {**person("longname"), "name": "名" * 101},
        {**person("longmail"), "email": "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "cn"},
        {**person("oddroles"), "roles": [["x"]], "level": {"a": 1}},
    ]
    with translation.override("en"):
        errors = _refused(data)
    text = "\n".join(errors)
    assert "departments[2] (long): department name is longer than 100 characters" in text
    assert "people[3] (nul): 'name' contains a character that cannot be stored" in text
    assert "people[4] (sur): 'email' contains a character that cannot be stored" in text
    assert "people[5] (longname): name is longer than 100 characters" in text
    assert "people[6] (longmail): email" in text
    assert (
        "people[7] (oddroles): unknown level" in text
        and "people[7] (oddroles): unknown role" in text
    )
    # Every message is printable (no raw NUL or surrogate reaches the terminal).
    text.encode("utf-8")
    assert "\x00" not in text
    with translation.override("zh-hans"):
        assert "无法保存" in "\n".join(_refused(data))


def test_finding5_load_org_refusal_is_printed_without_a_traceback(tmp_path, capsys):
    data = org_data()
    data["people"].append({**person("nul"), "username": "nul\x00"})
    with pytest.raises(CommandError):
        call_command("load_org", write_org(tmp_path, data))
    assert "people[3]" in capsys.readouterr().err


def test_finding5_load_org_deeply_nested_file_is_refused(tmp_path):
    path = tmp_path / "org.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError):
        call_command("load_org", str(path))
