"""`make run` on a fresh database: migrations, demo data, web, worker and beat come up."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.celery
def test_make_run_bootstrap_brings_up_web_and_worker_with_demo_logins(tmp_path):
    url = urlparse(os.environ["DATABASE_URL"])
    name = f"smoke_{os.getpid()}"
    with psycopg.connect(_psycopg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    # Its own broker (scripts/services.py starts one), so its worker and beat never meet the
    # tasks of the rest of the suite.
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL")
        },
        "DATABASE_URL": urlunparse(url._replace(path=f"/{name}")),
        "DJANGO_SETTINGS_MODULE": "smartcoop.settings.dev",
        "SMARTCOOP_RUN_DIR": str(tmp_path),
        "PORT": "0",
    }
    result = subprocess.run(
        [sys.executable, "scripts/services.py", "--", sys.executable, "scripts/run.py", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "is running at http://127.0.0.1:" in result.stdout
    assert "member@smartcoop.demo" in result.stdout and "admin@smartcoop.demo" in result.stdout
    assert "smoke: web answers, worker answers" in result.stdout
    # The demo shows payroll too: a paid pay run, one to review and a Dimona to file.
    assert (
        "Payroll demo: a paid pay run, one to review and a hiring declaration to file."
        in result.stdout
    )
    # The server's URL comes first, once it answers; the client's payment link after it.
    running_at = result.stdout.index("is running at http://127.0.0.1:")
    assert "/invoicing/pay/" in result.stdout
    assert result.stdout.index("/invoicing/pay/") > running_at


def _psycopg_url(url, database: str) -> str:
    from urllib.parse import unquote

    host = unquote(url.hostname or "") if url.hostname else ""
    params = f"?host={host}" if host.startswith("/") else ""
    netloc = url.netloc if not host.startswith("/") else f"{url.username or 'postgres'}@"
    return f"postgresql://{netloc}/{database}{params}"


def test_the_french_deployment_migrates_and_loads_its_demo_data():
    """Another country's pack (FR: CDDU contracts, the Activity tool only, SmartFr entities)
    goes through the same bootstrap: every app's demo seeder must follow the pack."""
    url = urlparse(os.environ["DATABASE_URL"])
    name = f"smoke_fr_{os.getpid()}"
    with psycopg.connect(_psycopg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(url._replace(path=f"/{name}")),
        "DJANGO_SETTINGS_MODULE": "smartcoop.settings.dev",
        "SMARTCOOP_COUNTRY": "FR",
    }
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Demo data ready: 3 entities" in result.stdout
    assert "Demo member joined, with member number 1." in result.stdout
    assert "Demo Activities created." in result.stdout
    assert (
        "Payroll demo: a paid pay run, one to review and a hiring declaration to file."
        in result.stdout
    )
