"""Pages offer a step only when the model's status machine allows it (`obj|can:"step"`): a step
named in a template but missing from every model would answer 500 on that page."""

import re
from pathlib import Path

from django.apps import apps

from smartcoop.core.steps import StatusSteps

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_step_a_template_asks_for_is_declared_by_a_model():
    declared = {
        step
        for model in apps.get_models()
        if issubclass(model, StatusSteps)
        for step in model.STEPS
    }
    asked = {
        (path.relative_to(TEMPLATES).as_posix(), step)
        for path in TEMPLATES.rglob("*.html")
        for step in re.findall(r"\|can:\"(\w+)\"", path.read_text())
    }
    assert len(asked) >= 15
    assert [pair for pair in sorted(asked) if pair[1] not in declared] == []


def test_every_template_asking_for_a_step_loads_the_filter():
    missing = [
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        if "|can:" in (text := path.read_text())
        and not re.search(r"{% load [^%]*\bsmartcoop\b", text)
    ]
    assert missing == []


def test_a_step_is_allowed_only_from_its_statuses():
    from activities.models import Loan

    assert Loan(status="approved").can("disburse")
    assert not Loan(status="requested").can("disburse")
    assert not Loan(status="disbursed").can("decide")
