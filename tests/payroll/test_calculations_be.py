"""Belgian engine: worked examples, each naming its source."""

from datetime import date
from decimal import Decimal

import pytest

from payroll.calculations import (
    ContractPay,
    ExitHoliday,
    MaritalStatus,
    MissingParameter,
    PayInput,
    Side,
    TaxProfile,
    WorkerCategory,
    YearToDate,
    compute_pay,
)

from .helpers import month, pay

D = Decimal


def test_artist_one_day_at_200_matches_rules_example_b2():
    """shared/RULES.md Part II §9, worked example B-2 (Belgian artist, one day, EUR 200 gross):
    SSC base 216.00, employee SSC 28.23, employer global rate 54.00, quarterly holiday
    contribution 12.03, annual holiday contribution 22.18."""
    result = compute_pay(pay("BE", WorkerCategory.ARTIST, "200.00", "8", start=date(2026, 6, 12)))
    ssc = result.line("ssc_personal")
    assert (ssc.base, ssc.rate, ssc.amount) == (D("216.00"), D("0.1307"), D("28.23"))
    assert result.amount("employer_basic") + result.amount("employer_wage_moderation") == D("54.00")
    assert result.amount("holiday_fund_quarterly") == D("12.03")
    assert result.amount("holiday_fund_annual") == D("22.18")
    # one day is a small fraction of a month: its full-time reference wage is far above the work
    # bonus ceiling, and a month's pay of 171.77 annualised stays under the tax-free sum
    assert result.line("work_bonus_a") is None and result.amount("withholding_tax") == 0
    assert result.net_pay == D("171.77")


def test_white_collar_3000_matches_rules_example_b1_contributions():
    """shared/RULES.md Part II §9, example B-1: EUR 3,000 gross a month, SSC 392.10 (13.07 %),
    and with the work bonus of 1 April 2026 the annual reference taxable pay is 32,402.04."""
    result = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67",
                             start=date(2026, 6, 1), end=date(2026, 6, 30)))  # fmt: skip
    assert result.amount("ssc_personal") == D("392.10")
    # part A of 1 Apr 2026 (RULES §1.2): 125.04 - 0.2738 x (3000 - 2880.32) = 92.27
    assert result.amount("work_bonus_a") == D("-92.27")
    assert result.line("work_bonus_b") is None  # B is zero from 2,880.32
    assert result.net_taxable * 12 == D("32402.04")


def test_withholding_follows_the_2026_key_formula_step_by_step():
    """Annex III AR/CIR 92, 2026 key formula as described in shared/RULES.md §1.4 (steps A-E):
    32,402.04 annual - lump-sum costs capped at 6,070 = 26,332.04; scale 26.75 % to 16,710 and
    42.80 % above = 4,469.93 + 4,118.23; minus the tax on the 11,170 tax-free sum (2,987.98)
    = 5,600.18 a year = 466.68 a month; minus the fiscal work bonus 33.14 % x 92.27 = 30.58."""
    result = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67",
                             start=date(2026, 6, 1), end=date(2026, 6, 30)))  # fmt: skip
    assert result.amount("withholding_tax") == D("466.68")
    assert result.amount("fiscal_work_bonus") == D("-30.58")


def test_work_bonus_before_and_from_1_april_2026():
    """RULES §1.2: employee part B is 162.62 up to S = 2,175.25 (from 1 Feb 2025) and 168.62 up
    to 2,255.50 (from 1 Apr 2026); for S = 2,100 full time both parts are in full, capped by the
    SSC (274.47 = 2,100 x 13.07 %)."""
    march = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "2100.00", "164.67",
                            start=date(2026, 3, 1), end=date(2026, 3, 31)))  # fmt: skip
    april = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "2100.00", "164.67",
                            start=date(2026, 4, 1), end=date(2026, 4, 30)))  # fmt: skip
    assert march.amount("work_bonus_a") + march.amount("work_bonus_b") == D("-274.47")
    assert march.amount("ssc_personal") == D("274.47")
    # from 1 April the bonus is bigger than the SSC too: still never more than the SSC
    assert april.amount("work_bonus_a") + april.amount("work_bonus_b") == D("-274.47")
    bonus_1750 = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "1750.00", "164.67",
                                 start=date(2026, 4, 1), end=date(2026, 4, 30)))  # fmt: skip
    assert bonus_1750.amount("ssc_personal") == D("228.73")


