"""The budget chart of the member dashboard, drawn as inline SVG (no JavaScript library): for each
month a bar of income above the axis, stacked bars of fee, salaries and expenses below it, and a
line of the closing balance. Pure geometry from the month rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
HEIGHT = 260
PAD_LEFT = 64
PAD_RIGHT = 16
PAD_TOP = 16
PAD_BOTTOM = 36


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    kind: str
    title: Decimal  # the amount, written with the money filter in the <title>


def budget_chart(
    months,
    *,
    label_format=lambda m: m.strftime("%m/%y"),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> dict:
    """Geometry of the chart for a list of `selectors.MonthRow` (the dashboard draws a smaller
    one: `width`/`height` are the SVG's viewBox)."""
    if not months:
        return {}
    WIDTH, HEIGHT = width, height
    top = max([m.income for m in months] + [m.closing_balance for m in months] + [Decimal(1)])
    bottom = min(
        [m.fee + m.salaries + m.expenses for m in months]
        + [m.closing_balance for m in months]
        + [Decimal(0)]
    )
    # Pixel geometry, not money: amounts stay Decimal until they become SVG coordinates here.
    span = float(top - bottom) or 1.0
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    slot = plot_width / len(months)
    bar = slot * 0.55

    def y(value: Decimal) -> float:
        return PAD_TOP + (float(top) - float(value)) / span * plot_height

    zero = y(Decimal(0))
    rects: list[Rect] = []
    points = []
    labels = []
    for index, month in enumerate(months):
        x = PAD_LEFT + index * slot + (slot - bar) / 2
        if month.income > 0:
            rects.append(
                Rect(x, y(month.income), bar, zero - y(month.income), "income", month.income)
            )
        cursor = Decimal(0)
        for kind, amount in (
            ("fee", month.fee),
            ("salaries", month.salaries),
            ("expenses", month.expenses),
        ):
            if amount < 0:
                rects.append(Rect(x, y(cursor), bar, y(cursor + amount) - y(cursor), kind, amount))
                cursor += amount
        centre = PAD_LEFT + index * slot + slot / 2
        points.append(f"{centre:.1f},{y(month.closing_balance):.1f}")
        labels.append({"x": round(centre, 1), "text": label_format(month.month)})
    ticks = [
        {"y": round(y(value), 1), "value": value}
        for value in {top, bottom, Decimal(0)}
        if value == 0 or abs(y(value) - zero) > 14
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "zero": round(zero, 1),
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
        "rects": [
            {
                **r.__dict__,
                "x": round(r.x, 1),
                "y": round(r.y, 1),
                "width": round(r.width, 1),
                "height": round(max(r.height, 0.5), 1),
            }
            for r in rects
        ],
        "line": " ".join(points),
        "labels": labels,
        "label_y": HEIGHT - 12,
        "ticks": sorted(ticks, key=lambda t: t["y"]),
    }
