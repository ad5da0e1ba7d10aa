"""Altair charts for the notebooks and the report: frames from a ``Plan`` in, ``alt.Chart`` out.

Importing this module enables the ``slanb`` theme (:mod:`slanb.views.theme`), so every chart
shares one look.
Months arrive as ``YYYY-MM`` strings and are drawn as UTC dates (the first of the month), so a
reader west of Greenwich never sees October labelled September. Money is formatted ``$,.0f``.

>>> import polars as pl
>>> chart = volume(pl.DataFrame({"month": ["2025-12", "2026-01"], "mqls": [90, 110]}))
>>> chart.to_dict()["layer"][0]["mark"]["type"]
'bar'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import altair as alt
import polars as pl

from slanb.engine.volume import slope
from slanb.months import month_start, shift_month
from slanb.views.format import FIT_LABELS, INTENT_LABELS, capital, dollars, segment
from slanb.views.sentences import gap_text, goal_owner, possessive
from slanb.views.theme import (
    BLUE,
    GREEN,
    HEIGHT,
    INK,
    LINE,
    MUTED,
    ORANGE,
    PALE_BLUE,
    PALE_GREY,
    RED,
    SHADE,
    SLATE,
    WIDTH,
    use_altair,
)

if TYPE_CHECKING:
    from slanb.engine.record import Record
    from slanb.engine.tracking import Tracking
    from slanb.params import Params

MONEY = "$,.0f"
_MONTH_AXIS = alt.Axis(format="%b %Y", formatType="utc", labelAngle=-40, title=None)
IN_SAMPLE = "In the sample"
EXCLUDED = "Too recent: excluded"

use_altair()


def _dated(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``month`` (YYYY-MM) as the first day of the month (``YYYY-MM-01``)."""
    return frame.with_columns((pl.col("month") + "-01").alias("month"))


def _x_month(*, padding: float = 0.0) -> alt.X:
    """Months as bands, bars centred on their label; no gaps by default, so shading reads as one block."""
    return alt.X(
        "month:O",
        timeUnit="utcyearmonth",
        axis=_MONTH_AXIS,
        scale=alt.Scale(paddingInner=padding, paddingOuter=0.05),
    )


def _tip_month() -> alt.Tooltip:
    return alt.Tooltip("month:T", timeUnit="utcyearmonth", format="%B %Y", title="Month")


def volume(months: pl.DataFrame, *, trailing_3_avg: float | None = None) -> alt.LayerChart:
    """MQLs per month as bars (December in orange, for seasonality), a linear trend, the 3-month average.

    ``months``: month (YYYY-MM), mqls — ``plan.volume.months``.
    """
    data = _dated(months).with_columns(
        pl.when(pl.col("month").str.slice(5, 2) == "12")
        .then(pl.lit("December"))
        .otherwise(pl.lit("Other months"))
        .alias("season"),
        pl.Series("trend", _trend(months["mqls"].to_list()), dtype=pl.Float64),
    )
    base = alt.Chart(data).encode(x=_x_month())
    bars = base.mark_bar(width={"band": 0.75}).encode(
        y=alt.Y("mqls:Q", title="MQLs", scale=alt.Scale(domainMin=0)),
        color=alt.Color(
            "season:N",
            scale=alt.Scale(domain=["Other months", "December"], range=[BLUE, ORANGE]),
            legend=alt.Legend(title=None),
        ),
        tooltip=[_tip_month(), alt.Tooltip("mqls:Q", title="MQLs", format=",")],
    )
    trend = base.mark_line(color=INK, strokeDash=[6, 4], strokeWidth=2, clip=True).encode(
        y="trend:Q",
        tooltip=[_tip_month(), alt.Tooltip("trend:Q", title="Trend", format=",.0f")],
    )
    layers: list[alt.Chart | alt.LayerChart] = [bars, trend]
    if trailing_3_avg is not None:
        layers.append(_rule(trailing_3_avg, "3-month avg", MUTED, dash=[2, 3]))
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(
            "MQLs per month",
            subtitle="dashed line: linear trend; December in orange (the holiday dip)",
        ),
    )


def _trend(values: list[int]) -> list[float | None]:
    """The least-squares line through ``values`` (by position), for drawing only."""
    step = slope([float(v) for v in values])
    if step is None:
        return [None] * len(values)
    mid = (len(values) - 1) / 2
    mean = sum(values) / len(values)
    return [mean + step * (i - mid) for i in range(len(values))]


def _rule(
    value: float, label: str, color: str, *, dash: list[int] | None = None, dy: int = 0
) -> alt.LayerChart:
    """A horizontal rule at ``value``, its label in the right margin (``dy`` nudges it)."""
    data = pl.DataFrame({"value": [float(value)], "label": [f"{label} {value:,.0f}"]})
    return _labelled_rule(data, color, dash=dash or [], dy=dy)


def _labelled_rule(data: pl.DataFrame, color: str, *, dash: list[int], dy: int) -> alt.LayerChart:
    base = alt.Chart(data).encode(y="value:Q")
    rule = base.mark_rule(color=color, strokeWidth=2, strokeDash=dash).encode(
        tooltip=[alt.Tooltip("label:N", title="Line")]
    )
    text = base.mark_text(
        align="left", baseline="middle", dx=6, dy=dy, color=color, fontWeight=600
    ).encode(x=alt.value(WIDTH), text="label:N")
    return alt.layer(rule, text)