def test_married_with_partner_without_income_pays_less_withholding():
    single = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "4000.00", "164.67",
                             start=date(2026, 5, 1), end=date(2026, 5, 31)))  # fmt: skip
    married = compute_pay(
        pay("BE", WorkerCategory.EMPLOYEE, "4000.00", "164.67", start=date(2026, 5, 1),
            end=date(2026, 5, 31),
            profile=TaxProfile(marital_status=MaritalStatus.COUPLE, partner_has_income=False))
    )  # fmt: skip
    two_incomes = TaxProfile(marital_status=MaritalStatus.COUPLE, partner_has_income=True)
    couple = compute_pay(
        pay(
            "BE",
            WorkerCategory.EMPLOYEE,
            "4000.00",
            "164.67",
            start=date(2026, 5, 1),
            end=date(2026, 5, 31),
            profile=two_incomes,
        )
    )
    with_children = compute_pay(
        pay("BE", WorkerCategory.EMPLOYEE, "4000.00", "164.67", start=date(2026, 5, 1),
            end=date(2026, 5, 31),
            profile=TaxProfile(marital_status=MaritalStatus.COUPLE, partner_has_income=True,
                               dependent_children=2))
    )  # fmt: skip
    assert married.amount("withholding_tax") < single.amount("withholding_tax")
    assert couple.amount("withholding_tax") == single.amount("withholding_tax")
    # two children: 1,660 a year less tax (RULES §1.4 table) = 138.33 a month
    assert couple.amount("withholding_tax") - with_children.amount("withholding_tax") == D("138.33")
    assert single.notes == ("tax_profile_default",) and couple.notes == ()


def test_special_contribution_bands_for_single_and_two_incomes():
    """BBSZ monthly advance (RULES Part II §2 bands from 1 Apr 2022): 3,000 for a single worker
    = 10.33 + 1.1 % x (3,000 - 2,190.18) = 19.24; two incomes: 18.60 + 1.1 % x 809.82 = 27.51."""
    single = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67",
                             start=date(2026, 5, 1), end=date(2026, 5, 31)))  # fmt: skip
    two = compute_pay(
        pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=date(2026, 5, 1),
            end=date(2026, 5, 31),
            profile=TaxProfile(marital_status=MaritalStatus.COUPLE, partner_has_income=True))
    )  # fmt: skip
    assert single.amount("special_ssc") == D("19.24")
    assert two.amount("special_ssc") == D("27.51")


def test_student_within_quota_pays_solidarity_only():
    """RULES §1.7: 2.71 % student, 5.42 % employer, no work bonus; FPS Finance: no withholding."""
    result = compute_pay(pay("BE", WorkerCategory.STUDENT, "500.00", "40",
                             start=date(2026, 7, 1), end=date(2026, 7, 5)))  # fmt: skip
    assert result.amount("student_solidarity") == D("13.55")
    assert result.amount("student_solidarity_employer") == D("27.10")
    assert [line.code for line in result.lines] == ["student_solidarity",
                                                    "student_solidarity_employer"]  # fmt: skip
    assert result.net_pay == D("486.45")
    assert result.student_hours_in_quota == 40


def test_student_hours_beyond_the_quota_are_paid_at_ordinary_rates():
    """650 h in 2026 (RULES §1.7): with 630 h used, 20 of 40 hours are within the quota."""
    result = compute_pay(pay("BE", WorkerCategory.STUDENT, "600.00", "40",
                             start=date(2026, 8, 3), end=date(2026, 8, 7),
                             student_hours_used="630"))  # fmt: skip
    assert result.student_hours_in_quota == 20 and result.student_hours_beyond_quota == 20
    assert result.line("student_solidarity").base == D("300.00")
    assert result.line("ssc_personal").base == D("300.00")
    assert "student_quota_exceeded" in result.notes


