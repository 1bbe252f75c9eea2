"""Section 主要经济指标对标情况: the economy app's indicators below their target or below the parent region (the rows
come through the Context; no section while there are none)."""

from tadiao.bulletins.drafting.context import Context
from tadiao.bulletins.drafting.words import months_text, pct, row_value
from tadiao.lib.numbers import DASH, round2, to_decimal


def economy_text(data: dict, earlier: dict, context: Context) -> str | None:
    """The hook for the economy app's figures: skipped while it has none for the period."""
    below_target, below_parent = context.economy_below_target, context.economy_below_parent
    if not below_target and not below_parent:
        return None
    lines = []
    # economy.queries.below_target / below_parent rows: {"region", "indicator", "growth", "target" | "parent",
    # "gap"} with percent strings; the gap is negative (below).
    def gap(row) -> str:
        value = to_decimal(row_value(row, "gap", default=None))
        return DASH if value is None else f"{abs(round2(value)):.2f}"

    if below_target:
        parts = [
            f"{row_value(r, 'region')}{row_value(r, 'indicator')}增长{pct(row_value(r, 'growth', default=None))}，"
            f"低于目标（{pct(row_value(r, 'target', default=None))}）{gap(r)}个百分点"
            for r in below_target
        ]
        lines.append(f"{months_text(context.month.month)}，低于年度目标的指标有：" + "；".join(parts) + "。")
    if below_parent:
        parts = [
            f"{row_value(r, 'region')}{row_value(r, 'indicator')}增长{pct(row_value(r, 'growth', default=None))}，"
            f"低于上级（{pct(row_value(r, 'parent', default=None))}）{gap(r)}个百分点"
            for r in below_parent
        ]
        lines.append("低于上级平均水平的指标有：" + "；".join(parts) + "。")
    return "\n".join(lines)

