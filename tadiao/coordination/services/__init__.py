"""Writes of 问题协调与督办, one module per part of the work; every public name is imported here, so callers
write `from tadiao.coordination import services` and `services.raise_problem(...)`.

- `problems`: a problem's life — raise (提出; a reporter may propose the lead unit), assign (交办), accept (受理),
  reply, resolve (办结), return (退回) and resubmit, close (销号), reopen, extend the deadline (延期);
- `escalation`: escalate (升级协调) by hand or by the daily run (`run_escalation`, which also sends the due-soon
  reminders);
- `meetings`: meetings, their agenda, and their decisions, which become supervision items (督办事项);
- `attachments`: attachments of an item, and leaders' instructions (批示);
- `calendar_settings`: the working-day calendar (节假日安排) and the coordination settings;
- `base`: what they share — the refusals (`CoordinationError`), the notification routing, the deadline default of
  a category, and the helper that writes a transition (versioned row, history row, audit event).

Every write is one transaction with its history row (流转记录, for transitions), its audit event and its
notifications. Rows are versioned: a transition applies only to the version the user saw. `today` is always
a parameter (no clock in domain code).
"""

# Callers reach the reads through here too (services.queries), as when this was one module.
from tadiao.coordination import queries as queries
from tadiao.coordination.services.attachments import (
    ATTACHMENT_SUFFIXES,
    DEFAULT_ATTACHMENT_MAX_BYTES,
    add_attachment,
    add_instruction,
    attachment_max_bytes,
    attachment_max_mb,
)
from tadiao.coordination.services.base import SYSTEM, ConcurrentEditError, CoordinationError, default_working_days
from tadiao.coordination.services.calendar_settings import (
    delete_workday_adjustment,
    save_workday_adjustment,
    update_settings,
)
from tadiao.coordination.services.escalation import EscalationOutcome, escalate, run_escalation
from tadiao.coordination.services.meetings import (
    MEETING_FIELDS,
    add_agenda_items,
    add_decision,
    create_meeting,
    update_meeting,
)
from tadiao.coordination.services.problems import (
    accept,
    assign,
    close,
    extend_deadline,
    raise_problem,
    reopen,
    reply,
    resolve,
    resubmit,
    return_problem,
)

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "DEFAULT_ATTACHMENT_MAX_BYTES",
    "MEETING_FIELDS",
    "SYSTEM",
    "ConcurrentEditError",
    "CoordinationError",
    "EscalationOutcome",
    "accept",
    "add_agenda_items",
    "add_attachment",
    "add_decision",
    "add_instruction",
    "assign",
    "attachment_max_bytes",
    "attachment_max_mb",
    "close",
    "create_meeting",
    "default_working_days",
    "delete_workday_adjustment",
    "escalate",
    "extend_deadline",
    "raise_problem",
    "reopen",
    "reply",
    "resolve",
    "resubmit",
    "return_problem",
    "run_escalation",
    "save_workday_adjustment",
    "update_meeting",
    "update_settings",
]
