"""Documents of the governance app: the voters' list (CSV, PDF), the published ballots (CSV,
for anyone to recount) and the minutes (PDF, in the entity's language)."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone, translation

from smartcoop.core.pdf import render_pdf
from smartcoop.core.spreadsheets import safe_writer

from . import selectors
from .models import Assembly


def voters_csv(assembly: Assembly) -> str:
    buffer = io.StringIO()
    writer = safe_writer(buffer)
    writer.writerow(["member_number", "name", "college", "shares", "votes", "proxy_holder"])
    holders = {
        p.grantor_id: p.holder.member.member_number
        for p in selectors.proxies_of_assembly(assembly=assembly)
    }
    for voter in selectors.voters_list(assembly=assembly):
        writer.writerow(
            [
                voter.member.member_number,
                voter.member.display_name,
                voter.college,
                voter.shares,
                voter.weight,
                holders.get(voter.pk, ""),
            ]
        )
    return buffer.getvalue()


def voters_pdf(assembly: Assembly) -> bytes:
    with translation.override(assembly.entity.default_language or settings.LANGUAGE_CODE):
        return render_pdf(
            "governance/pdf/voters.html",
            {
                "assembly": assembly,
                "voters": selectors.voters_list(assembly=assembly),
                "generated_at": timezone.now(),
            },
        )


def ballots_csv(assembly: Assembly) -> str:
    buffer = io.StringIO()
    writer = safe_writer(buffer)
    # `marks`: an election ballot's candidate numbers (approved, or in order of preference).
    writer.writerow(["resolution", "receipt", "college", "votes", "choice", "marks"])
    for ballot in selectors.published_ballots(assembly=assembly):
        writer.writerow(
            [
                ballot.resolution.position,
                ballot.receipt,
                ballot.college,
                ballot.weight,
                ballot.choice,
                " ".join(str(n) for n in ballot.marks),
            ]
        )
    return buffer.getvalue()


def minutes_pdf(assembly: Assembly) -> bytes:
    with translation.override(assembly.entity.default_language or settings.LANGUAGE_CODE):
        voters = list(selectors.voters_list(assembly=assembly))
        return render_pdf(
            "governance/pdf/minutes.html",
            {
                "assembly": assembly,
                "entity": assembly.entity,
                "present": [v for v in voters if v.attended_at],
                "voters_count": len(voters),
                "online_count": selectors.online_voter_count(assembly=assembly),
                "proxies": selectors.proxies_of_assembly(assembly=assembly),
                "results": selectors.assembly_results(assembly=assembly),
                "election_results": selectors.election_results(assembly=assembly),
                "generated_at": timezone.now(),
            },
        )
