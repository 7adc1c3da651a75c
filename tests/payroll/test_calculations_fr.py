"""French engine: worked example F-1 of shared/RULES.md and the PAS rules."""

from datetime import date
from decimal import Decimal

import pytest

from payroll.calculations import (
    ArtistCostsGroup,
    ContractPay,
    Intermittent,
    MissingParameter,
    PayInput,
    TaxProfile,
    WorkerCategory,
    compute_pay,
)

from .helpers import pay

D = Decimal


def one_day(**extra):
    return pay("FR", WorkerCategory.NON_CADRE, "250.00", "8", start=date(2026, 6, 10),
               at_mp_rate=D("0.007"), employer_headcount=20, short_contract=True,
               **extra)  # fmt: skip


def test_one_day_contract_general_scheme_lines_match_rules_example_f1():
    """shared/RULES.md Part II §9, F-1 (CDDU of one day, EUR 250, June 2026): PSS pro-rated to
    one thirtieth (133.50), and every line of the general scheme as listed there, for a CDDU
    outside the performing arts (no annexe 8/10 lines)."""
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
    assert result.line("chomage_intermittent") is None
    assert result.line("conges_spectacles") is None
    # F-1's net imposable (200.05) includes the intermittent unemployment 6.00; without it:
    assert result.net_taxable == D("206.05")
    # PAS, short contract: 206.05 - 748 < 0 -> nothing withheld
    assert result.line("pas") is None and result.net_pay == result.net_social


def test_intermittent_technician_matches_rules_example_f1_line_by_line():
    """shared/RULES.md Part II §9, F-1: an intermittent technician (annexe 8) on a one-day CDDU
    of EUR 250 in June 2026. Employee: the annexe-8 unemployment 2.40 % (6.00), total 57.08, net
    before PAS 192.92, net imposable 200.05. Employer: unemployment 4.00 % + 0.50 % (CDDU of at
    most 3 months) + 5.00 % (annexe 8) = 10.00 + 1.25 + 12.50, Congés Spectacles 15.50 %
    (38.75); F-1 lists no réduction générale (RULES: not applied to intermittents until
    checked). F-1's employer total 151.90 includes the dialogue social 0.04, which the engine
    does not compute, and excludes AT/MP."""
    result = compute_pay(one_day(intermittent=Intermittent.TECHNICIAN))
    assert result.amount("chomage_intermittent") == D("6.00")
    assert result.line("chomage_intermittent").rate == D("0.024")
    assert result.employee_deductions == D("57.08")
    assert result.net_social == result.net_pay == D("192.92")
    assert result.net_taxable == D("200.05")
    employer = {
        "maladie_employer": "32.50", "vieillesse_plafonnee_employer": "11.41",
        "vieillesse_deplafonnee_employer": "5.28", "allocations_familiales": "13.13",
        "csa": "0.75", "fnal": "0.13", "chomage_employer": "10.00",
        "chomage_cddu_surcharge": "1.25", "chomage_intermittent_employer": "12.50",
        "ags": "0.63", "agirc_arrco_t1_employer": "6.30", "agirc_arrco_t2_employer": "15.09",
        "ceg_t1_employer": "1.72", "ceg_t2_employer": "1.89", "cet_employer": "0.53",
        "conges_spectacles": "38.75",
    }  # fmt: skip
    assert {code: str(result.amount(code)) for code in employer} == employer
    assert result.line("reduction_generale") is None
    at_mp = result.amount("at_mp")  # 250 x 0.7 %, not part of F-1
    assert at_mp == D("1.75")
    assert result.employer_contributions == D("151.90") - D("0.04") + at_mp
    assert "Audiens" in result.line("conges_spectacles").source


