"""Pure arithmetic of votes: voting rights, quorum and majority verdicts. No ORM."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

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


# --- Board elections ---------------------------------------------------------------------------


@dataclass
class ElectionRound:
    tallies: dict[int, Fraction]  # candidate number → votes in this round
    elected: list[int] = field(default_factory=list)
    excluded: int | None = None


@dataclass
class SeatCount:
    """The count for the seats of one share category."""

    category: str
    seats: int
    method: str
    elected: list[int]  # candidate numbers, in the order they were elected
    votes: dict[int, Fraction]  # approvals, or first preferences for STV
    quota: Fraction | None = None
    rounds: list[ElectionRound] = field(default_factory=list)
    # Where the ties rule decided: the tied candidates, the one it picked, "elected"/"excluded".
    ties: list[tuple[list[int], int, str]] = field(default_factory=list)


def _best(candidates: Iterable[int], score: Mapping[int, Fraction], priority, ties) -> int:
    """The candidate with the most votes; among equals, the one the ties rule prefers (the
    lowest priority key), noting the tie."""
    pool = list(candidates)
    top = max(score[c] for c in pool)
    tied = sorted(c for c in pool if score[c] == top)
    chosen = min(tied, key=priority)
    if len(tied) > 1:
        ties.append((tied, chosen, "elected"))
    return chosen


def approval_count(
    *,
    ballots: Iterable[tuple[Iterable[int], int]],
    candidates: Iterable[int],
    seats: int,
    priority,
    category: str = "",
) -> SeatCount:
    """Approval voting: each ballot approves any number of candidates, each approval weighs the
    ballot's weight; the `seats` candidates with the most approvals are elected. A tie for the
    last seat is settled by `priority` (candidate → sort key, lower wins)."""
    votes: dict[int, Fraction] = {c: Fraction(0) for c in candidates}
    for marks, weight in ballots:
        for c in set(marks):
            if c in votes:
                votes[c] += weight
    elected: list[int] = []
    ties: list[tuple[list[int], int, str]] = []
    remaining = set(votes)
    while remaining and len(elected) < seats:
        chosen = _best(remaining, votes, priority, [])
        top = votes[chosen]
        tied = sorted(c for c in remaining if votes[c] == top)
        # The rule decides only when the tied candidates are more than the seats left.
        if len(tied) > seats - len(elected):
            ties.append((tied, chosen, "elected"))
        elected.append(chosen)
        remaining.discard(chosen)
    return SeatCount(category, seats, "approval", elected, votes, ties=ties)


def stv_count(
    *,
    ballots: Iterable[tuple[Iterable[int], int]],
    candidates: Iterable[int],
    seats: int,
    priority,
    category: str = "",
) -> SeatCount:
    """Single transferable vote with the Droop quota and fractional transfers (weighted
    inclusive Gregory, as in the Scottish STV rules), in exact fractions: each round, a
    candidate reaching the quota is elected and every ballot counting for them goes on at the
    value of the surplus over their votes; when none reaches it, the last is excluded and their
    ballots go on at their value. When the continuing candidates are no more than the seats
    left, they are all elected. Ties (most votes among those elected at once, fewest votes for
    exclusion) are settled by `priority` (lower wins, so the exclusion takes the highest)."""
    names = list(candidates)
    piles = [
        ([c for c in dict.fromkeys(marks) if c in names], Fraction(weight))
        for marks, weight in ballots
    ]
    piles = [(prefs, value) for prefs, value in piles if prefs]
    total = sum((value for _prefs, value in piles), Fraction(0))
    quota = Fraction(int(total // (seats + 1)) + 1) if seats else Fraction(0)
    continuing = set(names)
    elected: list[int] = []
    rounds: list[ElectionRound] = []
    ties: list[tuple[list[int], int, str]] = []
    first = {c: Fraction(0) for c in names}
    for prefs, value in piles:
        first[prefs[0]] += value

    def top(prefs: list[int]) -> int | None:
        return next((c for c in prefs if c in continuing), None)

    while len(elected) < seats and continuing:
        tallies = {c: Fraction(0) for c in continuing}
        for prefs, value in piles:
            current = top(prefs)
            if current is not None:
                tallies[current] += value
        this = ElectionRound(tallies=dict(sorted(tallies.items())))
        rounds.append(this)
        if len(continuing) <= seats - len(elected):
            while continuing:
                chosen = _best(continuing, tallies, priority, [])
                elected.append(chosen)
                this.elected.append(chosen)
                continuing.discard(chosen)
            break
        reached = [c for c in continuing if tallies[c] >= quota]
        if reached:
            chosen = _best(reached, tallies, priority, [])
            factor = (tallies[chosen] - quota) / tallies[chosen]
            piles = [
                (prefs, value * factor if top(prefs) == chosen else value) for prefs, value in piles
            ]
            elected.append(chosen)
            this.elected.append(chosen)
            continuing.discard(chosen)
            continue
        low = min(tallies[c] for c in continuing)
        tied = sorted(c for c in continuing if tallies[c] == low)
        excluded = max(tied, key=priority)
        if len(tied) > 1:
            ties.append((tied, excluded, "excluded"))
        this.excluded = excluded
        continuing.discard(excluded)
    return SeatCount(category, seats, "stv", elected, first, quota, rounds, ties)
