"""Country packs: what differs between country deployments, in one place.

One deployment runs one country (SMARTCOOP_COUNTRY). `current_pack()` is that country's pack;
`param(key, on=date)` reads any dated parameter of any country (`"be.fee_rate"`).
"""

from .pack import ContractType, CountryPack, IdentifierKind, ShareCategory
from .params import (
    ParameterError,
    ParameterNotInForce,
    legal_reference,
    param,
    param_entry,
    parameter_tables,
)
from .registry import available_countries, current_pack, load_pack, pack_of_country

__all__ = [
    "ContractType",
    "CountryPack",
    "IdentifierKind",
    "ParameterError",
    "ParameterNotInForce",
    "ShareCategory",
    "available_countries",
    "current_pack",
    "legal_reference",
    "load_pack",
    "pack_of_country",
    "param",
    "param_entry",
    "parameter_tables",
]
