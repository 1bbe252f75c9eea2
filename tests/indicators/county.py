"""A small constructed county for the event counts and the count / amount targets, as of 20 April 2026.

东城镇 (unit_a):
  A1 省重点: signed 1-15 (planned 1-10), approved 3-05 (planned 2-28), started 4-10 (planned 4-01)
  A2: started 3-20, planned 4-25 (early); planned completion 12-31
  A3: planned start 2-01, never started; cancelled 4-08 10:00 (a coordinator's 终止)
  C1: signed 2025-12-30, planned 2026-01-05 (planned in the year, done before it)
西湖街道 (unit_b):
  B1 基础设施: started 2025-06-01, completed 2-15 (planned 3-31), producing 4-18 (planned 5-10)
  B2: started 4-25 (after the as-of date), planned 4-15
  B3: started 2025-01-01, completed 4-22 (after the as-of date), planned 4-30
  B4: cancelled 4-01 00:30 Asia/Shanghai (31 March 16:30 UTC: April all the same)
  B5: cancelled by a ledger import on 1-20 (transition IMPORT "台账导入：终止")
  B6: cancelled 2-10, restored 2-20: not cancelled, not counted
"""

import datetime
from zoneinfo import ZoneInfo

from tadiao.projects.models import Category, Level, Project, Stage, StageTransition
from tests.factories import ProjectFactory

D = datetime.date
AS_OF = D(2026, 4, 20)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _transition(project: Project, kind: str, when: datetime.datetime, reason: str = "企业投资计划改变") -> None:
    StageTransition.objects.create(project=project, kind=kind, from_stage=project.stage, to_stage=project.stage,
                                   reason=reason, at=when)


def build(unit_a, unit_b) -> dict[str, Project]:
    p: dict[str, Project] = {}
    p["A1"] = ProjectFactory(unit=unit_a, level=Level.PROVINCIAL, stage=Stage.STARTED,
                             signed_date=D(2026, 1, 15), planned_signed_date=D(2026, 1, 10),
                             approved_date=D(2026, 3, 5), planned_approved_date=D(2026, 2, 28),
                             started_date=D(2026, 4, 10), planned_started_date=D(2026, 4, 1))
    p["A2"] = ProjectFactory(unit=unit_a, stage=Stage.STARTED, started_date=D(2026, 3, 20),
                             planned_started_date=D(2026, 4, 25), planned_completed_date=D(2026, 12, 31))
    p["A3"] = ProjectFactory(unit=unit_a, planned_started_date=D(2026, 2, 1), is_cancelled=True,
                             cancelled_reason="企业投资计划改变")
    _transition(p["A3"], StageTransition.Kind.CANCEL, _at(D(2026, 4, 8), 10))
    p["C1"] = ProjectFactory(unit=unit_a, stage=Stage.SIGNED, signed_date=D(2025, 12, 30),
                             planned_signed_date=D(2026, 1, 5))
    p["B1"] = ProjectFactory(unit=unit_b, category=Category.INFRASTRUCTURE, stage=Stage.PRODUCING,
                             started_date=D(2025, 6, 1), completed_date=D(2026, 2, 15),
                             planned_completed_date=D(2026, 3, 31), producing_date=D(2026, 4, 18),
                             planned_producing_date=D(2026, 5, 10))
    p["B2"] = ProjectFactory(unit=unit_b, stage=Stage.STARTED, started_date=D(2026, 4, 25),
                             planned_started_date=D(2026, 4, 15))
    p["B3"] = ProjectFactory(unit=unit_b, stage=Stage.COMPLETED, started_date=D(2025, 1, 1),
                             completed_date=D(2026, 4, 22), planned_completed_date=D(2026, 4, 30))
    p["B4"] = ProjectFactory(unit=unit_b, is_cancelled=True, cancelled_reason="不再建设")
    _transition(p["B4"], StageTransition.Kind.CANCEL, _at(D(2026, 4, 1), 0, 30))
    p["B5"] = ProjectFactory(unit=unit_b, is_cancelled=True, cancelled_reason="台账导入")
    _transition(p["B5"], StageTransition.Kind.IMPORT, _at(D(2026, 1, 20), 12), reason="台账导入：终止")
    p["B6"] = ProjectFactory(unit=unit_b)
    _transition(p["B6"], StageTransition.Kind.CANCEL, _at(D(2026, 2, 10), 9))
    _transition(p["B6"], StageTransition.Kind.RESTORE, _at(D(2026, 2, 20), 9), reason="恢复建设")
    return p