def test_intermittent_artist_matches_rules_example_f2():
    """shared/RULES.md Part II §9, F-2: a musician (annexe 10), one isolated cachet of EUR 250 in
    2026 with the DFS at 16 % (base 210.00, under the 360 ceiling of one day: 12 x EUR 30), the
    reduced rates (70 %) on the social security contributions, CSA at the full rate on 210,
    unemployment (2.40 %; 4.00 + 0.50 + 5.00 %) and Congés Spectacles on the 250 before DFS,
    CSG/CRDS on 98.25 % of 250."""
    result = compute_pay(
        pay("FR", WorkerCategory.NON_CADRE, "250.00", "8", start=date(2026, 6, 12),
            at_mp_rate=D("0.007"), employer_headcount=20, short_contract=True,
            intermittent=Intermittent.ARTIST, artist_costs=ArtistCostsGroup.MUSICIAN)
    )  # fmt: skip
    expected = {
        "vieillesse_plafonnee": "10.14", "vieillesse_deplafonnee": "0.59",
        "chomage_intermittent": "6.00",
        "csg_deductible": "16.70", "csg_non_deductible": "5.90", "crds": "1.23",
        "maladie_employer": "19.11", "vieillesse_plafonnee_employer": "12.57",
        "vieillesse_deplafonnee_employer": "3.10", "allocations_familiales": "7.72",
        "fnal": "0.15", "csa": "0.63", "conges_spectacles": "38.75",
    }  # fmt: skip
    assert {code: str(result.amount(code)) for code in expected} == expected
    unemployment = sum(
        result.amount(code)
        for code in ("chomage_employer", "chomage_cddu_surcharge", "chomage_intermittent_employer")
    )
    assert unemployment == D("23.75")  # 9.50 % of 250
    assert result.line("maladie_employer").base == D("210.00")
    assert result.line("maladie_employer").rate == D("0.091")  # 13 % x 0.7
    assert result.line("csg_deductible").base == D("245.63")
    assert result.line("agirc_arrco_t2") is None  # 210 is under the day's ceiling of 360
    assert result.amount("at_mp") == D("1.03")  # 210 x 0.7 % x 0.7
    assert "artist_costs_deduction" in result.notes


def test_short_engagement_ceiling_of_an_artist_is_12_hourly_ceilings_a_day():
    """URSSAF 'Assiette de cotisations plafonnée' (RULES Part II §5.2): an artist engaged for
    fewer than 5 consecutive days has a ceiling of 12 x the hourly PSS per day worked: two days
    in 2026 = 720 (not 2 x 4,005 / 30 = 267); from 5 days, the thirtieths again."""
    two_days = compute_pay(
        pay("FR", WorkerCategory.NON_CADRE, "900.00", "16", start=date(2026, 3, 2),
            end=date(2026, 3, 3), at_mp_rate=D("0.01"), intermittent=Intermittent.ARTIST)
    )  # fmt: skip
    assert two_days.line("vieillesse_plafonnee").base == D("720.00")
    assert two_days.line("agirc_arrco_t2").base == D("180.00")
    five_days = compute_pay(
        pay("FR", WorkerCategory.NON_CADRE, "900.00", "40", start=date(2026, 3, 2),
            end=date(2026, 3, 6), at_mp_rate=D("0.01"), intermittent=Intermittent.ARTIST)
    )  # fmt: skip
    assert five_days.line("vieillesse_plafonnee").base == D("667.50")  # 4,005 x 5 / 30
    technician = compute_pay(
        pay("FR", WorkerCategory.NON_CADRE, "900.00", "16", start=date(2026, 3, 2),
            end=date(2026, 3, 3), at_mp_rate=D("0.01"), intermittent=Intermittent.TECHNICIAN)
    )  # fmt: skip
    assert technician.line("vieillesse_plafonnee").base == D("267.00")
    assert technician.line("vieillesse_plafonnee").rate == D("0.069")  # no reduced rate


def test_no_cddu_surcharge_beyond_three_months_and_no_dfs_without_consent():
    long_cddu = PayInput(
        country="FR", category=WorkerCategory.NON_CADRE, period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        contracts=(ContractPay("C-1", D("3000.00"), D("151.67"), date(2026, 2, 1),
                               date(2026, 5, 31)),),
        at_mp_rate=D("0.01"), intermittent=Intermittent.ARTIST,
    )  # fmt: skip
    result = compute_pay(long_cddu)
    assert result.line("chomage_cddu_surcharge") is None
    assert result.amount("chomage_intermittent_employer") == D("150.00")
    assert result.line("maladie_employer").base == D("3000.00")  # no DFS: no consent given
    with pytest.raises(ValueError, match="performing artists"):
        compute_pay(one_day(artist_costs=ArtistCostsGroup.DRAMATIC))


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
