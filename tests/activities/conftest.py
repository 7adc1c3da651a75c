import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded receipts and documents go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


# Browser journeys of this app use Debian's chromium, with the shared settings of tests/e2e.
from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: E402,F401