def test_student_quota_goes_to_contracts_in_the_order_they_start():
    first, last = month(2026, 9)
    early = ContractPay("B-2", D("200.00"), D("10"), date(2026, 9, 1), date(2026, 9, 2))
    late = ContractPay("A-1", D("900.00"), D("30"), date(2026, 9, 20), date(2026, 9, 25))
    for contracts in ((early, late), (late, early)):
        result = compute_pay(PayInput("BE", WorkerCategory.STUDENT, first, last, contracts,
                                      year_to_date=YearToDate(D("640"))))  # fmt: skip
        # the 10 hours left go to the contract of 1 September: its 200.00 at solidarity rate
        assert result.line("student_solidarity").base == D("200.00")
        assert result.line("ssc_personal").base == D("900.00")


def test_a_missing_parameter_names_itself_and_the_date():
    """The 2026 key formula is the first we hold: a 2025 payment stops, naming what is missing."""
    with pytest.raises(MissingParameter, match=r"be\.withholding_scale .*2025-06-01"):
        compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "2500.00", "164.67",
                        start=date(2025, 6, 1), end=date(2025, 6, 30)))  # fmt: skip


def test_every_line_names_its_legal_source():
    result = compute_pay(pay("BE", WorkerCategory.MANUAL_WORKER, "2400.00", "120",
                             start=date(2026, 5, 4), end=date(2026, 5, 22)))  # fmt: skip
    assert {line.side for line in result.lines} == {Side.EMPLOYEE, Side.EMPLOYER}
    for line in result.lines:
        assert len(line.source) > 10, line.code
    assert "108" in result.line("ssc_personal").source


def test_the_result_keeps_a_snapshot_of_every_parameter_value_it_used():
    """What a payslip will copy when issued: key, date of the value, value and source."""
    import json

    result = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67",
                             start=date(2026, 6, 1), end=date(2026, 6, 30)))  # fmt: skip
    used = {p.key: p for p in result.parameters}
    assert json.loads(used["be.ssc_personal_rate"].value) == "0.1307"
    assert used["be.work_bonus_employee"].valid_from == date(2026, 4, 1)
    assert json.loads(used["be.withholding_tax_free_sum"].value) == "11170.00"
    assert "be.student_solidarity_rates" not in used  # not a student: never read
    for line in result.lines:
        assert any(p.source in line.source for p in result.parameters), line.code


def _june_3000(**extra):
    return pay("BE", WorkerCategory.EMPLOYEE, "3000.00", "164.67", start=date(2026, 6, 1),
               end=date(2026, 6, 30), **extra)  # fmt: skip


def test_exit_holiday_pay_matches_rules_example_b1():
    """shared/RULES.md Part II §9, worked example B-1: a white-collar employee at EUR 3,000 a
    month leaves on 30 June 2026, the holidays earned in 2025 taken: 15.34 % of the 18,000 earned
    in 2026 = 1,380.60 single + 1,224.00 double + 156.60 additional = 2,761.20; SSC 180.44 on the
    single part, special contribution 159.98 on the double part; taxable 2,420.78 at 39.37 %
    (annual taxable 32,402.04 = 2,700.17 x 12 with the April-2026 work bonus) = 953.06; net exit
    pay 1,467.72; employer 25 % on the single part = 345.15."""
    without = compute_pay(_june_3000())
    monthly_taxable = without.net_taxable
    assert monthly_taxable == D("2700.17")
    result = compute_pay(
        _june_3000(
            exit_holiday=ExitHoliday(
                current_year_gross=D("15000.00"), taxable_before=monthly_taxable * 11
            )
        )
    )
    amounts = {line.code: str(line.amount) for line in result.lines if "exit" in line.code}
    assert amounts == {
        "exit_holiday_simple": "1380.60", "exit_holiday_double": "1224.00",
        "exit_holiday_additional": "156.60", "exit_holiday_ssc": "180.44",
        "exit_holiday_special_contribution": "159.98", "exit_holiday_withholding": "953.06",
        "exit_holiday_employer_basic": "274.46", "exit_holiday_employer_wage_moderation": "70.69",
    }  # fmt: skip
    assert {line.side for line in result.lines if line.code.startswith("exit_holiday_")} == {
        Side.EARNING,
        Side.EMPLOYEE,
        Side.EMPLOYER,
    }
    withholding = result.line("exit_holiday_withholding")
    assert (withholding.base, withholding.rate) == (D("2420.78"), D("0.3937"))
    assert "32402.04" in withholding.source
    assert result.gross == D("3000.00") + D("2761.20")
    assert result.net_pay - without.net_pay == D("1467.72")
    assert result.net_taxable - without.net_taxable == D("2420.78")
    assert result.employer_contributions - without.employer_contributions == D("345.15")
    assert result.net_pay + result.employee_deductions == result.gross
    assert "exit_holiday_pay" in result.notes


