"""Freezing a closed month's figures, and comparing figures with an earlier snapshot (较上期)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from tadiao.attraction import queries as attraction
from tadiao.attraction.standing import Standing
from tadiao.audit import services as audit
from tadiao.indicators import grouped, queries, rankings, warnings
from tadiao.indicators.formatting import batches_as_json, indicators_as_json, rate_as_json
from tadiao.indicators.models import Snapshot
from tadiao.lib.dates import month_end
from tadiao.org.models import Unit, User
from tadiao.org.queries import reads_whole_region
from tadiao.projects.models import Project
from tadiao.projects.queries import visible_projects
from tadiao.reporting.models import Period

# ---------------------------------------------------------------------------------------------------
# Sections frozen by the layers above

SnapshotSection = Callable[..., dict]
"""Called as fn(units=[the active units], as_of=date) → a JSON-ready dict stored under its key in the snapshot."""

_sections: dict[str, SnapshotSection] = {}


def register_section(key: str, fn: SnapshotSection) -> None:
    """Freeze `fn(units=..., as_of=...)` under `key` in every snapshot.

    What it is for: a snapshot also keeps figures of apps above indicators, which indicators must not import.
    Who fills it: CoordinationConfig.ready() registers "problems" (coordination.queries.problems_as_json: the
    year's problem statistics and the overdue items, read by the bulletin and the quarterly assessment). A snapshot
    frozen without a section simply lacks its key; readers treat that as "no data in the snapshot".
    """
    _sections[key] = fn


def snapshot_data(
    projects: QuerySet[Project], *, as_of: datetime.date, blank_history: list[set[int] | None] | None = None
) -> dict:
    """Everything a bulletin or a later comparison needs, as JSON: a fixed number of queries.

    `blank_history`: the blank unit ids of the earlier snapshots, oldest first (None: read them); the demo
    loader, which builds a run of snapshots before writing any, passes its own.
    """
    units = list(Unit.objects.filter(pk__in=projects.values("unit_id")).order_by("display_order", "id"))
    definitions = queries.active_definitions()
    # One pass per table grouped by (unit, level) gives both the units' rates (the rankings) and the per-unit,
    # per-level and per-unit × level figures ("scopes": tadiao indicators --compare-to with --unit / --level).
    # The whole region's figures are summed from the same groups (grouped.region_indicators).
    groups = grouped.tallies(projects, as_of=as_of, definitions=definitions, annual_totals=True)
    unit_tallies = grouped.summed(groups, definitions, by=0)
    by_unit = {u.pk: (unit_tallies.get(u.pk) or grouped.Tally.empty(definitions)).rates() for u in units}
    rules = warnings.active_rules()
    warned = warnings.warned_rows(projects, as_of=as_of, rules=rules)
    lights = warnings.counts_of_rows(warned)  # the warned rows hold every red and yellow project
    rows = [
        rankings.UnitRow(u, by_unit[u.pk], lights.get(u.pk, {}).get("red", 0), lights.get(u.pk, {}).get("yellow", 0))
        for u in units
    ]
    if blank_history is None:
        blank_history = blank_unit_history(before=as_of)
    batches = batches_as_json(projects, as_of=as_of)
    active_units = list(Unit.objects.filter(is_active=True).order_by("display_order", "id"))
    return {
        "attraction": attraction_data(as_of=as_of, blank_history=blank_history),
        **{key: fn(units=active_units, as_of=as_of) for key, fn in _sections.items()},
        "scopes": grouped.scopes_json(groups, definitions),
        "batches": {"rows": batches["batches"], "total": batches["batches_total"]},
        "indicators": indicators_as_json(
            grouped.region_indicators(projects, groups=groups, definitions=definitions, as_of=as_of)
        ),
        "units": [
            {
                "id": row.unit.pk,
                "name": row.unit.name,
                "red": row.red,
                "yellow": row.yellow,
                "rates": {code: rate_as_json(rate) for code, rate in row.rates.items()},
            }
            for row in rows
        ],
        "rankings": {r.key: [row.unit.pk for row in r.rows] for r in rankings.rank_units(rows)},
        "warnings": warned,
    }


def attraction_data(*, as_of: datetime.date, blank_history: list[set[int] | None]) -> dict:
    """The three work items of every active unit, year to date, with the blank list and, against the earlier
    snapshots, the units that broke zero and how many snapshots running each blank unit has been blank.

    {"start", "end", "totals": {...}, "units": [{"id", "name", "trips", "leads", "signed", "signed_investment"}],
     "blank_unit_ids": [...], "broke_zero_unit_ids": [...], "blank_streaks": {"<unit id>": n}} — money as
    decimal strings, unit lists in the configured unit order.
    """
    units = list(Unit.objects.filter(is_active=True).order_by("display_order", "id"))
    start = as_of.replace(month=1, day=1)
    data = attraction.work_items_as_json(units, start=start, end=as_of)
    data.update(blank_comparison(data["blank_unit_ids"], blank_history, unit_ids=[u.pk for u in units]))
    return data


def blank_comparison(blank_ids: list[int], history: list[set[int] | None], *, unit_ids: list[int]) -> dict:
    """零的突破 against the last of `history` and 连续空白 over it (None in `history`: a snapshot frozen before
    the work items were, which breaks a streak and lets no unit break zero against it)."""
    previous = history[-1] if history else None
    broke = attraction.broke_zero(previous or (), blank_ids, among=unit_ids)
    streaks = attraction.blank_streaks([h or set() for h in history], set(blank_ids))
    order = {pk: n for n, pk in enumerate(unit_ids)}
    return {
        "broke_zero_unit_ids": sorted(broke, key=order.__getitem__),
        "blank_streaks": {str(pk): streaks[pk] for pk in blank_ids},
    }


def attraction_standing(units: list[Unit], *, as_of: datetime.date, earlier: Snapshot | None) -> dict:
    """The work items of `units` year to date, compared with the snapshots of earlier months: what the
    dashboard shows. A fixed number of queries. `earlier`: latest_snapshot_before(as_of), which the dashboard
    has already read.

    {"work": work_items_as_json's result, "blank": [Unit], **standing_against_snapshots(...)}
    """
    work = attraction.work_items_as_json(units, start=as_of.replace(month=1, day=1), end=as_of)
    by_id = {u.pk: u for u in units}
    history = blank_unit_history(before=as_of)
    return {
        "work": work,
        "blank": [by_id[pk] for pk in work["blank_unit_ids"]],
        # The earlier snapshot is there exactly when the history is not empty: both read the months before as_of's.
        **_standing(units, blank_ids=work["blank_unit_ids"], history=history, compared_to=earlier),
    }


def standing_against_snapshots(units: list[Unit], *, blank_ids: list[int], as_of: datetime.date) -> dict:
    """零的突破 and 连续空白 of a year-to-date blank list against the snapshots of months before `as_of`'s:
    {"broke_zero": [Unit], "streaks": {unit id: n}, "compared_to": the latest earlier Snapshot or None}."""
    history = blank_unit_history(before=as_of)
    # Only the month is shown: a province's snapshot data is megabytes of JSON to decode.
    compared_to = latest_snapshot_before(as_of, with_data=False) if history else None
    return _standing(units, blank_ids=blank_ids, history=history, compared_to=compared_to)


def _standing(
    units: list[Unit], *, blank_ids: list[int], history: list[set[int] | None], compared_to: Snapshot | None
) -> dict:
    comparison = blank_comparison(blank_ids, history, unit_ids=[u.pk for u in units])
    by_id = {u.pk: u for u in units}
    return {
        "broke_zero": [by_id[pk] for pk in comparison["broke_zero_unit_ids"]],
        "streaks": {int(pk): n for pk, n in comparison["blank_streaks"].items()},
        "compared_to": compared_to,
    }


def work_items_standing(
    units: list[Unit], *, blank_ids: list[int], start: datetime.date, end: datetime.date, compare: str | None
) -> Standing:
    """The 三项工作 page's 零的突破 / 连续空白 (attraction.standing's source, registered in IndicatorsConfig.ready()).

    Snapshots hold year-to-date lists, so only a period from 1 January compares; a chosen month (`compare`) costs a
    query here, by default the standing reads the latest snapshot itself."""
    compared = (
        queries.comparison(compare, as_of=end) if queries.parse_month(compare) else queries.Comparison(None)
    )
    result = None
    if start == end.replace(month=1, day=1) and not compared.missing:
        # Against the chosen closed month (and those before it), else against the latest before `end`'s month.
        result = standing_against_snapshots(units, blank_ids=blank_ids, as_of=compared.history_before or end)
    return Standing(comparison=compared, snapshot_choices=queries.closed_snapshots(), standing=result)


def blank_unit_history(*, before: datetime.date) -> list[set[int] | None]:
    """The blank unit ids of every snapshot of a month before `before`'s, oldest first: one query."""
    rows = (
        Snapshot.objects.filter(period__month__lt=before.replace(day=1))
        .order_by("as_of")
        .values_list("data__attraction__blank_unit_ids", flat=True)
    )
    return [None if ids is None else set(ids) for ids in rows]


def freeze(*, period: Period, by: User | None, as_of: datetime.date) -> Snapshot:
    """(Re)write the snapshot of a period being closed; called inside the closing transaction.

    `as_of`: the day of closing, or the month's last day when that is earlier (reporting.queries.snapshot_as_of):
    every figure in the snapshot — overdue problems, warnings, 序时进度 on the days basis — is taken on that day,
    never on a later one."""
    if not period.month <= as_of <= month_end(period.month):
        raise ValueError(f"快照统计日期 {as_of} 不在 {period} 之内。")
    data = snapshot_data(Project.objects.all(), as_of=as_of)
    fields = {"as_of": as_of, "data": data, "created_at": timezone.now(), "created_by": by}
    # Refreezing overwrites the row without reading the old figures back (update_or_create loaded and parsed a
    # province's megabytes of JSON only to replace them). The close's conditional UPDATE of the period already
    # keeps a second close of the same month out, so nothing else writes this row meanwhile.
    pk = Snapshot.objects.filter(period=period).values_list("pk", flat=True).first()
    created = pk is None
    if pk is None:
        snapshot = Snapshot.objects.create(period=period, **fields)
    else:
        Snapshot.objects.filter(pk=pk).update(**fields)
        snapshot = Snapshot(pk=pk, period=period, **fields)
    audit.record(
        actor=by,
        action="indicators.snapshot.frozen" if created else "indicators.snapshot.refrozen",
        obj=snapshot,
        changes={"as_of": [None, as_of], "projects_warned": [None, len(data["warnings"])]},
    )
    return snapshot


def snapshot_for_month(month: datetime.date) -> Snapshot | None:
    return Snapshot.objects.select_related("period").filter(period__month=month.replace(day=1)).first()


def latest_snapshot_before(as_of: datetime.date, *, with_data: bool = True) -> Snapshot | None:
    """The last snapshot strictly before the as-of date's month: "上期" (without its figures: with_data=False)."""
    snapshots = Snapshot.objects.select_related("period").filter(period__month__lt=as_of.replace(day=1))
    return (snapshots if with_data else snapshots.defer("data")).order_by("-as_of").first()


def _points(now: str | None, then: str | None) -> str | None:
    if now is None or then is None:
        return None
    return format(Decimal(now) - Decimal(then), "f")


def compare(current: dict, earlier: dict) -> dict:
    """Changes from an earlier indicators JSON to the current one: counts in projects, rates in points."""
    return {
        "counts_by_stage": {
            stage: n - earlier["counts_by_stage"].get(stage, 0) for stage, n in current["counts_by_stage"].items()
        },
        "rates": {
            code: _points(rate["percent"], earlier["rates"].get(code, {}).get("percent"))
            for code, rate in current["rates"].items()
        },
    }


FILTERED_NOT_COMPARED = (
    "快照只保存全域和各单位的数据：按级别、类别、产业、标签或三个一批筛选时，不显示与快照相比的变化。"
)


def _compared_unit(user: User, scope: queries.Scope) -> int | None:
    """Whose figures a page compares: the unit chosen in the scope bar (whole-region readers), else the reporter's."""
    return scope.unit_id if reads_whole_region(user) else user.unit_id


def changes_since(
    current: dict, earlier: Snapshot | None, *, user: User, scope: queries.Scope
) -> tuple[dict | None, str]:
    """The changes since the snapshot `earlier` for the page's scope, or (None, why not).

    A snapshot holds the whole region's figures and each unit's rates: a unit's page (a reporter's, or a unit
    chosen in the scope bar) is compared with that unit's rates, never with the region's."""
    if earlier is None:
        return None, ""
    if scope.level or scope.category or scope.industry_id or scope.tag or scope.batch_id:
        return None, FILTERED_NOT_COMPARED
    unit_id = _compared_unit(user, scope)
    if not unit_id:
        return compare(current, earlier.data["indicators"]), ""
    row = next((u for u in earlier.data.get("units", []) if u["id"] == unit_id), None)
    if row is None:
        return None, f"{earlier.period}快照中没有该单位的数据。"
    changes = compare(current, {"counts_by_stage": {}, "rates": row["rates"]})
    changes["counts_by_stage"] = {}  # a snapshot keeps no stage counts per unit
    return changes, ""


def red_count(earlier: Snapshot | None, *, user: User, scope: queries.Scope) -> int | None:
    """Red-light projects in the snapshot, for the same scope as changes_since; None when not comparable."""
    changes, _ = changes_since({"counts_by_stage": {}, "rates": {}}, earlier, user=user, scope=scope)
    if changes is None or earlier is None:  # changes_since gives no changes without a snapshot
        return None
    unit_id = _compared_unit(user, scope)
    return sum(1 for w in earlier.data["warnings"] if w["light"] == 2 and (not unit_id or w["unit_id"] == unit_id))


@dataclass
class Overview:
    """The indicator overview of a scope: the figures, each rate with its change against the snapshot compared
    with (`rows`: {"rate", "points"}), and why nothing is compared when so (`not_compared`)."""

    result: queries.Indicators
    comparison: queries.Comparison
    changes: dict | None
    not_compared: str
    rows: list[dict]

    @property
    def earlier(self) -> Snapshot | None:
        return self.comparison.snapshot


def overview(user: User, scope: queries.Scope, as_of: datetime.date, *, compare_to: str | None = None) -> Overview:
    """The overview page's read: the scope's indicators as of `as_of`, compared with the closed month `compare_to`
    ("YYYY-MM"; default the latest snapshot before `as_of`'s month)."""
    result = queries.compute_indicators(scope.apply(visible_projects(user)), as_of=as_of)
    compared = queries.comparison(compare_to, as_of=as_of)
    changes, not_compared = changes_since(indicators_as_json(result), compared.snapshot, user=user, scope=scope)
    rows = [
        {"rate": rate, "points": changes["rates"].get(code) if changes else None} for code, rate in result.rates.items()
    ]
    return Overview(result=result, comparison=compared, changes=changes, not_compared=not_compared, rows=rows)
