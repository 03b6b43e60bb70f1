"""Settings fail loudly on bad values instead of running with a surprise."""

import os
import subprocess
import sys

import pytest


def load_settings(**env) -> subprocess.CompletedProcess:
    # as a process outside the test run: no database or secret of ours, and not an xdist worker (whose
    # data directory is a folder of FENGKONG_DATA_DIR)
    unset = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PYTEST_XDIST_WORKER"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", "import fengkong.settings as s; print(s.DATABASES['default']['ENGINE'])"],
                          env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("env", "message"), [
    ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL must be postgres"),
    ({"REDIS_URL": "http://example"}, "REDIS_URL"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
    ({"DEBUG": "maybe"}, "is not a boolean"),
    ({"LOGIN_FAILURE_LIMIT": "five"}, "is not an integer"),
])
def test_bad_environment_values_stop_start_up_with_a_clear_message(env, message, tmp_path):
    result = load_settings(FENGKONG_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0 and message in result.stderr


def test_with_nothing_set_the_embedded_default_is_sqlite_in_the_data_directory(tmp_path):
    result = load_settings(FENGKONG_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    assert (tmp_path / "secret_key").exists() and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


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
