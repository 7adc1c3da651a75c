"""The pure calculation tests run bare, without PostgreSQL or Redis; a test that needs the
database then fails and says how to run it (never a silent skip)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bare_pytest(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_calculation_tests_pass_without_postgresql_or_redis():
    run = _bare_pytest(
        "tests/activities/test_calculations.py",
        "tests/invoicing/test_calculations.py",
        "tests/payroll/test_calculations_be.py",
        "tests/payroll/test_calculations_fr.py",
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


def test_a_database_test_run_bare_fails_with_the_way_to_run_it():
    run = _bare_pytest("tests/core/test_numbering.py", "-x")
    assert run.returncode != 0
    assert "run it through scripts/services.py" in run.stdout