def segments(frame: pl.DataFrame, *, by: str) -> alt.Chart:
    """MQLs per month stacked by ``by`` (``intent`` or ``fit``): ``plan.volume.by_intent|by_fit``."""
    labels = INTENT_LABELS if by == "intent" else FIT_LABELS
    data = _dated(frame).with_columns(
        pl.col(by).replace_strict(labels, default=pl.col(by)).alias("segment")
    )
    title = "MQLs per month by intent" if by == "intent" else "MQLs per month by fit"
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=_x_month(padding=0.25),
            y=alt.Y("mqls:Q", title="MQLs", stack="zero"),
            color=alt.Color("segment:N", title=None, sort=list(labels.values())),
            order=alt.Order("segment:N"),
            tooltip=[
                _tip_month(),
                alt.Tooltip("segment:N", title=by.capitalize()),
                alt.Tooltip("mqls:Q", title="MQLs", format=","),
            ],
        )
        .properties(width=WIDTH, height=200)
    )


def _with_status(by_month: pl.DataFrame) -> pl.DataFrame:
    return _dated(by_month).with_columns(
        pl.when(pl.col("in_sample"))
        .then(pl.lit(IN_SAMPLE))
        .otherwise(pl.lit(EXCLUDED))
        .alias("status")
    )


def _status_color(excluded: str) -> alt.Color:
    return alt.Color(
        "status:N",
        scale=alt.Scale(domain=[IN_SAMPLE, EXCLUDED], range=[BLUE, excluded]),
        legend=alt.Legend(title=None),
    )


def _shade(data: pl.DataFrame) -> alt.Chart:
    """A grey band behind the months left out of the sample."""
    return (
        alt.Chart(data)
        .transform_filter(~alt.datum.in_sample)
        .mark_rect(color=SHADE)
        .encode(x=_x_month())
    )


def sample_window(by_month: pl.DataFrame) -> alt.LayerChart:
    """MQLs per month of MQL with the immature months shaded: they are left out of the sample.

    ``by_month``: month, mqls, revenue, value, in_sample — ``plan.revenue_per_mql.by_month``.
    """
    data = _with_status(by_month)
    bars = (
        alt.Chart(data)
        .mark_bar(width={"band": 0.75})
        .encode(
            x=_x_month(),
            y=alt.Y("mqls:Q", title="MQLs"),
            color=_status_color(PALE_GREY),
            tooltip=[
                _tip_month(),
                alt.Tooltip("mqls:Q", title="MQLs", format=","),
                alt.Tooltip("revenue:Q", title="Won revenue so far", format=MONEY),
                alt.Tooltip("status:N", title="Sample"),
            ],
        )
    )
    return alt.layer(_shade(data), bars).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(
            "The sample window",
            subtitle="grey band: the most recent months, left out because their MQLs "
            "have not had time to close",
        ),
    )


def maturing_curve(by_month: pl.DataFrame, *, value: float | None = None) -> alt.LayerChart:
    """Revenue per MQL by month of MQL: older months have had time to close, recent ones not yet.

    A rule marks the sample's revenue per MQL (``value``).
    """
    data = _with_status(by_month)
    base = alt.Chart(data).encode(
        x=_x_month(),
        y=alt.Y("value:Q", title="Revenue per MQL", axis=alt.Axis(format=MONEY)),
    )
    line = base.mark_line(color=MUTED, strokeWidth=1.5)
    points = base.mark_point(filled=True, size=70, opacity=1).encode(
        color=_status_color(ORANGE),
        tooltip=[
            _tip_month(),
            alt.Tooltip("value:Q", title="Revenue per MQL", format="$,.2f"),
            alt.Tooltip("mqls:Q", title="MQLs", format=","),
            alt.Tooltip("revenue:Q", title="Won revenue so far", format=MONEY),
        ],
    )
    layers: list[alt.Chart | alt.LayerChart] = [_shade(data), line, points]
    if value is not None:
        layers.append(_money_rule(value, "sample", BLUE))
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(
            "Revenue per MQL by month of MQL",
            subtitle="recent months are still maturing: their deals have not closed yet",
        ),
    )


def _money_rule(value: float, label: str, color: str) -> alt.LayerChart:
    data = pl.DataFrame({"value": [float(value)], "label": [f"{label} ${value:,.2f}"]})
    return _labelled_rule(data, color, dash=[4, 3], dy=0)


