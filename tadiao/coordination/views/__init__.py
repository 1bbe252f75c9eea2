"""问题协调与督办 pages: decorators → access gate → one service or query call → render or redirect.

- `lists`: problems, supervision items, my unit's work (我的待办), overdue items, and their Excel exports;
- `problems`: one item — raising it, its page, its transitions, 交办, replies, attachments, instructions (批示);
- `meetings`: meetings, their agenda, decisions and minutes;
- `statistics`: 问题统计 and its workbook;
- `calendar_settings`: the office's working-day calendar and coordination settings.
"""

import datetime

from django.utils import timezone


def _today() -> datetime.date:
    """Today, local time. Every page module reads it here (`views._today()`) at call time, so that a test pins the
    day for all of them by replacing this one name."""
    return timezone.localdate()
