"""``slanb plan``'s text ends with how sure the plan is (issue 16)."""

from __future__ import annotations

from slanb.engine.month import compute
from slanb.params import Params
from slanb.views import terminal
from tests.fixtures import matrix_example


def test_plan_text_states_the_ranges_and_the_maturity(history):
    path = history(matrix_example.tables(), exported_at="2026-05-01 00:00:00")
    sla = compute(
        Params(
            db=str(path), month="2026-04", lookback_months=2, maturity_months=1,
            revenue_goal=6100, marketing_share=1.0,
        )
    )  # fmt: skip
    text = terminal.plan_text(sla)
    tail = text.split("How sure (time to close, ranges, the chance of making it)\n")[1]
    assert "   - 10 MQLs; 80% range 7–30: if an MQL is worth as much as $1,012.76" in tail
    assert "   - An MQL is worth $610, plausibly anywhere from $207.24 to $1,012.76" in tail
    # December (0, the first lead's month) to March: the recent average (0 + 7 + 3 + 1 → 3.67),
    # tested on March only, so no chance is stated, and the reason is printed
    assert "   - The forecast is 4 MQLs, the last three months' average." in tail
    assert "   - Only 1 earlier month(s) to test the forecast on (at least 3 needed)" in tail