def lead_value_heatmap(matrix: pl.DataFrame) -> alt.LayerChart:
    """The 2×3 lead-value matrix: intent down, fit across, lead value written in each cell.

    ``matrix``: ``plan.matrix``. Buckets without MQLs (``flagged``) are valued at the overall revenue
    per MQL and marked with an asterisk.
    """
    data = matrix.with_columns(
        pl.col("intent").replace_strict(INTENT_LABELS, default=pl.col("intent")).alias("Intent"),
        pl.col("fit").replace_strict(FIT_LABELS, default=pl.col("fit")).alias("Fit"),
        pl.when(pl.col("lead_value").is_null())
        .then(pl.lit("n/a"))
        .otherwise(
            pl.lit("$")
            + pl.col("lead_value").round(0).cast(pl.Int64).cast(pl.String)
            + pl.when(pl.col("flagged")).then(pl.lit("*")).otherwise(pl.lit(""))
        )
        .alias("label"),
    )
    data = data.with_columns(
        pl.col("label").map_elements(_thousands, return_dtype=pl.String).alias("label")
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "Fit:N",
            title=None,
            sort=list(FIT_LABELS.values()),
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("Intent:N", title=None, sort=list(INTENT_LABELS.values())),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=3).encode(
        color=alt.Color(
            "lead_value:Q",
            title="Lead value",
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=MONEY, orient="right")
            if matrix["lead_value"].drop_nulls().len()
            else None,
        ),
        tooltip=[
            alt.Tooltip("Intent:N"),
            alt.Tooltip("Fit:N"),
            alt.Tooltip("lead_value:Q", title="Lead value", format="$,.2f"),
            alt.Tooltip("mqls:Q", title="MQLs in sample", format=","),
            alt.Tooltip("close_rate:Q", title="Close rate", format=".1%"),
            alt.Tooltip("avg_won_amount:Q", title="Average won deal", format=MONEY),
        ],
    )
    text = base.mark_text(fontSize=16, fontWeight=600).encode(
        text="label:N",
        color=alt.condition(
            alt.datum.lead_value > _midpoint(matrix), alt.value("white"), alt.value(INK)
        ),
    )
    return alt.layer(cells, text).properties(
        width=420,
        height=160,
        title=alt.Title(
            "Lead value per MQL, by intent and fit",
            subtitle="* no MQLs in the sample: valued at the overall revenue per MQL"
            if matrix["flagged"].any()
            else "won revenue ÷ MQLs of each bucket, in the sample months",
        ),
    )


def _thousands(label: str) -> str:
    """``$12000*`` → ``$12,000*``."""
    if not label.startswith("$"):
        return label
    digits = label[1:].rstrip("*")
    return f"${int(digits):,}" + label[1 + len(digits) :]


def _midpoint(matrix: pl.DataFrame) -> float:
    values = matrix["lead_value"].drop_nulls()
    if values.len() == 0:
        return 0.0
    return float((values.max() + values.min()) / 2)  # type: ignore[operator]


def reverse_funnel(per_rep: pl.DataFrame) -> alt.LayerChart:
    """What the goal per rep means at each stage: ``plan.funnel.per_rep`` (stage, label, count)."""
    data = per_rep.with_columns(
        pl.col("count").round(1).alias("count"),
        pl.col("label").str.slice(0, 1).str.to_uppercase().alias("first"),
    ).with_columns((pl.col("first") + pl.col("label").str.slice(1)).alias("Stage"))
    order = data["Stage"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("Stage:N", sort=order, title=None, axis=alt.Axis(labelFontSize=13)),
        x=alt.X("count:Q", title="Per rep this month"),
    )
    bars = base.mark_bar(height={"band": 0.7}).encode(
        tooltip=[alt.Tooltip("Stage:N"), alt.Tooltip("count:Q", title="Per rep", format=",.1f")]
    )
    text = base.mark_text(align="left", dx=5, fontWeight=600).encode(
        text=alt.Text("count:Q", format=",.1f")
    )
    return alt.layer(bars, text).properties(
        height=190,
        title=alt.Title(
            "The reverse funnel, per rep",
            subtitle="from the goal's MQLs down to won customers, at the sample's rates",
        ),
    )


def goal_vs_history(
    months: pl.DataFrame,
    *,
    goal: int | None,
    trailing_3_avg: float | None,
    verdict: str | None = None,
) -> alt.LayerChart:
    """Monthly MQLs of the lookback against the goal (solid rule) and the 3-month average (dashed)."""
    data = _dated(months)
    base = alt.Chart(data).encode(x=_x_month())
    bars = base.mark_bar(width={"band": 0.75}, color=PALE_BLUE).encode(
        y=alt.Y("mqls:Q", title="MQLs"),
        tooltip=[_tip_month(), alt.Tooltip("mqls:Q", title="MQLs", format=",")],
    )
    layers: list[alt.Chart | alt.LayerChart] = [bars]
    above = goal is None or trailing_3_avg is None or goal >= trailing_3_avg
    if trailing_3_avg is not None:
        layers.append(
            _rule(trailing_3_avg, "3-month avg", MUTED, dash=[4, 3], dy=7 if above else -7)
        )
    if goal is not None:
        color = {"realistic": GREEN, "stretch": ORANGE, "unrealistic": RED}.get(verdict or "", INK)
        layers.append(_rule(goal, "goal", color, dy=-7 if above else 7))
    subtitle = f"verdict: {verdict}" if verdict else "no goal to check"
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title("The goal against the last months' MQLs", subtitle=subtitle),
    )


