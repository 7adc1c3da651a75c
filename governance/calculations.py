"""Pure arithmetic of votes: voting rights, quorum and majority verdicts. No ORM."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

MAJORITY_FRACTIONS = {
    # (numerator, denominator, strictly greater?): simple majority needs more than half;
    # two thirds and three quarters are reached at exactly that fraction.
    "simple": (1, 2, True),
    "two_thirds": (2, 3, False),
    "three_quarters": (3, 4, False),
}


def voting_right(
    *,
    holdings: Mapping[str, int],
    weighting: str,
    category_weights: Mapping[str, int],
    colleges_by_category: bool,
) -> tuple[str, int, int] | None:
    """(college, shares, weight) of a member holding `holdings` (category → shares), or None
    when they hold nothing. One person one vote gives weight 1; weighting by shares gives the
    sum of shares times votes per share of their category. A member holding several categories
    votes in the college of the first one (A before B before C)."""
    held = {c: n for c, n in holdings.items() if n > 0}
    if not held:
        return None
    shares = sum(held.values())
    if weighting == "shares":
        weight = sum(n * int(category_weights.get(c, 1)) for c, n in held.items())
    else:
        weight = 1
    college = sorted(held)[0] if colleges_by_category else ""
    return college, shares, max(weight, 1)


def eligible_holdings(at_record: Mapping[str, int], at_start: Mapping[str, int]) -> dict[str, int]:
    """Shares held throughout the minimum holding period: per category, the fewer of the two."""
    return {c: min(n, at_start.get(c, 0)) for c, n in at_record.items()}


def majority_reached(*, majority: str, votes_for: int, votes_cast: int) -> bool:
    num, den, strict = MAJORITY_FRACTIONS[majority]
    if votes_cast <= 0:
        return False
    if strict:
        return votes_for * den > votes_cast * num
    return votes_for * den >= votes_cast * num


def quorum_reached(*, represented: int, total: int, percent: Decimal) -> bool:
    if percent <= 0:
        return True
    if total <= 0:
        return False
    return Decimal(represented) * 100 >= percent * total


@dataclass
class Count:
    votes_for: int = 0
    against: int = 0
    abstain: int = 0
    represented: int = 0  # weight of the voters who took part (any choice)
    total: int = 0  # weight on the voters' list

    def cast(self, abstentions_count: bool) -> int:
        return self.votes_for + self.against + (self.abstain if abstentions_count else 0)


@dataclass
class Verdict:
    college: str
    count: Count
    quorum: bool
    majority: bool

    @property
    def adopted(self) -> bool:
        return self.quorum and self.majority


@dataclass
class ResolutionResult:
    colleges: list[Verdict] = field(default_factory=list)
    overall: Verdict | None = None

    @property
    def adopted(self) -> bool:
        verdicts = [self.overall] if self.overall else []
        return bool(verdicts) and all(v.adopted for v in verdicts + self.colleges)


def tally(
    *,
    ballots: Iterable[tuple[str, str, int]],
    totals: Mapping[str, int],
    majority: str,
    abstentions_count: bool,
    quorum_percent: Decimal,
    college_quorum_percent: Decimal,
    quorum_required: bool,
    by_college: bool,
) -> ResolutionResult:
    """Verdicts from (college, choice, weight) ballots and the voters' list's weight per college
    (`totals`). With colleges, the resolution is adopted only if it is in every college that
    has voters, and overall. Without quorum (a second convocation) the quorum is not checked."""
    counts: dict[str, Count] = {c: Count(total=t) for c, t in totals.items()}
    for college, choice, weight in ballots:
        count = counts.setdefault(college, Count())
        count.represented += weight
        if choice == "for":
            count.votes_for += weight
        elif choice == "against":
            count.against += weight
        else:
            count.abstain += weight

    def verdict(name: str, count: Count, percent: Decimal) -> Verdict:
        quorum = (not quorum_required) or quorum_reached(
            represented=count.represented, total=count.total, percent=percent
        )
        majority_ok = majority_reached(
            majority=majority, votes_for=count.votes_for, votes_cast=count.cast(abstentions_count)
        )
        return Verdict(name, count, quorum, majority_ok)

    overall = Count()
    for count in counts.values():
        overall.votes_for += count.votes_for
        overall.against += count.against
        overall.abstain += count.abstain
        overall.represented += count.represented
        overall.total += count.total
    result = ResolutionResult(overall=verdict("", overall, quorum_percent))
    if by_college:
        result.colleges = [
            verdict(name, count, college_quorum_percent)
            for name, count in sorted(counts.items())
            if count.total > 0
        ]
    return result
