"""config/keys.py: a key from its variable, else from a file generated on first use (issue 11,
finding 9: no built-in SECRET_KEY)."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.keys import is_weak_key, key_from_env_or_file


def test_finding9_the_variable_is_used_when_set(tmp_path):
    key = key_from_env_or_file("X_KEY", tmp_path / "x.key", environ={"X_KEY": " from-env "})
    assert key == "from-env"
    assert not (tmp_path / "x.key").exists()


def test_finding9_an_empty_variable_counts_as_unset(tmp_path):
    key = key_from_env_or_file("X_KEY", tmp_path / "x.key", environ={"X_KEY": ""})
    assert key == (tmp_path / "x.key").read_text().strip()


def test_finding9_the_generated_file_is_readable_by_its_owner_only(tmp_path):
    key_from_env_or_file("X_KEY", tmp_path / "sub" / "x.key", environ={})
    assert stat.S_IMODE((tmp_path / "sub" / "x.key").stat().st_mode) == 0o600


def test_finding9_an_existing_file_is_kept(tmp_path):
    (tmp_path / "x.key").write_text("kept-key\n")
    assert key_from_env_or_file("X_KEY", tmp_path / "x.key", environ={}) == "kept-key"


def test_finding9_the_first_writer_wins_and_no_temporary_file_stays(tmp_path):
    path = tmp_path / "x.key"
    calls = []

    def late(name="late"):
        # Another process writes the file between our check and our write.
        path.write_text("first\n")
        calls.append(name)
        return "second"

    assert key_from_env_or_file("X_KEY", path, environ={}, generate=late) == "first"
    assert calls == ["late"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.key"]


def test_finding9_an_empty_key_file_is_refused_with_its_name(tmp_path):
    (tmp_path / "x.key").write_text("\n")
    with pytest.raises(ImproperlyConfigured, match=r"X_KEY: the key file .*x\.key is empty"):
        key_from_env_or_file("X_KEY", tmp_path / "x.key", environ={})


@pytest.mark.parametrize(
    "key",
    ["short", "a" * 60, "abcd" * 20, "django-insecure-" + "abcdefghij" * 6],
    ids=["short", "one-char", "four-chars", "startproject"],
)
def test_finding9_weak_keys_by_djangos_bar(key):
    assert is_weak_key(key)


def test_finding9_a_generated_key_is_not_weak(tmp_path):
    assert not is_weak_key(key_from_env_or_file("X_KEY", tmp_path / "x.key", environ={}))
