"""Demo data for a fresh deployment: a fictional county-level city with ~120 units and ~300 projects, and (see
tadiao.demo.monthly) two years of monthly reports, closed months with frozen snapshots, an open month and targets.

`load_demo` writes it (once: a second call changes nothing); `first_run` is what `make run` calls on every start:
on a database nobody can log in to yet it loads the demo, creates the system administrator and gives every demo
account a random password, which the command prints once.

Everything is drawn from one seeded `random.Random`, so the same `today` always gives the same county. Dates
are relative to `today` (no clock here): every actual date lies before it, in stage order.

Which module holds what: this one the public services (load_demo, first_run) and the summary they return;
county.CountyBuilder the organisation (regions, units, leaders, users) and the projects' written rows (stage
transitions, approvals, annual plans, funding); projects.ProjectDrawing how one project is drawn (identity,
investment, dates, investor, details) and the counts and weights behind it. The other builders (attraction,
campaigns, monthly, coordination, weekly) each draw one part of the county's year.
"""

import datetime
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.db import transaction

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.audit import services as audit
from tadiao.coordination.models import Meeting, Problem
from tadiao.demo import data
from tadiao.demo.county import CountyBuilder
from tadiao.demo.projects import CANCELLED_COUNT as CANCELLED_COUNT  # re-exported: read by tests as services.X
from tadiao.demo.projects import SEED as SEED
from tadiao.demo.projects import SUSPENDED_COUNT as SUSPENDED_COUNT
from tadiao.economy import models as economy
from tadiao.indicators.models import Snapshot, Target
from tadiao.org.models import Leader, Region, Unit, User
from tadiao.org.services import generate_password
from tadiao.projects.models import (
    AnnualPlan,
    Batch,
    BatchEntry,
    BondApplication,
    BondBatch,
    Project,
    ProjectApproval,
    ProjectFunding,
    Stage,
    StageTransition,
)
from tadiao.reporting.models import MonthlyReport, Period

PROJECT_COUNT = 300
SYSTEM_ACTOR = "系统"

class DemoDataError(Exception):
    """The demo cannot be loaded into this database; the message says why, in Chinese."""


@dataclass
class DemoSummary:
    """What the database holds after `load_demo`; `created` is False when the demo was already there."""

    created: bool
    county: str
    regions: int
    units: int
    leaders: int
    users: int
    projects: int
    approvals: int
    annual_plans: int
    plan_years: list[int]
    fundings: int
    transitions: int
    periods: int
    closed_periods: int
    reports: int
    snapshots: int
    targets: int
    trips: int
    leads: int
    follow_ups: int
    recognitions: int
    batches: int
    batch_entries: int
    bond_batches: int
    bond_applications: int
    problems: int
    supervision_items: int
    meetings: int
    economy_figures: int
    economy_targets: int
    by_stage: dict[str, int] = field(default_factory=dict)


@dataclass
class Credential:
    """An account first_run created or gave a password; the password is shown once and never stored in clear."""

    username: str
    full_name: str
    roles: str
    unit: str
    password: str


@dataclass
class FirstRunResult:
    """`skipped` when somebody can already log in; otherwise the demo summary (None when the database already
    held other data) and the credentials to print."""

    skipped: bool
    demo: DemoSummary | None = None
    credentials: list[Credential] = field(default_factory=list)


# --- public services ------------------------------------------------------------------------------------


def demo_loaded() -> bool:
    return Region.objects.filter(code=data.COUNTY[0]).exists()


@transaction.atomic
def load_demo(*, today: datetime.date) -> DemoSummary:
    """Load the demo county into an empty database, or do nothing when it is already there."""
    if demo_loaded():
        return _summary(created=False)
    _refuse_non_empty_database()
    builder = CountyBuilder(today=today)
    builder.build()
    summary = _summary(created=True)
    audit.record(
        actor=None,
        actor_name=SYSTEM_ACTOR,
        action="demo.loaded",
        obj=builder.county,
        # Counts, not fields: Chinese keys, which the audit page shows as they are.
        changes={
            "行政区划": summary.regions, "单位": summary.units, "领导": summary.leaders, "用户": summary.users,
            "项目": summary.projects, "前期手续": summary.approvals, "年度计划": summary.annual_plans,
            "资金来源": summary.fundings, "填报月份": summary.periods, "月度进展": summary.reports,
            "指标快照": summary.snapshots, "目标": summary.targets, "外出招商": summary.trips,
            "招商线索": summary.leads, "跟进记录": summary.follow_ups, "签约认定": summary.recognitions,
            "三个一批期次": summary.batches, "三个一批项目": summary.batch_entries,
            "专项债批次": summary.bond_batches, "专项债项目": summary.bond_applications,
            "问题诉求": summary.problems, "督办事项": summary.supervision_items, "会议": summary.meetings,
            "经济指标数据": summary.economy_figures, "经济指标目标": summary.economy_targets, "基准日期": today,
        },
        message=f"加载演示数据：{data.COUNTY[1]}，单位 {summary.units} 个，项目 {summary.projects} 个",
    )
    return summary


def someone_can_log_in() -> bool:
    return User.objects.exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX).exists()


