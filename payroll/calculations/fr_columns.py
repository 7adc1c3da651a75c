"""France, a month's ordinary payments as exact integer columns: every line's base and amount,
net imposable, net social, PAS, net paid and employer cost in cents (numpy int64), the same
values as `fr.compute` (the reference) to the cent; the per-payment `PayResult`s (Decimal
lines with their sources and the parameter snapshot, equal by value and repr to the
reference's) are made from the columns afterwards (`MonthColumns.results()`).

Why it is exact. Money is never a float here: a base is an integer number of cents; a rate is
an integer, the Decimal rate times 10^6 (`RATE_SCALE`; a rate with more decimals is not
admitted); the CSG/CRDS base (98.25 % of the gross up to 4 PSS) is an integer in 10^-6 euro.
The reference multiplies a base by a rate (exact: the product has far fewer than the context's
28 digits in the admitted range) and rounds half-up to the cent; here the integer product is
divided by the scale, rounding half away from zero in integers (sign-aware), which gives the
same cent. Ceilings and tranches are integer min/max; the PAS band is `searchsorted` over the
grid's lower bounds in cents (the reference's "last band whose lower bound the base reaches").
The réduction générale's coefficient (a 4-decimal rate from a power of a quotient) is found
for the whole column at once, the reference's function computing those near a rounding
boundary (`reduction_coefficients`); its amount is the same integer rounding.

What is admitted (`admitted`; else the payment goes to the Decimal column engine of
`fr_batch`, which gives the same results more slowly): a gross written with exactly two
decimals (as the reference prints it) between 0.01 and `MAX_GROSS` (1,000,000.00 €), AT/MP and
personalised PAS rates between 0 and 1 with at most 6 decimals, and a month whose parameters
(rates, grid, abatement, the réduction générale's rates to 4 decimals) fit these scales. With
a gross of at most 10^8 cents and a rate of at most 10^6, the largest product is the CSG base
(10^8 x 10^4) times a rate (10^6) = 10^18, below int64's 9.2 x 10^18: no overflow is possible
for what is admitted; the products have at most 19 digits, exact in a Decimal context of 19
digits or more (`context_exact`; the default has 28).
"""

from __future__ import annotations

import decimal
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import attrgetter, itemgetter, mul
from typing import TYPE_CHECKING, Any

import numpy as np

from . import fr
from .types import Line, PayInput, PayResult, Side

if TYPE_CHECKING:
    from .fr_batch import _Plan

RATE_DIGITS = 6
RATE_SCALE = 10**RATE_DIGITS
CSG_DIGITS = 4  # the CSG abatement's decimals: the CSG base in 10^-(2 + 4) euro
MAX_GROSS = Decimal("1000000.00")
MAX_GROSS_CENTS = 100_000_000
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")
EMPLOYEE = Side.EMPLOYEE
EMPLOYER = Side.EMPLOYER
_new_tuple = tuple.__new__
_new_object = object.__new__
_set = object.__setattr__

# The bases a line is computed on (columns of `MonthColumns.bases`).
T1, GROSS, T2, UP_TO_8, UP_TO_4, CSG, PAS = "t1", "gross", "t2", "up_to_8", "up_to_4", "csg", "pas"
# Bases often the same for a whole group of payments (the ceiling and its multiples).
_MAYBE_CONSTANT = frozenset({T1, T2, UP_TO_8, UP_TO_4})
# When a line is printed besides its rate being non-zero.
ALWAYS, ABOVE, CADRE_ONLY = 0, 1, 2


def _scaled(value: Decimal, digits: int) -> int | None:
    """`value` x 10^digits as an int when exact, else None."""
    scaled = value.scaleb(digits)
    return int(scaled) if scaled == scaled.to_integral_value() else None


@dataclass(frozen=True)
class Slot:
    """One line of the payslip as a column: its template (code, label, rate, side, source),
    its base, when it is printed, its rate x 10^6."""

    template: tuple
    base: str
    when: int
    rate: int