def revenue_split(
    revenue_goal: float | None, revenue_target: float | None, *, params: Params | None = None
) -> alt.LayerChart:
    """The revenue goal (of ``params``' company or team) as one bar: marketing's part and the rest."""
    parts, amounts = [], []
    whose = possessive(goal_owner(params)) if params is not None else "the company's"
    if revenue_goal is not None and revenue_target is not None:
        parts = ["Marketing sources: the target", "The rest of the goal"]
        amounts = [revenue_target, revenue_goal - revenue_target]
    data = pl.DataFrame(
        {"part": parts, "amount": amounts, "order": list(range(len(parts)))},
        schema={"part": pl.String, "amount": pl.Float64, "order": pl.Int64},
    ).with_columns(
        pl.col("amount").map_elements(lambda x: f"${x:,.0f}", return_dtype=pl.String).alias("label")
    )
    base = (
        alt.Chart(data)
        .transform_stack(stack="amount", as_=["x0", "x1"], groupby=[], sort=[{"field": "order"}])
        .transform_calculate(mid="(datum.x0 + datum.x1) / 2")
    )
    bars = base.mark_bar(height=44).encode(
        x=alt.X("x0:Q", title=None, axis=alt.Axis(format=MONEY, tickCount=5)),
        x2="x1:Q",
        color=alt.Color(
            "part:N",
            scale=alt.Scale(domain=parts or ["none"], range=[BLUE, LINE]),
            legend=alt.Legend(title=None),
        ),
        tooltip=[alt.Tooltip("part:N", title="Part"), alt.Tooltip("amount:Q", format=MONEY)],
    )
    text = base.mark_text(fontWeight=600, fontSize=14).encode(
        x="mid:Q",
        text="label:N",
        color=alt.condition(alt.datum.order == 0, alt.value("white"), alt.value(INK)),
    )
    title = (
        f"{capital(whose)} goal and marketing's part" if parts else "No revenue goal for this month"
    )
    return alt.layer(bars, text).properties(width=WIDTH, height=60, title=title)


# ---- step 6: tracking the month ---------------------------------------------------------------
_PACING = {
    "mqls": ("mqls", "goal_to_date", "gap", "MQLs delivered"),
    "lead_value": (
        "lead_value",
        "lead_value_goal_to_date",
        "lead_value_gap",
        "Lead value delivered",
    ),
}
DELIVERED = "Delivered, cumulative"
GOAL_LINE = "Goal, pro-rated by day"


def _whole(x: float) -> str:
    """``1,801`` for 1800.50: whole numbers, rounded half-up like all money in slanb."""
    return dollars(x).removeprefix("$")


def _amount(x: float, measure: str) -> str:
    """``1,103`` MQLs or ``$72,282`` of lead value (chart labels are read at a glance)."""
    return dollars(x) if measure == "lead_value" else _whole(x)


def _utc_day(day: datetime) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def pacing(tracking: Tracking | None, *, measure: str = "mqls") -> alt.VConcatChart | None:
    """Cumulative delivery each day against the goal pro-rated to that day, and the gap beneath.

    ``measure``: ``mqls`` or ``lead_value``. The lower panel is delivered minus the goal line each
    day: red bars below zero while marketing is behind, green above while it is ahead. The x axis
    spans the whole month, so a month judged part-way shows the days still to come. None when
    ``tracking`` is None (the month has not begun).
    """
    if tracking is None:
        return None
    delivered, goal, gap, title = _PACING[measure]
    p = tracking.pacing
    wide = pl.DataFrame(
        {
            "day": p["day"].dt.strftime("%Y-%m-%d"),
            "delivered": p[delivered].cast(pl.Float64),
            "goal": p[goal],
            "ahead": -p[gap],
            "gap_text": [gap_text(g, measure) for g in p[gap].to_list()],
        },
        schema={
            "day": pl.String,
            "delivered": pl.Float64,
            "goal": pl.Float64,
            "ahead": pl.Float64,
            "gap_text": pl.String,
        },
    ).with_columns(
        pl.when(pl.col("ahead") < 0).then(pl.lit("Behind")).otherwise(pl.lit("Ahead")).alias("side")
    )
    long = wide.unpivot(
        index="day", on=["delivered", "goal"], variable_name="series", value_name="value"
    ).with_columns(
        pl.col("series").replace_strict({"delivered": DELIVERED, "goal": GOAL_LINE}),
    )
    fmt = MONEY if measure == "lead_value" else ",.0f"
    last_day = month_start(shift_month(tracking.month, 1)) - timedelta(days=1)
    domain = [_utc_day(month_start(tracking.month)), _utc_day(last_day)]
    x = alt.X(
        "day:T",
        title=None,
        scale=alt.Scale(type="utc", domain=domain),
        axis=alt.Axis(format="%b %-d", tickCount=8, labelAngle=0),
    )
    tooltip = [
        alt.Tooltip("day:T", timeUnit="utcyearmonthdate", title="Day", format="%a %b %-d"),
        alt.Tooltip("delivered:Q", title="Delivered so far", format=fmt),
        alt.Tooltip("goal:Q", title="Goal to date", format=fmt),
        alt.Tooltip("gap_text:N", title="Gap"),
    ]
    y_title = "Lead value" if measure == "lead_value" else "MQLs"
    series = [DELIVERED, GOAL_LINE]
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=fmt)),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=series, range=[BLUE, INK]),
                legend=alt.Legend(title=None),
            ),
            strokeDash=alt.StrokeDash(
                "series:N", scale=alt.Scale(domain=series, range=[[1, 0], [5, 4]]), legend=None
            ),
            strokeWidth=alt.StrokeWidth(
                "series:N", scale=alt.Scale(domain=series, range=[2.5, 1.5]), legend=None
            ),
        )
    )
    # a near-transparent full-height rule per day: hovering anywhere over a day shows its numbers
    hover = alt.Chart(wide).mark_rule(opacity=0.001, strokeWidth=14).encode(x=x, tooltip=tooltip)
    layers: list[alt.Chart] = [lines, hover]
    month_goal = (
        tracking.delivery.lead_value_goal
        if measure == "lead_value"
        else tracking.delivery.goal_mqls
    )
    if tracking.in_progress and month_goal is not None and not wide.is_empty():
        layers.append(_rest_of_goal_line(wide, last_day, float(month_goal), x, fmt))
    top = alt.layer(*layers).properties(width=WIDTH, height=210)
    bars = (
        alt.Chart(wide)
        .mark_bar(width={"band": 0.7})
        .encode(
            x=x,
            y=alt.Y("ahead:Q", title="vs goal", axis=alt.Axis(format=fmt, tickCount=3)),
            color=alt.Color(
                "side:N",
                scale=alt.Scale(domain=["Behind", "Ahead"], range=[RED, GREEN]),
                legend=None,
            ),
            tooltip=tooltip,
        )
    )
    zero = alt.Chart(pl.DataFrame({"y": [0.0]})).mark_rule(color=MUTED).encode(y="y:Q")
    bottom = alt.layer(bars, zero).properties(width=WIDTH, height=80)
    return (
        alt.vconcat(top, bottom, spacing=6)
        .resolve_scale(color="independent", strokeDash="independent")
        .properties(title=alt.Title(title, subtitle=_pacing_subtitle(wide, measure)))
    )