@transaction.atomic
def first_run(*, today: datetime.date) -> FirstRunResult:
    """Initialise a fresh installation: demo data, the system administrator and passwords for the demo accounts.

    Skipped as soon as any account has a password, so it is safe on every start. The demo is loaded only into an
    empty database (or is already there); an installation holding real data gets the administrator alone.
    """
    if someone_can_log_in():
        return FirstRunResult(skipped=True)
    demo = None
    if demo_loaded() or not _database_has_business_data():
        demo = load_demo(today=today)
    admin = User.objects.filter(username=data.ADMIN_USERNAME).first()
    admin_is_new = admin is None
    if admin is None:
        admin = User(username=data.ADMIN_USERNAME, full_name=data.ADMIN_FULL_NAME, is_sysadmin=True,
                     unit=Unit.objects.filter(name=data.ADMIN_UNIT).first())
    demo_usernames = [username for username, *_ in data.DEMO_USERS]
    accounts = [admin, *User.objects.filter(username__in=demo_usernames).select_related("unit").order_by("id")]
    passwords = [generate_password() for _ in accounts]
    for user, hashed in zip(accounts, _hash_passwords(passwords), strict=True):
        user.password = hashed
        user.must_change_password = True  # printed once on the console: each owner chooses their own at login
    if admin_is_new:
        admin.save()
        # The same shape as org.services.create_user's event: each filled-in field as [None, value].
        created = audit.diff({}, audit.snapshot(admin, ["username", "full_name", "unit", "is_active"]))
        audit.record(actor=None, actor_name=SYSTEM_ACTOR, action="org.user.created", obj=admin,
                     changes={**{k: v for k, v in created.items() if v[1] not in (None, "")},
                              "roles": [None, admin.role_labels]},
                     message="首次启动：创建系统管理员账号")
    else:
        # An `admin` nobody can log in as (its password was disabled): it gets a password again.
        admin.save(update_fields=["password", "must_change_password"])
        audit.record(actor=None, actor_name=SYSTEM_ACTOR, action="org.user.password_reset", obj=admin,
                     message="首次启动：重设系统管理员初始密码")
    for user in accounts[1:]:
        user.save(update_fields=["password", "must_change_password"])
        audit.record(actor=None, actor_name=SYSTEM_ACTOR, action="org.user.password_reset", obj=user,
                     message="首次启动：设置演示账号初始密码")
    credentials = [_credential(user, password) for user, password in zip(accounts, passwords, strict=True)]
    return FirstRunResult(skipped=False, demo=demo, credentials=credentials)


def _hash_passwords(passwords: list[str]) -> list[str]:
    # A PBKDF2 hash takes about half a second; hashlib releases the GIL, so threads hash the accounts at once.
    with ThreadPoolExecutor(max_workers=len(passwords) or 1) as pool:
        return list(pool.map(make_password, passwords))


# --- helpers --------------------------------------------------------------------------------------------


def _database_has_business_data() -> bool:
    return any(model.objects.exists() for model in (Region, Unit, Leader, Project, Period))


def _refuse_non_empty_database() -> None:
    if _database_has_business_data():
        raise DemoDataError("数据库中已有行政区划、单位、领导、项目或填报月份数据，演示数据只能加载到空数据库。")
    usernames = [username for username, *_ in data.DEMO_USERS]
    if taken := list(User.objects.filter(username__in=usernames).values_list("username", flat=True)):
        raise DemoDataError(f"用户名已被占用：{'、'.join(sorted(taken))}，无法创建演示账号。")


def _credential(user: User, password: str) -> Credential:
    return Credential(username=user.username, full_name=user.full_name, roles=user.role_labels,
                      unit=user.unit.name if user.unit_id else "", password=password)


def _summary(*, created: bool) -> DemoSummary:
    by_stage = dict.fromkeys(Stage.values, 0)
    for stage in Project.objects.values_list("stage", flat=True):
        by_stage[stage] += 1
    return DemoSummary(
        created=created,
        county=data.COUNTY[1],
        regions=Region.objects.count(),
        units=Unit.objects.count(),
        leaders=Leader.objects.count(),
        users=User.objects.count(),
        projects=sum(by_stage.values()),
        approvals=ProjectApproval.objects.count(),
        annual_plans=AnnualPlan.objects.count(),
        plan_years=sorted(set(AnnualPlan.objects.values_list("year", flat=True))),
        fundings=ProjectFunding.objects.count(),
        transitions=StageTransition.objects.count(),
        periods=Period.objects.count(),
        closed_periods=Period.objects.filter(status=Period.Status.CLOSED).count(),
        reports=MonthlyReport.objects.count(),
        snapshots=Snapshot.objects.count(),
        targets=Target.objects.count(),
        trips=Trip.objects.count(),
        leads=Lead.objects.count(),
        follow_ups=FollowUp.objects.count(),
        recognitions=Recognition.objects.count(),
        batches=Batch.objects.count(),
        batch_entries=BatchEntry.objects.count(),
        bond_batches=BondBatch.objects.count(),
        bond_applications=BondApplication.objects.count(),
        problems=Problem.objects.filter(kind=Problem.Kind.PROBLEM).count(),
        supervision_items=Problem.objects.filter(kind=Problem.Kind.SUPERVISION).count(),
        meetings=Meeting.objects.count(),
        economy_figures=economy.Figure.objects.count(),
        economy_targets=economy.Target.objects.count(),
        by_stage=by_stage,
    )
