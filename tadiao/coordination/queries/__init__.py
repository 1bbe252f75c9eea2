"""Reads of 问题协调与督办, one module per part of the work; every public name is imported here, so callers
write `from tadiao.coordination import queries` and `queries.visible_problems(user)`.

- `access`: the access gates — who sees which problem, supervision item and meeting, who may write, which units a
  user may name as lead (and the projects a unit's handled items let it read);
- `lists`: the lists' filters and sorts, the problem, supervision and inbox rows, one item's history and replies;
- `overdue`: the one overdue rule (by dates) and the overdue items as of a day;
- `meetings`: the meeting list and the agenda the office may adopt;
- `calendar_settings`: the working-day calendar, deadlines after N working days, the coordination settings;
- `statistics`: 问题统计 and what a month's snapshot freezes of it.
"""

from tadiao.coordination.queries.access import (
    get_meeting_for_user,
    get_problem_for_instruction,
    get_problem_for_user,
    handled_by_unit,
    involving_unit,
    is_handler,
    is_involved,
    is_raiser,
    lead_unit_choices,
    may_read,
    may_write_problem,
    projects_handled_by_unit,
    proposable_lead_units,
    require_meeting_reader,
    require_reader,
    visible_meetings,
    visible_problems,
)
from tadiao.coordination.queries.calendar_settings import (
    adjustments_between,
    category_days,
    coordination_settings,
    deadline_after,
    due_soon_until,
)
from tadiao.coordination.queries.lists import (
    SORT_LABELS,
    SORTS,
    STATE_FILTERS,
    ProblemFilters,
    history,
    inbox_counts,
    inbox_rows,
    instructions_for_problem,
    instructions_for_project,
    problem_rows,
    replies,
)
from tadiao.coordination.queries.meetings import (
    meeting_rows,
    proposed_agenda,
)
from tadiao.coordination.queries.overdue import (
    not_resolved_by,
    overdue_on,
    overdue_problems,
)
from tadiao.coordination.queries.statistics import (
    problem_statistics,
    problems_as_json,
)

__all__ = [
    "SORTS",
    "SORT_LABELS",
    "STATE_FILTERS",
    "ProblemFilters",
    "adjustments_between",
    "category_days",
    "coordination_settings",
    "deadline_after",
    "due_soon_until",
    "get_meeting_for_user",
    "get_problem_for_instruction",
    "get_problem_for_user",
    "handled_by_unit",
    "history",
    "inbox_counts",
    "inbox_rows",
    "instructions_for_problem",
    "instructions_for_project",
    "involving_unit",
    "is_handler",
    "is_involved",
    "is_raiser",
    "lead_unit_choices",
    "may_read",
    "may_write_problem",
    "meeting_rows",
    "not_resolved_by",
    "overdue_on",
    "overdue_problems",
    "problem_rows",
    "problem_statistics",
    "problems_as_json",
    "projects_handled_by_unit",
    "proposable_lead_units",
    "proposed_agenda",
    "replies",
    "require_meeting_reader",
    "require_reader",
    "visible_meetings",
    "visible_problems",
]
