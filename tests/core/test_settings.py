"""Settings fail loudly on bad values instead of running with a surprise."""

import os
import subprocess
import sys

import pytest

AUDIT_KEY = "an-audit-key-of-the-operators-own-" + "k" * 16
PRINT_ENGINE = "import fengkong.settings as s; print(s.DATABASES['default']['ENGINE'])"


def load_settings(code: str = PRINT_ENGINE, **env) -> subprocess.CompletedProcess:
    # as a process outside the test run: no database or secret of ours, not an xdist worker (whose data
    # directory is a folder of FENGKONG_DATA_DIR), and not under pytest (which stands in for AUDIT_KEY)
    unset = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PYTEST_XDIST_WORKER", "PYTEST_VERSION", "DEBUG",
             "AUDIT_KEY", "AUDIT_KEYS_RETIRED", "AUDIT_ANCHOR_DIR"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("env", "message"), [
    ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must be postgres"),
    ({"REDIS_URL": "http://example"}, "REDIS_URL"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
    ({"DEBUG": "maybe"}, "is not a boolean"),
    ({"LOGIN_FAILURE_LIMIT": "five"}, "is not an integer"),
    ({}, "AUDIT_KEY is required when DEBUG is off"),
    ({"DEBUG": "false"}, "AUDIT_KEY is required when DEBUG is off"),
    ({"AUDIT_KEY": "short"}, "AUDIT_KEY and each of AUDIT_KEYS_RETIRED must be at least 32 characters"),
    ({"AUDIT_KEY": AUDIT_KEY, "AUDIT_KEYS_RETIRED": "short"}, "must be at least 32 characters"),
])
def test_bad_environment_values_stop_start_up_with_a_clear_message(env, message, tmp_path):
    result = load_settings(FENGKONG_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0 and message in result.stderr


def test_with_only_the_audit_key_set_the_embedded_default_is_sqlite_in_the_data_directory(tmp_path):
    result = load_settings(FENGKONG_DATA_DIR=str(tmp_path), AUDIT_KEY=AUDIT_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    assert (tmp_path / "secret_key").exists() and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_the_audit_keys_and_anchor_directory_come_from_the_environment(tmp_path):
    retired = "a-retired-audit-key-" + "r" * 20
    code = "import fengkong.settings as s; print(s.AUDIT_KEY, ','.join(s.AUDIT_KEYS_RETIRED), s.AUDIT_ANCHOR_DIR)"
    result = load_settings(code, FENGKONG_DATA_DIR=str(tmp_path), AUDIT_KEY=AUDIT_KEY,
                           AUDIT_KEYS_RETIRED=f"{retired}, {retired}2", AUDIT_ANCHOR_DIR=str(tmp_path / "worm"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [AUDIT_KEY, f"{retired},{retired}2", str(tmp_path / "worm")]
    default = load_settings(code, FENGKONG_DATA_DIR=str(tmp_path), AUDIT_KEY=AUDIT_KEY)
    assert default.stdout.split() == [AUDIT_KEY, str(tmp_path)]  # anchors in the data directory


@pytest.mark.parametrize("env", [{"DEBUG": "true"}, {"PYTEST_VERSION": "9"}])
def test_under_debug_or_the_test_suite_the_audit_key_is_derived_from_the_secret_key(env, tmp_path):
    code = "import fengkong.settings as s; print(s.AUDIT_KEY, s.AUDIT_KEY != s.SECRET_KEY)"
    first, again = (load_settings(code, FENGKONG_DATA_DIR=str(tmp_path), **env) for _ in range(2))
    other = load_settings(code, FENGKONG_DATA_DIR=str(tmp_path), SECRET_KEY="another-secret-key-" + "s" * 20, **env)
    assert first.returncode == 0, first.stderr
    key, differs = first.stdout.split()
    assert len(key) == 64 and differs == "True" and first.stdout == again.stdout  # stable for one secret key
    assert other.returncode == 0 and other.stdout.split()[0] != key  # and follows it


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"


def test_a_parallel_test_worker_keeps_its_files_in_its_own_folder(tmp_path):
    code = "import fengkong.settings as s; print(s.DATA_DIR, s.DATABASES['default']['NAME'])"
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    environment.update(FENGKONG_DATA_DIR=str(tmp_path), PYTEST_XDIST_WORKER="gw7")
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "gw7"), str(tmp_path / "gw7" / "fengkong.sqlite3")]
