"""French engine: worked example F-1 of shared/RULES.md and the PAS rules."""

from datetime import date
from decimal import Decimal

import pytest

from payroll.calculations import MissingParameter, TaxProfile, WorkerCategory, compute_pay

from .helpers import pay

D = Decimal


def one_day(**extra):
    return pay("FR", WorkerCategory.NON_CADRE, "250.00", "8", start=date(2026, 6, 10),
               at_mp_rate=D("0.007"), employer_headcount=20, short_contract=True,
               **extra)  # fmt: skip


def test_one_day_contract_matches_rules_example_f1():
    """shared/RULES.md Part II §9, F-1 (CDDU of one day, EUR 250, June 2026): PSS pro-rated to
    one thirtieth (133.50), and every line of the general scheme as listed there (the annexe-8
    unemployment and Congés Spectacles lines are intermittent-specific and not built)."""
    result = compute_pay(one_day())
    expected = {
        "vieillesse_plafonnee": "9.21", "vieillesse_deplafonnee": "1.00",
        "agirc_arrco_t1": "4.21", "agirc_arrco_t2": "10.07", "ceg_t1": "1.15", "ceg_t2": "1.26",
        "cet": "0.35", "csg_deductible": "16.70", "csg_non_deductible": "5.90", "crds": "1.23",
        "maladie_employer": "32.50", "vieillesse_plafonnee_employer": "11.41",
        "vieillesse_deplafonnee_employer": "5.28", "allocations_familiales": "13.13",
        "csa": "0.75", "fnal": "0.13", "chomage_employer": "10.00", "ags": "0.63",
        "agirc_arrco_t1_employer": "6.30", "agirc_arrco_t2_employer": "15.09",
        "ceg_t1_employer": "1.72", "ceg_t2_employer": "1.89", "cet_employer": "0.53",
    }  # fmt: skip
    assert {code: str(result.amount(code)) for code in expected} == expected
    assert result.line("vieillesse_plafonnee").base == D("133.50")
    # F-1's net imposable (200.05) includes the intermittent unemployment 6.00; without it:
    assert result.net_taxable == D("206.05")
    # PAS, short contract: 206.05 - 748 < 0 -> nothing withheld
    assert result.line("pas") is None and result.net_pay == result.net_social


def test_a_personalised_rate_replaces_the_neutral_grid():
    result = compute_pay(one_day(profile=TaxProfile(fr_pas_rate=D("0.075"))))
    assert result.amount("pas") == D("15.45")  # 7.5 % of 206.05
    assert result.net_pay == result.net_social - D("15.45")
    assert "pas_neutral_rate" not in result.notes


def test_neutral_grid_changes_on_1_may_2026():
    """RULES Part II §6: a net imposable of about 2,304 is in the 5.3 % band of the May 2025 grid
    (2,294-2,714) until 30 April 2026 and in the 4.1 % band of the LF 2026 grid (2,170-2,315)
    from 1 May 2026."""
    april = compute_pay(pay("FR", WorkerCategory.NON_CADRE, "2810.00", "151.67",
                            start=date(2026, 4, 1), end=date(2026, 4, 30),
                            at_mp_rate=D("0.01")))  # fmt: skip
    may = compute_pay(pay("FR", WorkerCategory.NON_CADRE, "2810.00", "151.67",
                          start=date(2026, 5, 1), end=date(2026, 5, 31),
                          at_mp_rate=D("0.01")))  # fmt: skip
    assert april.net_taxable == may.net_taxable
    assert D("2294") <= april.net_taxable < D("2315")
    assert april.line("pas").rate == D("0.053")
    assert may.line("pas").rate == D("0.041")


def test_rgdu_is_zero_from_three_smic_and_positive_below():
    """CSS L241-13 (RGDU 2026): zero from 3 x SMIC (3 x 12.02 x 151.67 = 5,469.22)."""
    below = compute_pay(pay("FR", WorkerCategory.NON_CADRE, "5400.00", "151.67",
                            start=date(2026, 3, 1), end=date(2026, 3, 31),
                            at_mp_rate=D("0.01")))  # fmt: skip
    above = compute_pay(pay("FR", WorkerCategory.NON_CADRE, "5500.00", "151.67",
                            start=date(2026, 3, 1), end=date(2026, 3, 31),
                            at_mp_rate=D("0.01")))  # fmt: skip
    assert below.amount("reduction_generale") < 0
    assert above.line("reduction_generale") is None


def test_pas_before_the_first_grid_we_hold_is_a_named_error():
    with pytest.raises(MissingParameter, match=r"fr\.pas_neutral_grid .*2025-03-01"):
        compute_pay(pay("FR", WorkerCategory.CADRE, "3000.00", "151.67",
                        start=date(2025, 3, 1), end=date(2025, 3, 31),
                        at_mp_rate=D("0.01")))  # fmt: skip


def test_france_needs_the_employer_work_accident_rate():
    with pytest.raises(ValueError, match="AT/MP"):
        compute_pay(pay("FR", WorkerCategory.CADRE, "3000.00", "151.67",
                        start=date(2026, 3, 1), end=date(2026, 3, 31)))  # fmt: skip
