"""Shared by the demo tests."""

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.audit.models import AuditEvent
from tadiao.coordination.models import AgendaItem, Instruction, Meeting, Problem, ProblemEvent, Reply
from tadiao.economy import models as economy
from tadiao.indicators.models import Snapshot, Target
from tadiao.org.models import Leader, Region, Unit, User
from tadiao.projects.models import (
    AnnualPlan,
    Batch,
    BatchEntry,
    BondApplication,
    BondBatch,
    Project,
    ProjectApproval,
    ProjectFunding,
    StageTransition,
)
from tadiao.reporting.models import MonthlyReport, Period, ReportingSettings

MODELS = [Region, Unit, Leader, User, Project, ProjectApproval, AnnualPlan, ProjectFunding, StageTransition,
          Project.tags.through, Period, MonthlyReport, Snapshot, Target, ReportingSettings, AuditEvent, Trip, Lead,
          FollowUp, Recognition, Batch, BatchEntry, BondBatch, BondApplication, economy.Figure, economy.Target,
          Problem, ProblemEvent, Reply, Instruction, Meeting, AgendaItem]


def counts() -> dict[str, int]:
    """Rows per table, to show that a second run created nothing."""
    return {model._meta.label: model.objects.count() for model in MODELS}
