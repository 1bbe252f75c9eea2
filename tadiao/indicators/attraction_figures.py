"""The `attraction` part of `tadiao indicators`: the three work items for any period (`--from/--to`), their
breakdowns (attraction.queries.breakdowns), the blank units and, against a snapshot, 零的突破 / 连续空白.

Kept apart from the command so the command only parses arguments and prints."""

import datetime
from dataclasses import dataclass
from typing import Any

from tadiao.attraction import queries as attraction
from tadiao.attraction.queries import breakdowns
from tadiao.indicators import snapshots
from tadiao.indicators.models import Snapshot
from tadiao.lib.dates import month_end
from tadiao.org.models import Unit

NOT_YEAR_TO_DATE = (
    "快照保存的是本年 1 月 1 日起累计的空白单位，统计期间不是从 1 月 1 日开始时不计算零的突破和连续空白。"
)


class PeriodError(ValueError):
    """A period the command refuses; the message is the Chinese text printed."""


@dataclass(frozen=True)
class Period:
    """The period of the 招商引资 figures: [start, end], both days included."""

    start: datetime.date
    end: datetime.date

    @property
    def year_to_date(self) -> bool:
        return self.start == self.end.replace(month=1, day=1)

    @property
    def label(self) -> str:
        first, last = self.start, self.end
        return f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise PeriodError(f"{option} 应为 YYYY-MM-DD 格式的日期，而不是“{value}”。") from exc


def period(*, as_of: datetime.date, start: str | None, end: str | None) -> Period:
    """`--from` (default 1 January of the end's year) to `--to` (default `as_of`)."""
    last = _date(end, "--to") if end else as_of
    first = _date(start, "--from") if start else last.replace(month=1, day=1)
    if first > last:
        raise PeriodError(f"--from（{first}）不能晚于 --to（{last}）。")
    return Period(first, last)


def attraction_figures(units: list[Unit], *, span: Period, earlier: Snapshot | None) -> dict[str, Any]:
    """The keys `attraction`, `blank_units` and, with a snapshot, `broke_zero_units` / `blank_streaks` (null with
    `blank_comparison_note` when the period is not year to date) of the CLI's JSON: a fixed number of queries."""
    work = attraction.work_items_as_json(units, start=span.start, end=span.end)
    names = {u.pk: u.name for u in units}
    figures = {key: work["totals"][key] for key in ("trips", "leads", "signed", "signed_investment")}
    data: dict[str, Any] = {
        "attraction": {**figures, **breakdowns.breakdown(list(names), start=span.start, end=span.end)},
        "blank_units": [names[pk] for pk in work["blank_unit_ids"]],
    }
    if earlier is None:
        return data
    if not span.year_to_date:
        return {**data, "broke_zero_units": None, "blank_streaks": None, "blank_comparison_note": NOT_YEAR_TO_DATE}
    # Against the chosen snapshot and those before it: 零的突破 and 连续空白 (the current run included).
    history = snapshots.blank_unit_history(before=month_end(earlier.period.month) + datetime.timedelta(days=1))
    blanks = snapshots.blank_comparison(work["blank_unit_ids"], history, unit_ids=list(names))
    data["broke_zero_units"] = [names[pk] for pk in blanks["broke_zero_unit_ids"]]
    data["blank_streaks"] = {names[int(pk)]: n for pk, n in blanks["blank_streaks"].items()}
    return data


def _signings(item: breakdowns.Signings | dict[str, Any]) -> str:
    return f"{item['count']} 个（{item['investment'] or '0.00'} 万元）"


def attraction_text(data: dict[str, Any], *, span: Period) -> list[str]:
    """The Chinese lines the command prints for the JSON of attraction_figures."""
    work, blank = data["attraction"], data["blank_units"]
    ranks = "、".join(f"{breakdowns.RANK_LABELS[code]} {n} 次" for code, n in work["trips_by_rank"].items())
    states = work["signed_by_recognition"]
    leads = work["leads_by_state"]
    since = work["since_last_year"]
    lines = [
        f"招商引资三项工作（{span.label}）：外出招商 {work['trips']} 次，"
        f"招商线索 {work['leads']} 个，签约项目（不含不予认定） {work['signed']} 个；"
        f"空白单位 {len(blank)} 个{'：' + '、'.join(blank) if blank else ''}",
        f"  外出招商按带队领导职级：{ranks}",
        "  签约项目按认定状态：" + "，".join(
            f"{breakdowns.RECOGNITION_LABELS[state]} {_signings(item)}" for state, item in states.items()
        ),
    ]
    for key, title, name in breakdowns.SIGNING_TABLES:
        listed = "，".join(f"{r[name]} {_signings(r)}" for r in work[key]) or "无"
        lines.append(f"  签约项目按{title}：{listed}")
    lines.append(
        f"  招商线索：期末在谈 {leads['in_talks']} 个，期间内有洽谈或跟进 {leads['active_in_period']} 个"
        f"（期间内签约 {leads['signed']} 个、流失 {leads['lost']} 个）"
    )
    lines.append(
        f"  去年以来（{since['from']} 至 {since['to']}）：外出招商 {since['trips']} 次，招商线索 {since['leads']} 个，"
        f"签约项目 {since['signed']} 个（{since['signed_investment'] or '0.00'} 万元）"
    )
    if data.get("blank_comparison_note"):
        lines.append(data["blank_comparison_note"])
    elif data.get("broke_zero_units"):
        lines.append(f"实现零的突破：{'、'.join(data['broke_zero_units'])}")
    return lines