@dataclass(frozen=True)
class ColumnPlan:
    pss: int  # cents
    abatement_pss: int
    csg_factor: int  # (1 - abatement) x 10^4
    employee: tuple[Slot, ...]  # before CSG/CRDS, in the reference's order
    csg: tuple[Slot, ...]
    csg_deductible: int  # index in `csg` of the deductible CSG, or -1
    maladie: dict[bool, Slot | None]  # by the maladie cut (2025)
    family: dict[bool, Slot | None]  # by the family cut (2025)
    vieillesse: tuple[Slot, ...]  # the employer's vieillesse lines (before AT/MP)
    employer: tuple[Slot, ...]  # after the FNAL line
    fnal: dict[bool, Slot | None]  # under 50 staff (on T1) or not (on the gross)
    before_fnal: tuple[Slot, ...]  # CSA
    grid_lowers: np.ndarray | None  # cents
    grid_rates: np.ndarray | None  # x 10^6, with a zero rate below the first band first
    grid_decimals: tuple[Decimal, ...]
    abatement: int | None  # cents


def column_plan(the_plan: _Plan) -> ColumnPlan | None:
    """The month's plan in integers, or None when a value does not fit the scales (the month
    then stays with the Decimal engine)."""
    if the_plan.rounding != ROUND_HALF_UP or the_plan.exponent != CENT:
        return None
    pss = _scaled(the_plan.pss, 2)
    csg = the_plan.csg
    abatement = _scaled(csg["abatement"], CSG_DIGITS)
    abatement_pss = _scaled(Decimal(csg["abatement_pss"]), 0)
    if pss is None or abatement is None or abatement_pss is None or pss > MAX_GROSS_CENTS:
        return None
    if not (0 <= abatement <= 10**CSG_DIGITS) or reduction_places(the_plan.reduction_rule) is None:
        return None

    def slot(template: tuple | None, base: str, when: int = ALWAYS) -> Slot | None:
        if template is None:
            return None
        rate = _scaled(template[2], RATE_DIGITS)
        if rate is None or not (-RATE_SCALE <= rate <= RATE_SCALE):
            raise _NotAdmitted
        return Slot(tuple(template[:5]), base, when, rate)

    def slots(*parts: tuple) -> tuple[Slot, ...]:
        return tuple(found for part in parts if (found := slot(*part)) is not None)

    t = the_plan.templates
    try:
        maladie: dict[bool, Slot | None] = {}
        family: dict[bool, Slot | None] = {}
        for cut in (False, True):
            by_code = {line[0]: line for line in the_plan.maladie[(cut, cut)]}
            maladie[cut] = slot(by_code.get("maladie_employer"), GROSS)
            family[cut] = slot(by_code.get("allocations_familiales"), GROSS)
        grid_lowers = grid_rates = None
        grid_decimals: tuple[Decimal, ...] = ()
        if the_plan.grid is not None:
            if the_plan.grid_lowers is None:  # not strictly increasing: not admitted
                return None
            lowers = [_scaled(Decimal(lower), 2) for lower, _ in the_plan.grid]
            rates = [_scaled(rate, RATE_DIGITS) for _, rate in the_plan.grid]
            if None in lowers or None in rates:
                return None
            if any(not (0 <= rate <= RATE_SCALE) for rate in rates):  # type: ignore[operator]
                return None
            grid_lowers = np.array(lowers, dtype=np.int64)
            grid_rates = np.array([0, *rates], dtype=np.int64)
            grid_decimals = (Decimal("0"), *(rate for _, rate in the_plan.grid))
        abatement_cents = None
        if the_plan.abatement is not None:
            exponent = the_plan.abatement.as_tuple().exponent
            if not isinstance(exponent, int) or exponent < -2:  # the PAS base would print them
                return None
            abatement_cents = _scaled(the_plan.abatement, 2)
        csg_slots = slots(
            (t["csg_deductible"], CSG), (t["csg_non_deductible"], CSG), (t["crds"], CSG)
        )
        return ColumnPlan(
            pss=pss,
            abatement_pss=abatement_pss,
            csg_factor=10**CSG_DIGITS - abatement,
            employee=slots(
                (t["vieillesse_plafonnee"], T1),
                (t["vieillesse_deplafonnee"], GROSS),
                (t["agirc_arrco_t1"], T1),
                (t["agirc_arrco_t2"], T2, ABOVE),
                (t["ceg_t1"], T1),
                (t["ceg_t2"], T2, ABOVE),
                (t["cet"], UP_TO_8, ABOVE),
                (t["apec"], UP_TO_4, CADRE_ONLY),
                (t["chomage"], UP_TO_4),
            ),
            csg=csg_slots,
            csg_deductible=next(
                (i for i, s in enumerate(csg_slots) if s.template[0] == "csg_deductible"), -1
            ),
            maladie=maladie,
            family=family,
            vieillesse=slots(
                (t["vieillesse_plafonnee_employer"], T1),
                (t["vieillesse_deplafonnee_employer"], GROSS),
            ),
            before_fnal=slots((t["csa"], GROSS)),
            fnal={True: slot(t["fnal_small"], T1), False: slot(t["fnal_large"], GROSS)},
            employer=slots(
                (t["chomage_employer"], UP_TO_4),
                (t["ags"], UP_TO_4),
                (t["agirc_arrco_t1_employer"], T1),
                (t["agirc_arrco_t2_employer"], T2, ABOVE),
                (t["ceg_t1_employer"], T1),
                (t["ceg_t2_employer"], T2, ABOVE),
                (t["cet_employer"], UP_TO_8, ABOVE),
                (t["apec_employer"], UP_TO_4, CADRE_ONLY),
            ),
            grid_lowers=grid_lowers,
            grid_rates=grid_rates,
            grid_decimals=grid_decimals,
            abatement=abatement_cents,
        )
    except _NotAdmitted:
        return None