def test_exit_holiday_pay_band_follows_the_annual_taxable_pay():
    """RULES B-1 sensitivity: an annual taxable pay of 31,294.80 (no work bonus) under a
    threshold above it would fall in the 36.34 % band; with the 2025/2026 grid, 31,070.01 to
    33,810 is 39.37 % and up to 31,070 is 36.34 %. A worker who earned EUR 200 with the employer
    in the year (reference under 10,415) has nothing withheld (grid, first band)."""
    low = compute_pay(_june_3000(exit_holiday=ExitHoliday(taxable_before=D("28369.83"))))
    assert low.line("exit_holiday_withholding").rate == D("0.3634")  # 28,369.83 + 2,700.17
    one_day = compute_pay(
        pay("BE", WorkerCategory.EMPLOYEE, "200.00", "8", start=date(2026, 3, 4),
            exit_holiday=ExitHoliday())
    )  # fmt: skip
    assert one_day.amount("exit_holiday_simple") == D("15.34")  # 200 x 7.67 %
    assert one_day.amount("exit_holiday_withholding") == 0


def test_exit_holiday_pay_includes_previous_year_not_yet_taken():
    """RULES B-1 variant: the holidays earned in 2025 not yet taken add 15.34 % of the 2025
    gross with the employer (36,000 x 15.34 % = 5,522.40) to the 2,761.20 of 2026."""
    result = compute_pay(
        _june_3000(
            exit_holiday=ExitHoliday(
                current_year_gross=D("15000.00"),
                previous_year_gross=D("36000.00"),
                taxable_before=D("29701.87"),
            )
        )
    )
    earned = sum(line.amount for line in result.earning_lines)
    assert earned == D("2761.20") + D("5522.40")


def test_no_exit_holiday_pay_for_artists():
    """RULES Part II §1.3: artists' holiday pay comes from the holiday fund, never as exit pay."""
    with pytest.raises(ValueError, match="employees only"):
        compute_pay(pay("BE", WorkerCategory.ARTIST, "200.00", "8", start=date(2026, 6, 12),
                        exit_holiday=ExitHoliday()))  # fmt: skip


def test_married_with_one_income_deducts_both_tax_free_sums_from_the_whole_tax():
    """shared/RULES.md §1.4 step C (scale II): the marital quotient min(30 % x net, cap) is
    taxed apart, and 2 x the tax on the tax-free sum comes off the sum of both taxes (the same
    in Odoo's l10n_be_hr_payroll `_get_be_withholding_taxes`, read as a cross-check). B-1's
    EUR 3,000 employee: net 26,332.04, quotient 7,899.61; 5,207.13 + 2,113.15 - 2 x 2,987.98
    = 1,344.32 a year = 112.03 a month (not 184.93: the partner's unused tax-free sum is not
    lost), minus the fiscal work bonus 30.58."""
    result = compute_pay(
        _june_3000(profile=TaxProfile(marital_status=MaritalStatus.COUPLE,
                                      partner_has_income=False))
    )  # fmt: skip
    assert result.amount("withholding_tax") == D("112.03")
    assert result.amount("fiscal_work_bonus") == D("-30.58")


