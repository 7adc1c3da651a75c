import pytest


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """The engines' tests are pure: they need neither PostgreSQL nor Redis. Only tests that use
    the database (and so the cache) clear it, as the project-wide fixture does."""
    if "db" in request.fixturenames or "client" in request.fixturenames:
        from django.core.cache import cache

        cache.clear()
    yield
