"""Quorum and majority verdicts at their boundaries, voting rights and weights (pure maths)."""

from decimal import Decimal

import pytest

from governance import calculations as calc


@pytest.mark.parametrize(
    ("majority", "votes_for", "cast", "reached"),
    [
        ("simple", 50, 100, False),  # exactly half is not a majority
        ("simple", 51, 100, True),
        ("simple", 1, 1, True),
        ("two_thirds", 2, 3, True),  # exactly two thirds is enough
        ("two_thirds", 66, 100, False),
        ("two_thirds", 67, 100, True),
        ("three_quarters", 3, 4, True),
        ("three_quarters", 74, 100, False),
        ("simple", 0, 0, False),
    ],
)
def test_majority_boundaries(majority, votes_for, cast, reached):
    assert calc.majority_reached(majority=majority, votes_for=votes_for, votes_cast=cast) is reached


@pytest.mark.parametrize(
    ("represented", "total", "percent", "reached"),
    [
        (50, 100, Decimal("50"), True),
        (49, 100, Decimal("50"), False),
        (0, 100, Decimal("0"), True),
        (1, 3, Decimal("33.34"), False),
        (1, 3, Decimal("33.33"), True),
    ],
)
def test_quorum_boundaries(represented, total, percent, reached):
    assert calc.quorum_reached(represented=represented, total=total, percent=percent) is reached


def test_abstentions_count_as_the_statutes_say():
    ballots = [("", "for", 6), ("", "against", 4), ("", "abstain", 3)]
    kwargs = dict(
        ballots=ballots,
        totals={"": 13},
        majority="simple",
        quorum_percent=Decimal(0),
        college_quorum_percent=Decimal(0),
        quorum_required=True,
        by_college=False,
    )
    assert calc.tally(abstentions_count=False, **kwargs).adopted  # 6 of 10
    assert not calc.tally(abstentions_count=True, **kwargs).adopted  # 6 of 13


def test_a_resolution_must_pass_in_every_college_and_each_college_needs_its_quorum():
    ballots = [("A", "for", 10), ("B", "against", 2), ("B", "for", 1)]
    result = calc.tally(
        ballots=ballots,
        totals={"A": 10, "B": 4},
        majority="simple",
        abstentions_count=False,
        quorum_percent=Decimal(0),
        college_quorum_percent=Decimal(50),
        quorum_required=True,
        by_college=True,
    )
    assert result.overall.adopted  # 11 for 2 against overall
    verdicts = {v.college: v for v in result.colleges}
    assert verdicts["A"].adopted and verdicts["B"].quorum and not verdicts["B"].majority
    assert not result.adopted


def test_a_second_convocation_decides_without_quorum():
    kwargs = dict(
        ballots=[("", "for", 1)],
        totals={"": 100},
        majority="simple",
        abstentions_count=False,
        quorum_percent=Decimal(50),
        college_quorum_percent=Decimal(0),
        by_college=False,
    )
    assert not calc.tally(quorum_required=True, **kwargs).adopted
    assert calc.tally(quorum_required=False, **kwargs).adopted


def test_voting_rights_by_person_or_by_share_weights_and_college_of_the_first_category():
    holdings = {"B": 2, "C": 3}
    assert calc.voting_right(
        holdings=holdings, weighting="person", category_weights={}, colleges_by_category=False
    ) == ("", 5, 1)
    assert calc.voting_right(
        holdings=holdings, weighting="shares", category_weights={"C": 10}, colleges_by_category=True
    ) == ("B", 5, 32)
    assert (
        calc.voting_right(
            holdings={"A": 0}, weighting="person", category_weights={}, colleges_by_category=False
        )
        is None
    )
    assert calc.eligible_holdings({"A": 5, "B": 1}, {"A": 2}) == {"A": 2, "B": 0}