def test_family_reductions_come_off_the_yearly_tax():
    """shared/RULES.md §1.4 (reductions: one child 621 a year; 52 a month for another
    dependant, the amount payroll.yaml also gives a single parent and a disabled worker, marked
    UNCERTAIN there): B-1's yearly tax 5,600.18 less 624 = 414.68 a month; a single parent of
    one child 5,600.18 - 621 - 624 = 362.93."""
    dependant = compute_pay(_june_3000(profile=TaxProfile(other_dependants=1)))
    disabled = compute_pay(_june_3000(profile=TaxProfile(disabled=True)))
    single_parent = compute_pay(_june_3000(profile=TaxProfile(dependent_children=1)))
    assert dependant.amount("withholding_tax") == D("414.68")
    assert disabled.amount("withholding_tax") == D("414.68")
    assert single_parent.amount("withholding_tax") == D("362.93")


def test_structural_reduction_of_a_full_time_employee():
    """shared/RULES.md Part II §2 (socialsecurity.be DmfA intermediates, category 1, Q2 2025):
    R = 0.14 x (11,233.89 - S) + 0.40 x (7,082.19 - S) a quarter, S the quarterly wage; a month
    carries a third. EUR 2,000 full time: S = 6,000, R = 732.74 + 432.88 = 1,165.62, 388.54 a
    month; EUR 3,000: S = 9,000, only the first term, 104.25 a month."""
    low = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "2000.00", "164.67",
                          start=date(2026, 6, 1), end=date(2026, 6, 30)))  # fmt: skip
    assert low.amount("structural_reduction") == D("-388.54")
    assert low.employer_cost == D("2000.00") + D("397.60") + D("102.40") - D("388.54")
    assert compute_pay(_june_3000()).amount("structural_reduction") == D("-104.25")


def test_manual_worker_contributions_on_108_percent_and_the_holiday_fund():
    """shared/RULES.md Part II §2: a manual worker's SSC (13.07 %), the employer's 19.88 % +
    5.12 % and the holiday fund 5.57 % (quarterly) + 10.27 % (annual) are on 108 % of the gross:
    EUR 2,000 -> base 2,160.00, SSC 282.31, 429.41 + 110.59, 120.31 + 221.83."""
    result = compute_pay(pay("BE", WorkerCategory.MANUAL_WORKER, "2000.00", "164.67",
                             start=date(2026, 6, 1), end=date(2026, 6, 30)))  # fmt: skip
    amounts = {code: str(result.amount(code)) for code in (
        "ssc_personal", "employer_basic", "employer_wage_moderation", "holiday_fund_quarterly",
        "holiday_fund_annual")}  # fmt: skip
    assert amounts == {
        "ssc_personal": "282.31", "employer_basic": "429.41",
        "employer_wage_moderation": "110.59", "holiday_fund_quarterly": "120.31",
        "holiday_fund_annual": "221.83",
    }  # fmt: skip
    assert result.line("ssc_personal").base == D("2160.00")


def test_a_one_week_contract_gets_the_work_bonus_of_its_full_time_reference_wage():
    """The pro-rating written at the top of be.py (DmfA instructions, shared/RULES.md §1.2):
    38 hours in June 2026 are mu = 38 / (38 x 52 / 12) = 3/13 of a month; EUR 600 is a
    full-time reference wage S = 2,600; part A 125.04 (S under 2,880.32) and part B 168.62 -
    0.2699 x (2,600 - 2,255.50) = 75.64, each x 3/13: 28.86 and 17.46. Withholding on the
    month's pay as paid: 567.90 a month is under the tax-free sum."""
    result = compute_pay(pay("BE", WorkerCategory.EMPLOYEE, "600.00", "38",
                             start=date(2026, 6, 8), end=date(2026, 6, 12)))  # fmt: skip
    assert result.amount("work_bonus_a") == D("-28.86")
    assert result.amount("work_bonus_b") == D("-17.46")
    assert result.amount("ssc_personal") == D("78.42")
    assert result.net_taxable == D("567.90") and result.amount("withholding_tax") == 0
