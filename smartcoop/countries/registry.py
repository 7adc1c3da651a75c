"""Finding and loading country packs. Settings load the deployment's pack at start-up."""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

from .pack import CountryPack
from .params import parameter_tables

PACKS_DIR = Path(__file__).resolve().parent


@functools.cache
def available_countries() -> frozenset[str]:
    """The country packs on disk (read once: packs do not change while running)."""
    return frozenset(
        p.name.upper() for p in PACKS_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )


def load_pack(code: str) -> CountryPack:
    parameter_tables()  # strict: a broken table anywhere stops start-up, naming file and key
    module = importlib.import_module(f"smartcoop.countries.{code.lower()}")
    pack: CountryPack = module.PACK
    return pack


def pack_of_country(code: str | None) -> CountryPack | None:
    """The pack of a country (a client's, an issuer's), or None when there is no pack for it."""
    code = (code or "").upper()
    return load_pack(code) if code in available_countries() else None


def current_pack() -> CountryPack:
    from django.conf import settings

    return settings.COUNTRY_PACK