class _NotAdmitted(Exception):
    pass


def _half_up(products: np.ndarray, scale: int) -> np.ndarray:
    """`products` / `scale` rounded to the integer, half away from zero (Decimal's
    ROUND_HALF_UP), exactly."""
    if scale == 1:
        return products
    rounded = (np.abs(products) + scale // 2) // scale
    return np.where(products < 0, -rounded, rounded)


def _decimal_cents(values: np.ndarray) -> Any:
    """Cents as Decimals with two decimals (`0.01 * c`: exact, the exponent of 0.01). Amounts
    from 0.00 to 1,310.71 (most lines') are taken from a table of those Decimals, made on
    first need up to the largest asked for (Decimals are immutable: a payslip sharing one
    with another is the same as having its own); 4x less time than making each."""
    if not len(values):
        return []
    top = int(values.max())
    if int(values.min()) < 0:
        return list(map(_cents, values.tolist()))
    if top >= len(_TABLE) and len(_TABLE) < _TABLE_LIMIT:
        with _TABLE_GROWING:  # each index the Decimal of its cents, whatever the threads do
            _TABLE.extend(map(_cents, range(len(_TABLE), min(_TABLE_LIMIT, 2 * top + 1))))
    if top < _TABLE_LIMIT:
        return list(map(_TABLE.__getitem__, values.tolist()))
    large = np.flatnonzero(values >= _TABLE_LIMIT)
    if len(large) * 4 > len(values):  # mostly large (bases, nets): each made
        return list(map(_cents, values.tolist()))
    made = list(map(_TABLE.__getitem__, np.minimum(values, _TABLE_LIMIT - 1).tolist()))
    deque(map(made.__setitem__, large.tolist(), map(_cents, values[large].tolist())), maxlen=0)
    return made


_cents = CENT.__mul__
_TABLE_LIMIT = 1 << 17  # 1,310.72, ~13 MB of Decimals at most
_TABLE: list[Decimal] = []
_TABLE_GROWING = threading.Lock()


def rates_scaled(rates: list[Decimal]) -> tuple[np.ndarray, np.ndarray]:
    """Per-payment rates (AT/MP, personalised PAS) x 10^6, and where they fit (at most 6
    decimals, between 0 and 1; elsewhere the value is 0)."""
    scaled: dict[Decimal, int] = {}
    for rate in set(rates):
        found = _scaled(rate, RATE_DIGITS)
        scaled[rate] = found if found is not None and 0 <= found <= RATE_SCALE else -1
    values = np.fromiter(map(scaled.__getitem__, rates), dtype=np.int64, count=len(rates))
    fits = values >= 0
    return np.where(fits, values, 0), fits


def admitted(grosses: list[Decimal]) -> np.ndarray:
    """Which grosses the integer columns take: two decimals exactly, 0.01 to `MAX_GROSS`."""
    two_places = np.fromiter(map(CENT.same_quantum, grosses), dtype=bool, count=len(grosses))
    within = np.fromiter(map(MAX_GROSS.__ge__, grosses), dtype=bool, count=len(grosses))
    return two_places & within


# The kinds of withholding (as fr_batch's).
PERSONAL, NEUTRAL, SHORT = range(3)


class MonthColumns:
    """The payments of one month (of one plan) as integer columns. `amounts[code]` is each
    line's amount in cents (0 where the line is not printed), `printed[code]` where it is;
    `bases[name]` the bases in cents; `net_taxable`, `net_social`, `pas`, `net_pay`,
    `employer_contributions`, `employer_cost` in cents. `results()` makes the `PayResult`s."""

    def __init__(
        self,
        *,
        the_plan: _Plan,
        plan: ColumnPlan,
        pays: list[PayInput],
        grosses: list[Decimal],
        pss: np.ndarray,
        shares: list[Decimal],
        cadre: np.ndarray,
        small: np.ndarray,
        cut_maladie: np.ndarray,
        cut_family: np.ndarray,
        at_mp: np.ndarray,
        withholding: np.ndarray,
        personal: np.ndarray,
    ) -> None:
        self.the_plan, self.plan, self.pays, self.grosses = the_plan, plan, pays, grosses
        self.shares = shares
        count = self.count = len(pays)
        gross = np.fromiter(map(int, map(mul, grosses, repeat(HUNDRED))), dtype=np.int64,
                            count=count)  # fmt: skip
        self.cadre, self.small = cadre, small
        self.cut_maladie, self.cut_family = cut_maladie, cut_family
        self.withholding = withholding
        above = self.above = gross > pss
        limit = plan.abatement_pss * pss
        bases = self.bases = {
            GROSS: gross,
            T1: np.minimum(gross, pss),
            T2: np.minimum(np.maximum(gross - pss, 0), 7 * pss),
            UP_TO_8: np.minimum(gross, 8 * pss),
            UP_TO_4: np.minimum(gross, 4 * pss),
        }
        # 10^-6 euro: the abated part and the part above the abatement's limit
        csg_fine = np.minimum(gross, limit) * plan.csg_factor + np.maximum(gross - limit, 0) * (
            10**CSG_DIGITS
        )
        bases[CSG] = _half_up(csg_fine, 10**CSG_DIGITS)
        amounts: dict[str, np.ndarray] = {}
        printed: dict[str, Any] = {}
        conditions: dict[int, Any] = {ALWAYS: True, ABOVE: above, CADRE_ONLY: cadre}

        def compute(slot: Slot, fine: np.ndarray | None = None, scale: int = RATE_SCALE) -> Any:
            code = slot.template[0]
            products = (bases[slot.base] if fine is None else fine) * slot.rate
            amount = _half_up(products, scale)
            when = conditions[slot.when]
            if when is not True:
                amount = np.where(when, amount, 0)
            amounts[code] = amount
            printed[code] = when
            return amount

        social = np.zeros(count, dtype=np.int64)
        for slot in plan.employee:
            social += compute(slot)
        all_social = social.copy()
        deductible: Any = 0
        for index, slot in enumerate(plan.csg):
            amount = compute(slot, csg_fine, RATE_SCALE * 10**CSG_DIGITS)
            all_social += amount
            if index == plan.csg_deductible:
                deductible = amount
        self.net_taxable = gross - social - deductible
        self.net_social = gross - all_social
        # The withholding
        pas_base = np.maximum(self.net_taxable, 0)
        short = withholding == SHORT
        if plan.abatement is not None and short.any():
            pas_base = np.where(short, np.maximum(pas_base - plan.abatement, 0), pas_base)
        self.pas_band = None
        rates = personal
        if plan.grid_lowers is not None:
            band = np.searchsorted(plan.grid_lowers, pas_base, side="right")
            self.pas_band = band
            rates = np.where(withholding == PERSONAL, personal, plan.grid_rates[band])  # type: ignore[index]
        bases[PAS] = pas_base
        pas = self.pas = _half_up(pas_base * rates, RATE_SCALE)
        amounts["pas"] = pas
        printed["pas"] = pas != 0
        self.net_pay = gross - all_social - pas

        # The employer
        employer = np.zeros(count, dtype=np.int64)
        for flag, choices in ((cut_maladie, plan.maladie), (cut_family, plan.family)):
            for cut in (False, True):
                chosen = choices[cut]
                if chosen is None:
                    continue
                mask = flag if cut else ~flag
                code = chosen.template[0]
                amount = np.where(mask, _half_up(gross * chosen.rate, RATE_SCALE), 0)
                amounts[code] = amounts.get(code, 0) + amount
                printed[code] = printed.get(code, False) | mask
                employer += amount
        for slot in plan.vieillesse:
            employer += compute(slot)
        amount = _half_up(gross * at_mp, RATE_SCALE)
        amounts["at_mp"] = amount
        printed["at_mp"] = at_mp != 0
        employer += amount
        for slot in plan.before_fnal:
            employer += compute(slot)
        fnal = np.zeros(count, dtype=np.int64)
        fnal_printed = np.zeros(count, dtype=bool)
        for is_small in (True, False):
            chosen = plan.fnal[is_small]
            if chosen is None:
                continue
            mask = small if is_small else ~small
            fnal = np.where(mask, _half_up(bases[chosen.base] * chosen.rate, RATE_SCALE), fnal)
            fnal_printed |= mask
        amounts["fnal"], printed["fnal"] = fnal, fnal_printed
        employer += fnal
        for slot in plan.employer:
            employer += compute(slot)
        # The réduction générale, capped by the employer's contributions.
        coefficients, uncapped = self._reduction(gross)
        reduction = np.minimum(uncapped, employer)
        # every non-zero coefficient prints its line, even with an amount rounded to zero (the
        # reference's -0.00 is 0.00: Decimal's negation of a zero is positive)
        has_reduction = self.has_reduction = np.zeros(count, dtype=bool)
        if coefficients:
            has_reduction[list(coefficients)] = True
        self.coefficients = coefficients
        amounts["reduction_generale"] = -reduction
        printed["reduction_generale"] = has_reduction
        self.employer_contributions = employer - reduction
        self.employer_cost = gross + self.employer_contributions
        self.amounts, self.printed = amounts, printed

    def _reduction(self, gross: np.ndarray) -> tuple[dict[int, Decimal], np.ndarray]:
        """The coefficient of the réduction générale of each payment that has one, and the
        uncapped reduction in cents (`reduction_coefficients`)."""
        the_plan = self.the_plan
        coefficients, scaled = reduction_coefficients(
            the_plan.reduction_rule, the_plan.hours_month, self.grosses, gross, self.shares,
            self.small,
        )  # fmt: skip
        return coefficients, _half_up(gross * scaled, 10**COEFFICIENT_DIGITS)

    def results(self) -> list[PayResult]:
        """Each payment's `PayResult`, as `fr.compute` makes it: lines in its order, each with
        its Decimal base, rate and amount, its label and source; the notes and snapshot. Made
        a line at a time over all payments (a column of `Line`s, None where a payment prints
        none), then each payment's lines are its row without the Nones."""
        plan, the_plan = self.plan, self.the_plan
        self._decimal_bases: dict[str, Any] = {GROSS: self.grosses}
        self._distinct: dict[str, Any] = {}
        columns: list[Any] = []
        when = {ALWAYS: None, ABOVE: self.above, CADRE_ONLY: self.cadre}
        for slot in plan.employee:
            columns.append(self._slot_lines(slot, when[slot.when]))
        for slot in plan.csg:
            columns.append(self._slot_lines(slot, None))
        profiles = list(map(_profile, self.pays))
        sources = (
            (PERSONAL_PAS_SOURCE, the_plan.used_personal),
            (the_plan.grid_source, the_plan.used_neutral),
            (the_plan.short_pas_source, the_plan.used_short),
        )
        withholding = self.withholding
        pas = np.flatnonzero(self.printed["pas"])
        if len(pas):
            kinds = withholding[pas].tolist()
            personal = list(map(_personal_rate, _gather(profiles, pas)))
            bands = self.pas_band[pas].tolist() if self.pas_band is not None else [0] * len(pas)
            rates = [
                personal[index] if kind == PERSONAL else plan.grid_decimals[band]
                for index, (kind, band) in enumerate(zip(kinds, bands, strict=True))
            ]
            columns.append(
                self._lines(pas, "pas", "payroll.line.pas",
                            _decimal_cents(self.bases[PAS][pas]), rates,
                            [sources[kind][0] for kind in kinds], EMPLOYEE)
            )  # fmt: skip
        for flags, choices in ((self.cut_maladie, plan.maladie), (self.cut_family, plan.family)):
            columns.append(self._choice_lines(flags, choices))
        for slot in plan.vieillesse:
            columns.append(self._slot_lines(slot, None))
        at_mp = np.flatnonzero(self.printed["at_mp"])
        if len(at_mp):
            code, label_key, _, side, source = the_plan.at_mp
            columns.append(
                self._lines(at_mp, code, label_key, self._bases_at(GROSS, at_mp),
                            map(_at_mp_rate, _gather(self.pays, at_mp)), repeat(source), side)
            )  # fmt: skip
        for slot in plan.before_fnal:
            columns.append(self._slot_lines(slot, None))
        columns.append(self._choice_lines(self.small, plan.fnal))
        for slot in plan.employer:
            columns.append(self._slot_lines(slot, when[slot.when]))
        reduced = np.flatnonzero(self.has_reduction)
        if len(reduced):
            columns.append(
                self._lines(reduced, "reduction_generale", "payroll.line.reduction_generale",
                            self._bases_at(GROSS, reduced),
                            map(self.coefficients.__getitem__, reduced.tolist()),
                            repeat(the_plan.reduction_source), EMPLOYER,
                            self.amounts["reduction_generale"])
            )  # fmt: skip
        rows = map(tuple, map(filter, repeat(None), zip(*columns, strict=True)))
        results: list[PayResult] = []
        append = results.append
        for pay, gross, payment_lines, taxable, net, net_pay, profile, kind in zip(
            self.pays, self.grosses, rows,
            _decimal_cents(self.net_taxable),
            _decimal_cents(self.net_social),
            _decimal_cents(self.net_pay),
            profiles,
            withholding.tolist(),
            strict=True,
        ):  # fmt: skip
            append(
                french_result(
                    pay.category, gross, payment_lines, taxable, net, net_pay,
                    _NOTES[kind][profile.is_default], sources[kind][1],
                )
            )  # fmt: skip
        return results

    def _bases_at(self, name: str, where: np.ndarray) -> Any:
        """The base `name` as Decimals at positions `where` (the gross's own Decimal where the
        base is the gross)."""
        found = self._decimal_bases.get(name)
        if found is None:
            values = self.bases[name]
            same = values == self.bases[GROSS]
            if same.all():
                found = self.grosses
            else:
                found = list(self.grosses)
                others = np.flatnonzero(~same)
                deque(map(found.__setitem__, others.tolist(), _decimal_cents(values[others])),
                      maxlen=0)  # fmt: skip
            self._decimal_bases[name] = found
        if len(where) == self.count:
            return found
        return _gather(found, where)

    def _lines(
        self,
        where: np.ndarray,
        code: str,
        label_key: str,
        bases: Any,
        rates: Any,
        sources: Any,
        side: Side,
        amounts: np.ndarray | None = None,
    ) -> list:
        """The column of line `code`: a `Line` at each of `where`, None elsewhere."""
        made = list(
            map(_new_tuple, repeat(Line), zip(repeat(code), repeat(label_key), bases, rates,
                                              _decimal_cents((self.amounts[code] if amounts is None
                                                              else amounts)[where]),
                                              repeat(side), sources))
        )  # fmt: skip
        return self._scatter(where, made)

    def _scatter(self, where: np.ndarray, made: list) -> list:
        if len(where) == self.count:
            return made
        column: list = [None] * self.count
        deque(map(column.__setitem__, where.tolist(), made), maxlen=0)
        return column

    def _slot_lines(self, slot: Slot, printed: np.ndarray | None) -> list:
        """The column of a line of one rate; the payments of a base few share (the ceiling
        and its multiples, for most above it) share its `Line` object."""
        code, label_key, rate, side, source = slot.template
        where = np.arange(self.count) if printed is None else np.flatnonzero(printed)
        if not len(where):
            return [None] * self.count
        if slot.base in _MAYBE_CONSTANT:
            distinct: Any = self._distinct.get(slot.base)
            if distinct is None:
                values, inverse = np.unique(self.bases[slot.base], return_inverse=True)
                distinct = self._distinct[slot.base] = (
                    (values, inverse) if len(values) * 2 <= self.count else False
                )
            if distinct is not False:
                values, inverse = distinct
                amounts = _half_up(values * slot.rate, RATE_SCALE)
                shared = list(
                    map(_new_tuple, repeat(Line), zip(repeat(code), repeat(label_key),
                                                      _decimal_cents(values), repeat(rate),
                                                      _decimal_cents(amounts), repeat(side),
                                                      repeat(source)))
                )  # fmt: skip
                return self._scatter(where, list(_gather(shared, inverse[where])))
        return self._lines(where, code, label_key, self._bases_at(slot.base, where),
                           repeat(rate), repeat(source), side)  # fmt: skip

    def _choice_lines(self, flags: np.ndarray, choices: dict[bool, Slot | None]) -> list:
        """The column of a line whose rate (and base) depends on a flag: maladie and family
        (the 2025 cuts), FNAL (under 50 staff or not)."""
        column: list = [None] * self.count
        for flag in (False, True):
            slot = choices[flag]
            if slot is None:
                continue
            where = np.flatnonzero(flags if flag else ~flags)
            if not len(where):
                continue
            code, label_key, rate, side, source = slot.template
            made = list(
                map(_new_tuple, repeat(Line), zip(repeat(code), repeat(label_key),
                                                  self._bases_at(slot.base, where), repeat(rate),
                                                  _decimal_cents(_half_up(
                                                      self.bases[slot.base][where] * slot.rate,
                                                      RATE_SCALE)),
                                                  repeat(side), repeat(source)))
            )  # fmt: skip
            deque(map(column.__setitem__, where.tolist(), made), maxlen=0)
        return column


def _gather(values: Sequence[Any], where: np.ndarray) -> Any:
    """`values` at `where` (positions), in one C call."""
    indices = where.tolist()
    if len(indices) == 1:
        return (values[indices[0]],)
    return itemgetter(*indices)(values)


COEFFICIENT_DIGITS = 4  # the réduction générale's coefficient is rounded to 4 decimals
# A formula's value (x 10^4) closer than this to a rounding boundary (or a quotient this close
# to its threshold) is computed by the reference's Decimal function instead.
TIE_MARGIN = 1e-6
_COEFFICIENTS: dict[int, Decimal] = {}


def _coefficient(scaled: int) -> Decimal:
    """`scaled` x 10^-4 with four decimals, as the reference's quantize makes it."""
    found = _COEFFICIENTS.get(scaled)
    if found is None:
        found = _COEFFICIENTS[scaled] = Decimal(scaled).scaleb(-COEFFICIENT_DIGITS)
    return found


def reduction_places(rule: dict) -> tuple[int, ...] | None:
    """The rule's rates x 10^4 (Fillon: the two maximum rates; RGDU: the minimum rate and the
    two deltas), or None when the formula is unknown or a rate has more than 4 decimals (the
    month then stays with the Decimal engine, which says so or computes it)."""
    names = {
        "fillon": ("max_rate_under_50", "max_rate_50_and_more"),
        "rgdu": ("t_min", "t_delta_under_50", "t_delta_50_and_more"),
    }.get(str(rule.get("formula")))
    if names is None:
        return None
    places = [_scaled(Decimal(rule[name]), COEFFICIENT_DIGITS) for name in names]
    if None in places:
        return None
    return tuple(places)  # type: ignore[arg-type]


def reduction_coefficients(
    rule: dict,
    hours_month: Decimal,
    grosses: list[Decimal],
    cents: np.ndarray,
    shares: list[Decimal],
    small: np.ndarray,
) -> tuple[dict[int, Decimal], np.ndarray]:
    """The réduction générale's coefficient of each payment (`fr.reduction_coefficient`):
    those not zero by position, and all of them x 10^4 as integers.

    The formula (a quotient of SMIC and pay, to the power 1.75 from 2026) is evaluated for
    the whole column in binary floating point only to find which 4-decimal value the
    reference's 28-digit Decimal computation rounds to: both are within 10^-11 of the exact
    value, so where the exact value lies farther than `TIE_MARGIN` from a rounding boundary
    (and the pay farther from the threshold) they round alike; the few others are computed
    by the reference's function itself. Money never goes through a float: the coefficient
    is a rate, and the amount is the integer product of the gross in cents and the
    coefficient x 10^4, rounded half-up in integers."""
    count = len(grosses)
    formula = rule["formula"]
    places = reduction_places(rule)
    if places is None:
        raise ValueError("the réduction générale's rule does not fit the integer columns")
    smic_of = {share: float(rule["smic_hourly"] * hours_month * share) for share in set(shares)}
    smic = np.fromiter(map(smic_of.__getitem__, shares), dtype=np.float64, count=count)
    threshold = float(rule["threshold_smic"])
    pay = cents / 100.0
    positive = smic > 0
    smic = np.where(positive, smic, 1.0)
    quotient = threshold * smic / pay - 1.0
    if formula == "fillon":
        top = np.where(small, places[0], places[1])
        value = top * np.minimum(1.0, np.maximum(quotient, 0.0) / (threshold - 1.0))
        rounded = np.floor(value + 0.5)
        doubtful = np.abs(value - np.floor(value) - 0.5) < TIE_MARGIN
        scaled = rounded.astype(np.int64)
    else:
        t_min, under_50, fifty = places
        delta = np.where(small, under_50, fifty)
        ratio = pay / smic
        below = ratio < threshold
        inner = np.maximum(quotient / 2.0, 0.0)
        value = delta * np.power(inner, float(rule["power"]))
        rounded = np.floor(value + 0.5)
        scaled = np.where(below, np.minimum(t_min + rounded.astype(np.int64), t_min + delta), 0)
        doubtful = (np.abs(value - np.floor(value) - 0.5) < TIE_MARGIN) & below
        doubtful |= np.abs(ratio - threshold) <= TIE_MARGIN * threshold
    doubtful |= ~positive
    coefficients: dict[int, Decimal] = {}
    certain = np.flatnonzero((scaled != 0) & ~doubtful)
    if len(certain):
        coefficients.update(
            zip(certain.tolist(), map(_coefficient, scaled[certain].tolist()), strict=True)
        )
    small_flags = small.tolist()
    for index in np.flatnonzero(doubtful).tolist():
        coefficient = fr.reduction_coefficient(
            rule, hours_month, grosses[index], shares[index], small_flags[index]
        )
        scaled[index] = int(coefficient.scaleb(COEFFICIENT_DIGITS))
        if coefficient:
            coefficients[index] = coefficient
    return coefficients, scaled


PERSONAL_PAS_SOURCE = "CGI art. 204 H I: personalised rate sent by the DGFiP"
_at_mp_rate = attrgetter("at_mp_rate")
_profile = attrgetter("tax_profile")
_personal_rate = attrgetter("fr_pas_rate")
_NO_HOURS = Decimal("0")


def french_result(
    category, gross, lines, taxable, net_social, net_pay, notes, parameters
) -> PayResult:
    """A French `PayResult` from its figures, set straight into the instance (the batch engines'
    hot path: the frozen dataclass's `__init__` costs more than the figures). Equal to
    `fr.compute`'s by value and repr (tests/payroll/test_batch.py)."""
    result = _new_object(PayResult)
    _set(
        result,
        "__dict__",
        {
            "country": "FR",
            "category": category,
            "gross": gross,
            "lines": lines,
            "net_taxable": taxable,
            "net_social": net_social,
            "net_pay": net_pay,
            "student_hours_in_quota": _NO_HOURS,
            "student_hours_beyond_quota": _NO_HOURS,
            "notes": notes,
            "parameters": parameters,
        },
    )
    return result


_NOTES = (
    ((), ("tax_profile_default",)),
    (("pas_neutral_rate",), ("pas_neutral_rate", "tax_profile_default")),
    (("pas_neutral_rate",), ("pas_neutral_rate", "tax_profile_default")),
)
# As fr_batch: no réduction générale above threshold x SMIC x (1 + 10^-6).
_MARGIN = Decimal("1.000001")


def context_exact() -> bool:
    """The reference's products are exact in the Decimal context (19 digits suffice here)."""
    return decimal.getcontext().prec >= 19