def _pacing_subtitle(wide: pl.DataFrame, measure: str) -> str:
    if wide.is_empty():
        return "nothing delivered yet"
    last = wide.row(-1, named=True)
    day = datetime.fromisoformat(last["day"])
    when = f"{day:%B} {day.day}"
    if last["delivered"] is None:
        return f"{when}: lead value undefined (a bucket has no value)"
    if last["goal"] is None:
        return f"{when}: {_amount(last['delivered'], measure)} delivered; no goal this month"
    return (
        f"{when}: {_amount(last['delivered'], measure)} delivered against "
        f"{_amount(last['goal'], measure)} due by then, {last['gap_text']}"
    )


_PARTS = {"bucket": "A bucket's lead value", "gap": "Gap", "surplus": "Surplus", "total": "Total"}
_PART_COLORS = {"A bucket's lead value": BLUE, "Gap": RED, "Surplus": GREEN, "Total": SLATE}


def _rest_of_goal_line(
    wide: pl.DataFrame, last_day: datetime, goal: float, x: alt.X, fmt: str
) -> alt.Chart:
    """The goal line from the last day judged to the month's goal on its last day, dotted.

    The pro-rated line is straight, so its two ends draw the rest of it exactly.
    """
    ends = pl.DataFrame(
        {
            "day": [wide["day"][-1], f"{last_day:%Y-%m-%d}"],
            "goal": [wide["goal"][-1], goal],
        }
    )
    return (
        alt.Chart(ends)
        .mark_line(color=MUTED, strokeDash=[2, 3], strokeWidth=1.5)
        .encode(
            x=x,
            y="goal:Q",
            tooltip=[
                alt.Tooltip("day:T", timeUnit="utcyearmonthdate", title="Day", format="%a %b %-d"),
                alt.Tooltip("goal:Q", title="Goal line", format=fmt),
            ],
        )
    )


def _step_label(step: str, kind: str, *, in_progress: bool = False) -> str:
    """``hand_raiser A`` → ``Hand-raiser, fit A``; ``gap`` → ``Gap to the goal``."""
    fixed = {
        "gap": "Still to deliver" if in_progress else "Gap to the goal",
        "surplus": "Surplus over the goal",
        "goal": "Lead-value goal",
        "delivered": "Delivered",
        "unknown": "Unknown intent or fit",
    }
    if kind != "bucket" or step == "unknown":
        return fixed.get(step, step)
    intent, _, fit = step.partition(" ")
    return segment(intent, fit)


def waterfall(tracking: Tracking | None) -> alt.LayerChart | None:
    """The lead-value goal built up from each bucket's delivery, then the gap (or surplus).

    One horizontal bar per step of ``tracking.waterfall``, from where the last one ended; the
    closing bar is the goal (or, without a goal, the lead value delivered). None when there is
    nothing to draw: the month has not begun, or the lead value delivered is undefined.
    """
    if tracking is None or tracking.waterfall.is_empty():
        return None
    w = tracking.waterfall
    data = w.with_columns(
        pl.Series(
            "label",
            [
                _step_label(s, k, in_progress=tracking.in_progress)
                for s, k in w.select("step", "kind").iter_rows()
            ],
            dtype=pl.String,
        ),
        pl.Series(
            "text",
            [
                ("+" if k == "surplus" else "") + f"${_whole(abs(a))}"
                for k, a in w.select("kind", "amount").iter_rows()
            ],
            dtype=pl.String,
        ),
        pl.max_horizontal("start", "end").alias("right"),
        pl.col("kind").replace_strict(_PARTS).alias("part"),
    )
    order = data["label"].to_list()
    parts = [p for p in _PART_COLORS if p in data["part"]]
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelFontSize=12, labelLimit=220))
    )
    bars = base.mark_bar(height={"band": 0.7}).encode(
        x=alt.X("start:Q", title="Lead value", axis=alt.Axis(format=MONEY)),
        x2="end:Q",
        color=alt.Color(
            "part:N",
            scale=alt.Scale(domain=parts, range=[_PART_COLORS[p] for p in parts]),
            legend=alt.Legend(title=None),
        ),
        tooltip=[
            alt.Tooltip("label:N", title="Step"),
            alt.Tooltip("amount:Q", title="Lead value", format="$,.2f"),
            alt.Tooltip("end:Q", title="Running total", format="$,.2f"),
        ],
    )
    text = base.mark_text(align="left", dx=5, fontWeight=600).encode(x="right:Q", text="text:N")
    goal = tracking.delivery.lead_value_goal
    subtitle = (
        "no lead-value goal this month: the bars add up to the lead value delivered"
        if goal is None
        else "each bucket's lead value delivered, stacked from left to right, then what is "
        "missing (red) or extra (green)"
    )
    return alt.layer(bars, text).properties(
        width=WIDTH - 120,
        height=28 * data.height,
        title=alt.Title("Where the lead value came from", subtitle=subtitle),
    )


