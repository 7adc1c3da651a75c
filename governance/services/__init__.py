"""Writes of the governance app, one module per concern:

- `assemblies`: statutes versions, assemblies, resolutions, convocation, attendance, closing.
- `proxies`: signing and revoking a proxy.
- `documents`: documents attached to resolutions.
- `elections`: board elections on the agenda and their candidacies.
- `participation`: working groups, recommendations, supports, comments, the board's answers.
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
from .documents import document_attach
from .elections import candidacy_apply, candidacy_decide, candidacy_withdraw, election_add
from .participation import (
    group_create,
    group_invite,
    group_join,
    recommendation_answer,
    recommendation_comment,
    recommendation_publish,
    recommendation_support,
)
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
    "candidacy_withdraw",
    "document_attach",
    "election_add",
    "group_create",
    "group_invite",
    "group_join",
    "proxy_revoke",
    "proxy_sign",
    "recommendation_answer",
    "recommendation_comment",
    "recommendation_publish",
    "recommendation_support",
    "resolution_add",
    "statutes_create",
    "vote_cast",
]
