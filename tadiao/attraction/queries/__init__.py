"""Reads of 招商引资: the access gates, the trip / lead / recognition lists, and the three work items (三项工作)
computed set-based per unit, with the pure comparisons between snapshots (零的突破, 连续空白).

Definitions used throughout (shown on the 三项工作 page too):

- a **trip** counts in a period when its departure date (出发日期) is in the period;
- a **lead** counts in a period when it was in talks at some time in the period — talks began (开始接洽日期) on
  or before the period's last day and had not ended (流失 or 签约, 结束日期) before its first day — or when it
  has a follow-up dated in the period;
- a **signed project** counts when its signing date (签约日期) is in the period and it has not been rejected
  (不予认定): 已认定 and 待认定 projects count (issue 4.3: rejected ones do not). Its signed investment is the
  project's 总投资.

Which module holds what (callers keep using `queries.X`; every public name is re-exported here):

- access.py — who reads 招商引资, visible units / trips / leads, the get_*_for_user gates.
- trips.py — the 外出招商 list (TripFilters, trip_rows).
- leads.py — the follow-up subqueries, stale leads, the lead list (LeadFilters, lead_rows), the follow-up log.
- recognition.py — the signed projects with their 认定 status.
- three_items.py — the three work items per unit, 零的突破 / 连续空白, the breakdown rows, totals and chart data.
- breakdowns.py — the figures the meeting quotes: trips by rank, signings by recognition / 主导产业 / category /
  investor origin, leads by state, 去年以来 (imported as a module: `queries.breakdowns.breakdown(...)`).
"""

from tadiao.attraction.queries import breakdowns
from tadiao.attraction.queries.access import (
    get_lead_for_user,
    get_project_for_recognition,
    get_trip_for_user,
    may_create_trips,
    may_read,
    may_write_trip,
    require_reader,
    units_for_trip_form,
    visible_leads,
    visible_trips,
    visible_units,
)
from tadiao.attraction.queries.leads import (
    LEAD_SORT_LABELS,
    LEAD_SORTS,
    LeadFilters,
    follow_up_log,
    last_follow_up_or_start,
    last_follow_up_subquery,
    lead_filter_units,
    lead_rows,
    leads_without_follow_up,
    negotiating_without_lead,
    stale_lead_exists,
)
from tadiao.attraction.queries.recognition import RECOGNITION_FILTERS, recognition_status_expr, signed_project_rows
from tadiao.attraction.queries.three_items import (
    WORK_ITEM_SORTS,
    ZERO_ITEMS,
    blank_streaks,
    blank_units,
    broke_zero,
    is_blank,
    lead_active_in,
    work_item_rows,
    work_item_totals,
    work_items,
    work_items_as_json,
)
from tadiao.attraction.queries.trips import TRIP_SORT_LABELS, TRIP_SORTS, TripFilters, trip_rows

__all__ = [
    "LEAD_SORTS", "LEAD_SORT_LABELS", "RECOGNITION_FILTERS", "TRIP_SORTS", "TRIP_SORT_LABELS", "WORK_ITEM_SORTS",
    "ZERO_ITEMS", "LeadFilters", "TripFilters", "blank_streaks", "blank_units", "breakdowns", "broke_zero",
    "follow_up_log", "get_lead_for_user", "get_project_for_recognition", "get_trip_for_user", "is_blank",
    "last_follow_up_or_start", "last_follow_up_subquery", "lead_active_in", "lead_filter_units", "lead_rows",
    "leads_without_follow_up", "may_create_trips", "may_read", "may_write_trip", "negotiating_without_lead",
    "recognition_status_expr", "require_reader", "signed_project_rows", "stale_lead_exists", "trip_rows",
    "units_for_trip_form", "visible_leads", "visible_trips", "visible_units", "work_item_rows", "work_item_totals",
    "work_items", "work_items_as_json",
]
