"""Writes of the governance app, one module per concern:

- `assemblies`: statutes versions, assemblies, resolutions, convocation, attendance, closing.
- `proxies`: signing and revoking a proxy.
- `elections`: board elections on the agenda and their candidacies.
- `votes`: casting (online or in the room) and changing a vote, the secret ballot box.
"""

from .assemblies import (
    assembly_close,
    assembly_convene,
    assembly_create,
    attendance_mark,
    resolution_add,
    statutes_create,
)
from .elections import candidacy_apply, candidacy_decide, election_add
from .proxies import proxy_revoke, proxy_sign
from .votes import CastResult, vote_cast

__all__ = [
    "CastResult",
    "assembly_close",
    "assembly_convene",
    "assembly_create",
    "attendance_mark",
    "candidacy_apply",
    "candidacy_decide",
    "election_add",
    "proxy_revoke",
    "proxy_sign",
    "resolution_add",
    "statutes_create",
    "vote_cast",
]
