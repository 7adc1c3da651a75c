"""A missing or invalid setting stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in overrides or overrides[k] is not None}
    env.update({k: v for k, v in overrides.items() if v is not None})
    env["DJANGO_SETTINGS_MODULE"] = "smartcoop.settings.test"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DATABASE_URL": ""}, "DATABASE_URL is not set: expected a PostgreSQL URL"),
        ({"DATABASE_URL": "sqlite:///db.sqlite3"}, "smartcoop runs on PostgreSQL only"),
        ({"CELERY_BROKER_URL": ""}, "CELERY_BROKER_URL is not set"),
        ({"CELERY_BROKER_URL": "amqp://localhost"}, "CELERY_BROKER_URL must be a redis://"),
        ({"SMARTCOOP_COUNTRY": "XX"}, "SMARTCOOP_COUNTRY='XX' is not a known country pack"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        (
            {"SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS": "0"},
            "SMARTCOOP_DECLARATION_POLL_GIVE_UP_HOURS='0' is not a positive number",
        ),
        (
            {"SMARTCOOP_DECLARATION_POLL_FACTOR": "fast"},
            "SMARTCOOP_DECLARATION_POLL_FACTOR='fast' is not a positive number",
        ),
    ],
)
def test_start_up_stops_with_a_message_naming_the_variable(overrides, message):
    result = start(**overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartcoop.settings.production",
        "DJANGO_SECRET_KEY": "k7Gq2-" + "x9Lm4PzR8vT1nB6wQ3sY" * 3,
        "SMARTCOOP_FIELD_ENCRYPTION_KEYS": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "SMARTCOOP_FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_the_french_deployment_starts():
    result = start(SMARTCOOP_COUNTRY="FR")
    assert result.returncode == 0, result.stderr
