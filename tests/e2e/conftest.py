"""Browser journeys: Playwright driving Debian's chromium against Django's live_server."""

import re

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def confirmation_link(body: str) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert match, f"no confirmation link in the e-mail:\n{body}"
    return match.group(0)


def shot(page, name: str) -> None:
    """A full-page screenshot into $JOURNEY_SHOTS (to look at the pages), when it is set."""
    import os
    from pathlib import Path

    if folder := os.environ.get("JOURNEY_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}.png", full_page=True)