LATE = "Late first touch"
SHORT = "Short cadence"


def _rep_names(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``rep``: the name, with the rep id added when two reps share a name."""
    dup = pl.col("name").is_duplicated()
    return frame.with_columns(
        pl.when(pl.col("rep_id") == "unassigned")
        .then(pl.lit("Unassigned (no owner)"))
        .when(dup)
        .then(pl.col("name") + " (" + pl.col("rep_id") + ")")
        .otherwise(pl.col("name"))
        .alias("rep")
    )


def compliance_by_rep(tracking: Tracking | None) -> alt.LayerChart | None:
    """Breaches per rep this month: late first touches and short cadences, stacked.

    Every rep with an MQL judged appears, the most breaches on top, so a clean rep shows as a 0.
    None when the month has not begun or no MQL was judged.
    """
    if tracking is None:
        return None
    ft = tracking.first_touch.by_rep.select(
        "rep_id", "name", pl.col("breached").alias("late"), pl.col("judged").alias("ft_judged")
    )
    cad = tracking.cadence.by_rep.select(
        "rep_id", pl.col("breached").alias("short"), pl.col("judged").alias("cad_judged")
    )
    reps = (
        _rep_names(ft.join(cad, on="rep_id", how="full", coalesce=True))
        .with_columns(pl.col("late", "short", "ft_judged", "cad_judged").fill_null(0))
        .filter((pl.col("ft_judged") + pl.col("cad_judged")) > 0)
        .with_columns((pl.col("late") + pl.col("short")).alias("total"))
        .sort(["total", "rep"], descending=[True, False])
    )
    if reps.is_empty():
        return None
    long = reps.unpivot(
        index=["rep", "ft_judged", "cad_judged", "total"],
        on=["late", "short"],
        variable_name="rule",
        value_name="breaches",
    ).with_columns(
        pl.col("rule").replace_strict({"late": LATE, "short": SHORT}),
        pl.when(pl.col("rule") == "late")
        .then(pl.col("ft_judged"))
        .otherwise(pl.col("cad_judged"))
        .alias("judged"),
    )
    order = reps["rep"].to_list()
    y = alt.Y("rep:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    bars = (
        alt.Chart(long)
        .mark_bar(height={"band": 0.7})
        .encode(
            y=y,
            x=alt.X(
                "breaches:Q",
                title="Breaches this month",
                stack="zero",
                axis=alt.Axis(format="d", tickMinStep=1),
            ),
            color=alt.Color(
                "rule:N",
                scale=alt.Scale(domain=[LATE, SHORT], range=[RED, ORANGE]),
                legend=alt.Legend(title=None),
            ),
            order=alt.Order("rule:N"),
            tooltip=[
                alt.Tooltip("rep:N", title="Rep"),
                alt.Tooltip("rule:N", title="Rule"),
                alt.Tooltip("breaches:Q", title="Breaches", format=","),
                alt.Tooltip("judged:Q", title="MQLs judged on this rule", format=","),
            ],
        )
    )
    totals = (
        alt.Chart(reps)
        .mark_text(align="left", dx=5, fontWeight=600)
        .encode(y=y, x="total:Q", text=alt.Text("total:Q", format=","))
    )
    return alt.layer(bars, totals).properties(
        width=WIDTH - 120,
        height=24 * reps.height,
        title=alt.Title(
            "Breaches per rep",
            subtitle="late first touches and short cadences judged this month; hover for the MQLs judged",
        ),
    )


def speed_to_lead(
    tracking: Tracking | None, *, kinds: Sequence[str] = ("call", "email")
) -> alt.HConcatChart | None:
    """Won rate and SQL rate of the sample's MQLs by how soon they were first touched.

    One panel per rate, the bands in order from fastest to never; MQL counts in the tooltip. None
    when the month has not begun.
    """
    if tracking is None:
        return None
    data = tracking.speed_to_lead.select(
        "band", "mqls", "sql_rate", "won_rate", "hand_raiser_share"
    ).with_columns(
        pl.when(pl.col("band") == "never")
        .then(pl.lit("Never touched"))
        .otherwise(pl.lit("Touched"))
        .alias("touched"),
        pl.col("band").replace({"never": "Never"}).alias("label"),
    )
    labels = data["label"].to_list()
    working = tracking.clock is not None and tracking.clock.sla_clock == "working"
    x_title = "Time to first touch (working hours)" if working else "Time to first touch"

    def panel(rate: str, title: str) -> alt.LayerChart:
        base = alt.Chart(data).encode(
            x=alt.X("label:N", sort=labels, title=x_title, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{rate}:Q", title=None, axis=alt.Axis(format=".0%")),
        )
        bars = base.mark_bar(width={"band": 0.7}).encode(
            color=alt.Color(
                "touched:N",
                scale=alt.Scale(domain=["Touched", "Never touched"], range=[BLUE, MUTED]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Time to first touch"),
                alt.Tooltip("mqls:Q", title="MQLs", format=","),
                alt.Tooltip("sql_rate:Q", title="SQL rate", format=".1%"),
                alt.Tooltip("won_rate:Q", title="Won rate", format=".1%"),
                alt.Tooltip("hand_raiser_share:Q", title="Hand-raisers", format=".0%"),
            ],
        )
        text = base.mark_text(dy=-8, fontWeight=600).encode(
            text=alt.Text(f"{rate}:Q", format=".1%")
        )
        return alt.layer(bars, text).properties(width=270, height=200, title=title)

    return alt.hconcat(
        panel("won_rate", "Won rate"), panel("sql_rate", "SQL rate"), spacing=40
    ).properties(
        title=alt.Title(
            "Won rate and SQL rate by time to first touch",
            subtitle="MQLs of the sample months, by how soon sales first touched them ("
            + " or ".join(kinds)
            + ")",
        )
    )


# ---- the record --------------------------------------------------------------------------------
MARKETING_MQLS = "Marketing: MQL goal"
MARKETING_VALUE = "Marketing: lead-value goal"
SALES_TOUCH = "Sales: first touch on time"
SALES_CADENCE = "Sales: cadence kept"


def record_attainment(record: Record | None) -> alt.LayerChart | None:
    """Both halves of the SLA by month against 100%, one line per promise.

    MQL and lead-value attainment, first-touch and cadence compliance; the point's shape says
    whether the month was judged against a commitment, an amended one, or the goal computed now.

    None when the record holds no month.
    """
    if record is None or record.months.is_empty():
        return None
    series = {
        "attainment": MARKETING_MQLS,
        "lead_value_attainment": MARKETING_VALUE,
        "touch_share": SALES_TOUCH,
        "cadence_share": SALES_CADENCE,
    }
    long = (
        _dated(record.months)
        .unpivot(
            index=["month", "basis"], on=list(series), variable_name="what", value_name="share"
        )
        .with_columns(pl.col("what").replace_strict(series))
        .filter(pl.col("share").is_not_null())
    )
    colors = alt.Color(
        "what:N",
        scale=alt.Scale(domain=list(series.values()), range=[BLUE, SLATE, GREEN, ORANGE]),
        legend=alt.Legend(title=None, orient="bottom", columns=2),
    )
    base = alt.Chart(long).encode(
        x=alt.X("month:T", timeUnit="utcyearmonth", axis=_MONTH_AXIS),
        y=alt.Y("share:Q", title="Share of the promise kept", axis=alt.Axis(format="%")),
        color=colors,
        tooltip=[
            _tip_month(),
            alt.Tooltip("what:N", title="Promise"),
            alt.Tooltip("share:Q", title="Kept", format=".1%"),
            alt.Tooltip("basis:N", title="Judged against"),
        ],
    )
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(size=50, filled=True).encode(
        shape=alt.Shape(
            "basis:N",
            scale=alt.Scale(
                domain=["committed", "amended", "computed"], range=["circle", "diamond", "square"]
            ),
            legend=alt.Legend(title="Judged against", orient="bottom"),
        )
    )
    hundred = (
        alt.Chart(pl.DataFrame({"y": [1.0], "label": ["100%: the promise kept"]}))
        .mark_rule(color=INK, strokeDash=[4, 3])
        .encode(y="y:Q")
    )
    return (hundred + lines + points).properties(width=WIDTH, height=HEIGHT)


def record_goal_vs_delivery(
    record: Record | None, *, measure: str = "mqls"
) -> alt.LayerChart | None:
    """Delivered (bars) against the goal each month was judged by (a tick), by month.

    ``measure`` is ``mqls`` or ``lead_value``; bars are green at or above the goal, red below.
    None when the record holds no month.
    """
    if record is None or record.months.is_empty():
        return None
    goal = "goal_mqls" if measure == "mqls" else "lead_value_goal"
    frame = (
        _dated(record.months)
        .select(
            "month",
            "basis",
            "in_progress",
            pl.col(measure).cast(pl.Float64).alias("delivered"),
            pl.col(goal).cast(pl.Float64).alias("goal"),
        )
        .with_columns(
            pl.when(pl.col("goal").is_null())
            .then(pl.lit("no goal"))
            .when(pl.col("delivered") >= pl.col("goal"))
            .then(pl.lit("met"))
            .when(pl.col("in_progress"))
            .then(pl.lit("so far"))
            .otherwise(pl.lit("missed"))
            .alias("status")
        )
    )
    fmt = "," if measure == "mqls" else MONEY
    title = "MQLs" if measure == "mqls" else "Lead value"
    x = _x_month(padding=0.25)
    tips = [
        _tip_month(),
        alt.Tooltip("delivered:Q", title="Delivered", format=fmt),
        alt.Tooltip("goal:Q", title="Goal", format=fmt),
        alt.Tooltip("basis:N", title="Judged against"),
    ]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y(
                "delivered:Q",
                title=title,
                axis=alt.Axis(format=",.0f" if measure == "mqls" else "$,.0f"),
            ),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["met", "missed", "so far", "no goal"], range=[GREEN, RED, LINE, SHADE]
                ),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=tips,
        )
    )
    ticks = (
        alt.Chart(frame.filter(pl.col("goal").is_not_null()))
        .mark_tick(color=INK, thickness=3, size=28)
        .encode(x=x, y="goal:Q", tooltip=tips)
    )
    return (bars + ticks).properties(width=WIDTH, height=HEIGHT)


def time_to_close(curve: pl.DataFrame, *, threshold: float, maturity_months: int) -> alt.LayerChart:
    """The share of eventual won revenue (and of won leads) arrived by each month after the MQL.

    ``curve``: ``plan.maturity.curve``. A dashed rule marks ``threshold``; a vertical rule the
    sample's last month (``maturity_months`` after its MQLs).
    """
    data = curve.unpivot(
        index=["lag", "cohorts"],
        on=["revenue_share", "won_share"],
        variable_name="measure",
        value_name="share",
    ).with_columns(
        pl.col("measure").replace({"revenue_share": "Won revenue", "won_share": "Won leads"})
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "lag:Q",
            title="Months after the month of the MQL",
            axis=alt.Axis(tickMinStep=1, format="d"),
        ),
        y=alt.Y(
            "share:Q",
            title="Share arrived so far",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        color=alt.Color(
            "measure:N",
            scale=alt.Scale(domain=["Won revenue", "Won leads"], range=[BLUE, SLATE]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("lag:Q", title="Months after the MQL"),
            alt.Tooltip("measure:N", title="What"),
            alt.Tooltip("share:Q", title="Arrived", format=".0%"),
            alt.Tooltip("cohorts:Q", title="Months of MQLs watched this long"),
        ],
    )
    lines = base.mark_line(strokeWidth=2) + base.mark_point(filled=True, size=50)
    level = pl.DataFrame({"value": [threshold], "label": [f"{threshold:.0%}"]})
    rule = alt.Chart(level).mark_rule(color=MUTED, strokeDash=[4, 3]).encode(y="value:Q")
    now = pl.DataFrame({"lag": [maturity_months], "label": ["sample's last month"]})
    marker = alt.Chart(now).encode(x="lag:Q")
    vline = marker.mark_rule(color=ORANGE, strokeWidth=2)
    vtext = marker.mark_text(
        align="left", baseline="top", dx=4, y=4, color=ORANGE, fontWeight=600
    ).encode(text="label:N")
    return alt.layer(rule, lines, vline, vtext).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(
            "When deals really close",
            subtitle=f"dashed: {threshold:.0%} of the eventual total; orange: how long the "
            "sample's last month has had",
        ),
    )


def forecast_backtest(
    backtest: pl.DataFrame,
    *,
    month: str,
    forecast: float | None,
    low: float | None,
    high: float | None,
    goal: int | None,
) -> alt.LayerChart:
    """What happened (bars) against what the forecast said (line), and this month's forecast.

    ``backtest``: ``plan.forecast.backtest``; this month's forecast is drawn with its range (a
    vertical bar) and the goal as a rule.
    """
    past = _dated(backtest.select("month", "actual", "forecast"))
    base = alt.Chart(past).encode(x=_x_month(padding=0.2))
    tips = [
        _tip_month(),
        alt.Tooltip("actual:Q", title="MQLs delivered", format=","),
        alt.Tooltip("forecast:Q", title="The forecast had said", format=",.0f"),
    ]
    bars = base.mark_line(color=BLUE, strokeWidth=2, point=True).encode(
        y=alt.Y("actual:Q", title="MQLs", scale=alt.Scale(zero=False)), tooltip=tips
    )
    line = base.mark_line(color=INK, strokeWidth=1.5, strokeDash=[4, 3]).encode(
        y="forecast:Q", tooltip=tips
    )
    layers: list[alt.Chart | alt.LayerChart] = [bars, line]
    if forecast is not None and low is not None and high is not None:
        ahead = _dated(
            pl.DataFrame({"month": [month], "forecast": [forecast], "low": [low], "high": [high]})
        )
        now = alt.Chart(ahead).encode(x=_x_month(padding=0.2))
        layers.append(now.mark_rule(color=BLUE, strokeWidth=6, opacity=0.5).encode(
            y="low:Q", y2="high:Q",
            tooltip=[
                _tip_month(),
                alt.Tooltip("forecast:Q", title="Forecast", format=",.0f"),
                alt.Tooltip("low:Q", title="Range from", format=",.0f"),
                alt.Tooltip("high:Q", title="Range to", format=",.0f"),
            ],
        ))  # fmt: skip
        layers.append(now.mark_point(filled=True, size=90, color=BLUE).encode(y="forecast:Q"))
    if goal is not None:
        layers.append(_rule(goal, "goal", GREEN))
    return alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        title=alt.Title(
            "The forecast, tested on the history",
            subtitle="blue: MQLs delivered; dashed: what the forecast had said; the last point: "
            "this month's forecast and its range",
        ),
    )
