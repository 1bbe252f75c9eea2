"""Demo data for a fresh deployment: a fictional county-level city with ~120 units and ~300 projects, and (see
tadiao.demo.monthly) two years of monthly reports, closed months with frozen snapshots, an open month and targets.

`load_demo` writes it (once: a second call changes nothing); `first_run` is what `make run` calls on every start:
on a database nobody can log in to yet it loads the demo, creates the system administrator and gives every demo
account a random password, which the command prints once.

Everything is drawn from one seeded `random.Random`, so the same `today` always gives the same county. Dates
are relative to `today` (no clock here): every actual date lies before it, in stage order.
"""

import datetime
import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.db import transaction

from tadiao.attraction.models import FollowUp, Lead, Recognition, Trip
from tadiao.audit import services as audit
from tadiao.bulletins.models import BulletinSettings
from tadiao.coordination.models import Meeting, Problem
from tadiao.demo import data
from tadiao.demo.attraction import AttractionBuilder
from tadiao.demo.campaigns import CampaignBuilder
from tadiao.demo.common import at
from tadiao.demo.coordination import CoordinationBuilder
from tadiao.demo.monthly import MonthlyBuilder
from tadiao.demo.weekly import WeeklyBuilder
from tadiao.economy import models as economy
from tadiao.economy.demo import load_economy_demo
from tadiao.gis.demo import load_demo_map
from tadiao.indicators.models import Snapshot, Target
from tadiao.lib.numbers import CENT
from tadiao.org.models import Leader, Region, Unit, User
from tadiao.org.services import generate_password
from tadiao.projects.lifecycle import date_order_errors
from tadiao.projects.models import (
    STAGE_DATE_FIELD,
    STAGE_PLANNED_FIELD,
    AnnualPlan,
    ApprovalKind,
    Batch,
    BatchEntry,
    BondApplication,
    BondBatch,
    Category,
    FundingSource,
    Industry,
    Level,
    Nature,
    Project,
    ProjectApproval,
    ProjectFunding,
    Stage,
    StageTransition,
    Tag,
)
from tadiao.reporting.models import MonthlyReport, Period

SEED = 20260101
PROJECT_COUNT = 300
SYSTEM_ACTOR = "系统"

# How many projects of each category; the stage each reaches is drawn with the weights below.
CATEGORY_COUNTS = {
    Category.INDUSTRY: 130,
    Category.INFRASTRUCTURE: 40,
    Category.SOCIAL: 28,
    Category.URBAN: 30,
    Category.HEADQUARTERS: 10,
    Category.AGRICULTURE: 22,
    Category.SERVICE: 25,
    Category.ECOLOGY: 15,
}
# Government-invested categories skip 在谈/签约 (domain: they are planned, approved and built by the state).
GOVERNMENT_CATEGORIES = {Category.INFRASTRUCTURE, Category.SOCIAL, Category.URBAN, Category.ECOLOGY}
INVESTMENT_PATH = [Stage.NEGOTIATING, Stage.SIGNED, Stage.APPROVED, Stage.STARTED, Stage.COMPLETED,
                   Stage.PRODUCING, Stage.AT_CAPACITY]
GOVERNMENT_PATH = [Stage.RESERVE, Stage.APPROVED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING]
STAGE_WEIGHTS = {
    "investment": {Stage.RESERVE: 6, Stage.NEGOTIATING: 14, Stage.SIGNED: 12, Stage.APPROVED: 12,
                   Stage.STARTED: 28, Stage.COMPLETED: 9, Stage.PRODUCING: 11, Stage.AT_CAPACITY: 8},
    "government": {Stage.RESERVE: 12, Stage.APPROVED: 18, Stage.STARTED: 42, Stage.COMPLETED: 14,
                   Stage.PRODUCING: 14},
}
# Days from reaching the previous stage to reaching this one (lo, hi).
STAGE_GAP_DAYS = {
    Stage.NEGOTIATING: (20, 120), Stage.SIGNED: (30, 180), Stage.APPROVED: (20, 120), Stage.STARTED: (15, 150),
    Stage.COMPLETED: (240, 900), Stage.PRODUCING: (15, 120), Stage.AT_CAPACITY: (90, 540),
}
# How long ago (days before today) the current stage was reached.
CURRENT_STAGE_AGE_DAYS = {
    Stage.RESERVE: (10, 500), Stage.NEGOTIATING: (5, 200), Stage.SIGNED: (5, 300), Stage.APPROVED: (5, 300),
    Stage.STARTED: (5, 900), Stage.COMPLETED: (5, 300), Stage.PRODUCING: (5, 400), Stage.AT_CAPACITY: (5, 600),
}
SUSPENDED_COUNT = 10
CANCELLED_COUNT = 9
MAP_CENTRE = (Decimal("29.880000"), Decimal("120.420000"))  # a fictional city: anywhere plausible will do


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
    builder = _DemoBuilder(today=today)
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


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


@dataclass
class _Plan:
    """One project being drawn, before it is written."""

    project: Project
    path: list[str]
    government: bool
    tags: set[str] = field(default_factory=set)
    event_date: datetime.date | None = None  # the day it was suspended or cancelled


class _DemoBuilder:
    """Draws the whole county from one seeded generator and writes it with bulk_create."""

    def __init__(self, *, today: datetime.date):
        self.today = today
        self.rng = random.Random(SEED)
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self._decks: dict[str, list] = {}
        self._brand = ""  # the enterprise brand of the project being drawn (its name and its investor share it)

    # --- organisation ---

    def build(self) -> None:
        self._build_regions()
        self._build_units()
        self._build_leaders()
        self._build_users()
        self._build_projects()
        load_demo_map(county=self.county, projects=[p.project for p in self.plans])
        coordinator = next(u for u in self.users if u.is_coordinator)
        reporters = {u.unit_id: u for u in self.users if u.is_reporter}
        projects = [p.project for p in self.plans]
        # Before the monthly snapshots, which freeze the three work items, the batch statistics and the problems.
        attraction = AttractionBuilder(
            today=self.today, units=sorted(self.units.values(), key=lambda u: u.display_order), projects=projects,
            cancelled_on={p.project.pk: p.event_date for p in self.plans if p.project.is_cancelled},
            coordinator=coordinator, reporters=reporters,
        )
        attraction.build()
        CampaignBuilder(today=self.today, projects=projects, fundings=self.fundings).build()
        monthly = MonthlyBuilder(
            today=self.today, projects=projects, annual_plans=self.annual_plans,
            suspended_on={p.project.pk: p.event_date for p in self.plans if p.project.is_suspended},
            coordinator=coordinator, reporters=reporters,
        )
        monthly.build_reports()
        # Between the two: problems point at the monthly reports that raised them, and the snapshots freeze them.
        CoordinationBuilder(today=self.today, units=self.units, projects=projects, coordinator=coordinator,
                            users=self.users, blank_units=attraction.shape.blank).build()
        WeeklyBuilder(today=self.today, projects=projects, coordinator=coordinator, reporters=reporters).build()
        monthly.build_snapshots()
        load_economy_demo(today=self.today)  # the county's and its towns' 经济指标 (no audit event of its own)
        # The bulletin's letterhead for the demo city (the defaults say X县).
        BulletinSettings.objects.update_or_create(pk=1, defaults={
            "number_prefix": f"{data.COUNTY_SHORT}发改", "issuer_mark": f"{data.COUNTY[1]}发展和改革局文件",
            "issuer": f"{data.COUNTY[1]}发展和改革局", "recipients": "各乡镇（街道）、市直有关单位、各园区管委会：",
            "region_name": "全市",
        })

    def _build_regions(self) -> None:
        province = Region(code=data.PROVINCE[0], name=data.PROVINCE[1], level=Region.Level.PROVINCE,
                          path=f"/{data.PROVINCE[0]}/")
        province.save()
        city = Region(code=data.CITY[0], name=data.CITY[1], level=Region.Level.CITY, parent=province,
                      path=f"{province.path}{data.CITY[0]}/")
        city.save()
        self.county = Region(code=data.COUNTY[0], name=data.COUNTY[1], level=Region.Level.COUNTY, parent=city,
                             path=f"{city.path}{data.COUNTY[0]}/")
        self.county.save()
        townships = []
        for first, names in ((1, data.STREETS), (101, data.TOWNS), (201, data.TOWNSHIPS)):
            for number, name in enumerate(names, start=first):
                code = f"{data.COUNTY[0]}{number:03d}000"
                townships.append(Region(code=code, name=name, level=Region.Level.TOWNSHIP, parent=self.county,
                                        path=f"{self.county.path}{code}/"))
        self.township_regions = {r.name: r for r in Region.objects.bulk_create(townships)}

    def _build_units(self) -> None:
        units = []
        for name in data.STREETS:
            units.append(Unit(name=name, kind=Unit.Kind.STREET, region=self.township_regions[name]))
        for name in data.TOWNS + data.TOWNSHIPS:
            units.append(Unit(name=name, kind=Unit.Kind.TOWNSHIP, region=self.township_regions[name]))
        units += [Unit(name=name, kind=Unit.Kind.PARK, region=self.county) for name in data.PARKS]
        units += [Unit(name=name, kind=Unit.Kind.DEPARTMENT, region=self.county) for name in data.DEPARTMENTS]
        units += [Unit(name=name, kind=Unit.Kind.SOE, region=self.county) for name in data.SOES]
        # Steps of ten leave room to slot a new unit in without renumbering (bulletins list units in this order).
        for order, unit in enumerate(units, start=1):
            unit.display_order = order * 10
        self.units = {u.name: u for u in Unit.objects.bulk_create(units)}
        self.towns = [self.units[name] for name in data.STREETS + data.TOWNS + data.TOWNSHIPS]

    def _build_leaders(self) -> None:
        leaders = [Leader(name=name, title=title, display_order=order)
                   for order, (name, title) in enumerate(data.LEADERS, start=1)]
        self.leaders = Leader.objects.bulk_create(leaders)

    def _build_users(self) -> None:
        users = []
        for username, full_name, unit_name, role_field, leader_index in data.DEMO_USERS:
            user = User(username=username, full_name=full_name, unit=self.units[unit_name],
                        leader=self.leaders[leader_index] if leader_index is not None else None,
                        **{role_field: True})
            user.set_unusable_password()  # first_run gives each a random password and prints it once
            users.append(user)
        self.users = User.objects.bulk_create(users)

    # --- projects ---

    def _build_projects(self) -> None:
        self.industries = {i.name: i for i in Industry.objects.all()}
        self.tags = {name: Tag.objects.get_or_create(name=name)[0]
                     for name in ("智能化改造", "专项债", "招商引资", "民生实事")}
        categories = [c for c, n in CATEGORY_COUNTS.items() for _ in range(n)]
        self.rng.shuffle(categories)
        plans = [self._draw_project(category) for category in categories]
        self._flag(plans)
        for plan in plans:
            self._check_dates(plan.project)
        Project.objects.bulk_create([p.project for p in plans])

        through = Project.tags.through
        through.objects.bulk_create([through(project_id=p.project.pk, tag_id=self.tags[name].pk)
                                     for p in plans for name in sorted(p.tags)])
        StageTransition.objects.bulk_create([t for p in plans for t in self._transitions(p)])
        kinds = list(ApprovalKind.objects.filter(is_active=True).order_by("display_order", "id"))
        ProjectApproval.objects.bulk_create([a for p in plans for a in self._approvals(p, kinds)])
        self.plans = plans
        self.annual_plans = AnnualPlan.objects.bulk_create([a for p in plans for a in self._annual_plans(p)])
        self.fundings = fundings = [f for p in plans for f in self._fundings(p)]
        ProjectFunding.objects.bulk_create(fundings)
        bond_projects = {f.project_id for f in fundings if f.source == FundingSource.SPECIAL_BOND}
        bond_tagged = {p.project.pk for p in plans if "专项债" in p.tags}
        through.objects.bulk_create([through(project_id=pk, tag_id=self.tags["专项债"].pk)
                                     for pk in sorted(bond_projects - bond_tagged)])

    def _draw_project(self, category: str) -> _Plan:
        rng = self.rng
        base_nature = rng.choices([Nature.NEW, Nature.EXPANSION, Nature.RENOVATION], weights=[65, 18, 17])[0]
        if category == Category.INDUSTRY:
            name, industry_name, industry_code, supervisor, unit, cap = self._industry_identity(base_nature)
        else:
            name, industry_name, industry_code, supervisor, unit, cap = self._other_identity(category)
        # Built by the state (a department or a state-owned platform) → no talks and no signing.
        government = category in GOVERNMENT_CATEGORIES or unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.SOE)
        path = list(GOVERNMENT_PATH if government else INVESTMENT_PATH)
        weights = STAGE_WEIGHTS["government" if government else "investment"]
        stage = rng.choices(list(weights), weights=list(weights.values()))[0]
        if not government and (stage == Stage.RESERVE or rng.random() < 0.3):
            path = [Stage.RESERVE, *path]  # planned for investment attraction (招商储备) before talks began
        total = self._total_investment(category, cap)
        project = Project(
            name=name, unit=unit, supervising_department=self.units[supervisor], level=self._level(total),
            category=category, industry=self.industries.get(industry_name) if industry_name else None,
            industry_code=industry_code, nature=base_nature, total_investment=total, stage=stage,
        )
        plan = _Plan(project=project, path=path, government=government)
        self._dates(plan)
        self._investor(plan)
        self._details(plan)
        # Drawn whatever the dates say, so that another `today` shifts the dates but draws the same projects.
        continuing = rng.random() < 0.85
        if continuing and project.stage == Stage.STARTED and project.started_date.year < self.today.year:
            project.nature = Nature.CONTINUING  # started in an earlier year and still being built
        if category == Category.INDUSTRY and base_nature == Nature.RENOVATION:
            plan.tags.add("智能化改造")
        if category == Category.SOCIAL or (category == Category.URBAN and rng.random() < 0.5):
            plan.tags.add("民生实事")
        if not government and project.investor_origin not in ("", "本地") and project.signed_date:
            plan.tags.add("招商引资")
        return plan

    def _deal(self, key: str, items: list):
        """The next item from a shuffled deck of `items`, reshuffled when used up: every kind of project appears,
        in even numbers, rather than whatever a run of independent choices happens to give."""
        deck = self._decks.setdefault(key, [])
        if not deck:
            deck.extend(items)
            self.rng.shuffle(deck)
        return deck.pop()

    def _unique_name(self, make) -> str:
        for _ in range(30):
            name = make()
            if name not in self.names:
                break
        else:
            base, name, phase = name, name, 2
            while name in self.names:
                name = f"{base}（{'二三四五六七八九'[phase - 2]}期）"
                phase += 1
        self.names.add(name)
        return name

    def _industry_identity(self, nature: str):
        rng = self.rng
        industry_name, (product, code, pattern, (lo, hi)) = self._deal(
            Category.INDUSTRY, [(name, p) for name, products in data.INDUSTRY_PRODUCTS.items() for p in products])

        def make() -> str:
            # A fresh brand per try: the investing enterprise then carries the brand its project is named after.
            self._brand = rng.choice(data.BRANDS)
            if nature == Nature.RENOVATION:
                return f"{self._brand}{product}生产线智能化改造项目"
            n = rng.randint(lo, hi)
            if hi >= 100:
                n = max(round(n, -1 if hi < 1000 else -2), lo)
            name = pattern.format(n=n, p=product, b=self._brand)
            if nature == Nature.EXPANSION and "改造" not in name:
                return name.removesuffix("项目") + "扩建项目"
            return name

        name = self._unique_name(make)
        if rng.random() < 0.65:
            unit = self.units[rng.choice(data.INDUSTRY_UNITS[industry_name])]
        else:
            unit = rng.choice(self.towns)
        supervisor = "市经济和信息化局" if nature != Nature.NEW or rng.random() < 0.5 else "市发展和改革局"
        return name, industry_name, code, supervisor, unit, 80

    def _other_identity(self, category: str):
        rng = self.rng
        patterns = {
            Category.INFRASTRUCTURE: data.INFRASTRUCTURE, Category.SOCIAL: data.SOCIAL, Category.URBAN: data.URBAN,
            Category.HEADQUARTERS: data.HEADQUARTERS, Category.AGRICULTURE: data.AGRICULTURE,
            Category.SERVICE: data.SERVICE, Category.ECOLOGY: data.ECOLOGY,
        }[category]
        pattern, industry_name, code, supervisor, unit_names, cap = self._deal(category, patterns)
        unit_name = rng.choice(unit_names)
        unit = rng.choice(self.towns) if unit_name == data.TOWN else self.units[unit_name]
        # A township's project is named after the township, mostly ("白沙镇" → "白沙…").
        home = unit.name.removesuffix("街道").removesuffix("镇").removesuffix("乡") if unit in self.towns else None

        def make() -> str:
            self._brand = rng.choice(data.BRANDS)
            x, y = rng.sample(data.PLACES, 2)
            if home and rng.random() < 0.8:
                x = home
            return pattern.format(x=x, y=y, b=self._brand, n=rng.randint(1, 5))

        name = self._unique_name(make)
        return name, industry_name, code, supervisor, unit, cap

    def _total_investment(self, category: str, cap_yi: int) -> Decimal:
        """万元: under 1 亿, 1–10 亿 or 10 亿 and more (up to what such a project plausibly costs)."""
        rng = self.rng
        small_share = 0.55 if category in (Category.SOCIAL, Category.URBAN, Category.AGRICULTURE) else 0.42
        tiers = [(5, 100, 100, small_share), (10, 100, 1000, 0.9 - small_share), (10, 81, 10000, 0.1)]
        cap = cap_yi * 10000
        usable = [(lo, min(hi, cap // step + 1), step, w) for lo, hi, step, w in tiers if lo * step <= cap]
        lo, hi, step, _ = rng.choices(usable, weights=[w for *_, w in usable])[0]
        wan = rng.randrange(lo, max(hi, lo + 1)) * step
        if rng.random() < 0.25:  # not every estimate is a round figure
            return _money(wan - rng.randrange(1, 100)) + _money(rng.randrange(0, 100)) / 100
        return _money(wan)

    def _level(self, total: Decimal) -> str:
        rng = self.rng
        if total >= 100000:
            return rng.choices([Level.NATIONAL, Level.PROVINCIAL, Level.CITY], weights=[2, 5, 3])[0]
        if total >= 10000:
            return rng.choices([Level.PROVINCIAL, Level.CITY, Level.COUNTY], weights=[2, 4, 6])[0]
        return rng.choices([Level.COUNTY, Level.GENERAL], weights=[5, 5])[0]

    def _dates(self, plan: _Plan) -> None:
        """Actual dates walking back from the current stage, planned dates walking forward, all in order."""
        rng, project = self.rng, plan.project
        reached = plan.path[: plan.path.index(project.stage) + 1]
        ahead = plan.path[len(reached):]
        lo, hi = CURRENT_STAGE_AGE_DAYS[project.stage]
        day = self.today - datetime.timedelta(days=rng.randint(lo, hi))
        actual = {}
        for i in range(len(reached) - 1, -1, -1):
            actual[reached[i]] = day
            if i:
                gap = STAGE_GAP_DAYS.get(reached[i], (30, 200))
                day -= datetime.timedelta(days=rng.randint(*gap))
        for stage, day in actual.items():
            setattr(project, STAGE_DATE_FIELD[stage], day)

        planned: dict[str, datetime.date] = {}
        previous = None
        for stage in reached:
            if stage == Stage.RESERVE:
                continue  # nobody plans the day a project enters the reserve
            day = actual[stage] + datetime.timedelta(days=rng.randint(-45, 30))
            previous = planned[stage] = max(day, previous) if previous else day
        anchor = actual[reached[-1]]
        for stage in ahead[:3]:
            anchor += datetime.timedelta(days=rng.randint(*STAGE_GAP_DAYS[stage]))
            previous = planned[stage] = max(anchor, previous) if previous else anchor
        for stage, day in planned.items():
            setattr(project, STAGE_PLANNED_FIELD[stage], day)

    def _investor(self, plan: _Plan) -> None:
        rng, project = self.rng, plan.project
        if plan.government:
            if project.unit.kind in (Unit.Kind.SOE, Unit.Kind.DEPARTMENT):
                project.investor = project.unit.name
            elif project.unit.kind == Unit.Kind.STREET:
                project.investor = f"{data.COUNTY[1]}人民政府{project.unit.name}办事处"
            else:
                project.investor = f"{data.COUNTY[1]}{project.unit.name}人民政府"
            project.investor_origin = "本地"
            project.funding_source = rng.choice(["财政资金", "专项债券+财政资金", "中央预算内投资+地方配套",
                                                 "国企自筹+银行贷款"])
            return
        if project.stage == Stage.RESERVE:
            return  # a reserve project waits for its investor
        industry = project.industry.name if project.industry else None
        suffix = data.COMPANY_SUFFIX.get(industry, data.COMPANY_SUFFIX[None])
        if rng.random() < 0.08:
            place, origin = rng.choice(data.FOREIGN_ORIGINS)
            project.investor = f"{self._brand}{suffix.removesuffix('有限公司')}（{data.COUNTY_SHORT}）有限公司"
        else:
            place, origin = rng.choice(data.ORIGINS)
            project.investor = f"{place}{self._brand}{suffix}"
        project.investor_origin = origin
        project.funding_source = rng.choice(["企业自筹", "企业自筹+银行贷款", "企业自筹+产业基金"])

    def _details(self, plan: _Plan) -> None:
        rng, project = self.rng, plan.project
        if rng.random() < 0.6 and project.level in (Level.NATIONAL, Level.PROVINCIAL, Level.CITY):
            project.leader = rng.choice(self.leaders)
        elif rng.random() < 0.15:
            project.leader = rng.choice(self.leaders)
        land = None
        if project.category in (Category.INDUSTRY, Category.AGRICULTURE, Category.SERVICE, Category.HEADQUARTERS):
            land = _money(rng.randint(15, 600)) + _money(rng.randrange(0, 100)) / 100
        elif project.category in (Category.SOCIAL, Category.URBAN) and rng.random() < 0.7:
            land = _money(rng.randint(10, 200))
        project.land_area = land
        project.latitude = (MAP_CENTRE[0] + Decimal(rng.randint(-120000, 120000)) / 1000000).quantize(
            Decimal("0.000001"))
        project.longitude = (MAP_CENTRE[1] + Decimal(rng.randint(-150000, 150000)) / 1000000).quantize(
            Decimal("0.000001"))
        yi = (project.total_investment / 10000).quantize(Decimal("0.1"))
        if project.category == Category.INDUSTRY:
            project.content = (
                f"项目总投资约{yi}亿元，{'新增' if land else '利用现有'}用地约{land or rng.randint(20, 120)}亩，"
                f"新建生产厂房及配套用房约{rng.randint(2, 30)}万平方米，"
                f"购置先进生产设备{rng.randint(50, 600)}台（套）；"
                f"达产后预计年产值{(yi * Decimal('1.5')).quantize(Decimal('0.1'))}亿元、年税收"
                f"{(yi * Decimal('0.08')).quantize(Decimal('0.01'))}亿元。"
            )
        elif project.category == Category.INFRASTRUCTURE:
            project.content = (f"项目总投资约{yi}亿元，建设内容包括主体工程约{rng.randint(2, 30)}公里及附属设施、"
                               f"管线迁改、绿化亮化等。")
        else:
            project.content = (f"项目总投资约{yi}亿元，总建筑面积约{rng.randint(1, 20)}万平方米，"
                               f"建设主体建筑及配套设施。")
        if project.started_date and rng.random() < 0.92 and project.total_investment >= 500:
            project.in_statistics = True
            month = _first_of_month(project.started_date + datetime.timedelta(days=31))
            project.statistics_month = month if month <= self.today else _first_of_month(project.started_date)
        if project.stage in (Stage.APPROVED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING, Stage.AT_CAPACITY) \
                and rng.random() < 0.85:
            project.code = self._project_code(project)

    def _project_code(self, project: Project) -> str:
        """Shaped like GB/T 40058-2021: year-region-department-type-serial (+check digit, not computed here)."""
        rng = self.rng
        kind = "02" if project.nature in (Nature.RENOVATION, Nature.EXPANSION) else "01"
        while True:
            code = (f"{project.approved_date.year}-{data.COUNTY[0]}-{rng.choice(['04', '07', '13', '31', '89'])}-"
                    f"{kind}-{rng.randrange(100000, 1000000)}")
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _flag(self, plans: list[_Plan]) -> None:
        """Some projects are suspended (停工, under construction) or cancelled (终止), each with a reason."""
        rng = self.rng
        building = [p for p in plans if p.project.stage == Stage.STARTED]
        for plan in rng.sample(building, SUSPENDED_COUNT):
            project = plan.project
            project.is_suspended = True
            project.suspended_reason = rng.choice(data.SUSPEND_REASONS[self._kind(plan)])
            plan.event_date = self._between(project.started_date, self.today)
        early = [p for p in plans if p.project.stage in (Stage.NEGOTIATING, Stage.SIGNED, Stage.APPROVED)]
        for plan in rng.sample(early, CANCELLED_COUNT):
            project = plan.project
            project.is_cancelled = True
            project.cancelled_reason = rng.choice(data.CANCEL_REASONS[self._kind(plan)])
            plan.event_date = self._between(project.stage_date(project.stage), self.today)

    @staticmethod
    def _kind(plan: _Plan) -> str:
        return "government" if plan.government else "investment"

    def _between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def _check_dates(self, project: Project) -> None:
        actual = {stage: getattr(project, f) for stage, f in STAGE_DATE_FIELD.items()}
        planned = {stage: getattr(project, f) for stage, f in STAGE_PLANNED_FIELD.items()}
        errors = date_order_errors(actual) + date_order_errors(planned)
        if errors or any(d and d > self.today for d in actual.values()):
            raise AssertionError(f"演示数据生成了不合理的日期：{project.name} {errors}")

    # --- related rows ---

    def _transitions(self, plan: _Plan) -> list[StageTransition]:
        project = plan.project
        reached = [s for s in plan.path if project.stage_date(s)]
        rows = [
            StageTransition(project=project, kind=StageTransition.Kind.ADVANCE, from_stage=before, to_stage=after,
                            actual_date=project.stage_date(after), at=at(project.stage_date(after), 9))
            for before, after in itertools.pairwise(reached)
        ]
        if project.is_suspended:
            rows.append(StageTransition(project=project, kind=StageTransition.Kind.SUSPEND, from_stage=project.stage,
                                        to_stage=project.stage, reason=project.suspended_reason,
                                        at=at(plan.event_date, 15)))
        if project.is_cancelled:
            rows.append(StageTransition(project=project, kind=StageTransition.Kind.CANCEL, from_stage=project.stage,
                                        to_stage=project.stage, reason=project.cancelled_reason,
                                        at=at(plan.event_date, 15)))
        return rows

    def _approvals(self, plan: _Plan, kinds: list[ApprovalKind]) -> list[ProjectApproval]:
        """The pre-construction checklist: all done (a few accepted with gaps) once started, partly done before."""
        rng, project, today = self.rng, plan.project, self.today
        if not kinds or project.stage in (Stage.RESERVE, Stage.NEGOTIATING):
            return []
        n = len(kinds)
        window_start = project.signed_date or project.approved_date or project.reserve_date
        if project.started_date:
            window_end, done = project.started_date, n
        elif project.stage == Stage.APPROVED:
            window_end, done = today, rng.randint(2, n - 2) if n > 3 else 1
        else:  # signed
            window_end, done = today, rng.randint(0, min(2, n))
        window_start = min(window_start or window_end - datetime.timedelta(days=120), window_end)
        span = (window_end - window_start).days
        rows = []
        for i, kind in enumerate(kinds):
            row = ProjectApproval(project=project, kind=kind, department=data.APPROVAL_DEPARTMENT.get(kind.name, ""))
            if i < done:
                row.completed_date = window_start + datetime.timedelta(days=span * (i + 1) // done)
                row.applied_date = row.completed_date - datetime.timedelta(days=rng.randint(1, 25))
                row.planned_date = row.completed_date + datetime.timedelta(days=rng.randint(-20, 10))
                if project.started_date and rng.random() < 0.04:
                    row.status = ProjectApproval.Status.ACCEPTED_WITH_GAPS
                    row.completed_date = None
                    row.note = "容缺受理，承诺开工后补齐材料"
                else:
                    row.status = ProjectApproval.Status.DONE
            elif i < done + 2 and rng.random() < 0.7:
                row.status = rng.choices([ProjectApproval.Status.IN_PROGRESS,
                                          ProjectApproval.Status.ACCEPTED_WITH_GAPS], weights=[4, 1])[0]
                row.applied_date = today - datetime.timedelta(days=rng.randint(3, 60))
                row.planned_date = today + datetime.timedelta(days=rng.randint(-15, 45))
                if row.status == ProjectApproval.Status.IN_PROGRESS and rng.random() < 0.3:
                    row.note = "并联办理"
            else:
                row.status = ProjectApproval.Status.NOT_STARTED
                row.planned_date = today + datetime.timedelta(days=rng.randint(15, 150))
            rows.append(row)
        return rows

    def _annual_plans(self, plan: _Plan) -> list[AnnualPlan]:
        """A plan for last year and this year while the project is being built (or due to start that year)."""
        rng, project = self.rng, plan.project
        start = project.started_date or project.planned_started_date
        end = project.completed_date or project.planned_completed_date
        committed = project.signed_date or project.approved_date
        if start is None or committed is None:
            return []
        rows = []
        share_left = 100
        for year in (self.today.year - 1, self.today.year):
            if not (committed.year <= year and start.year <= year and (end is None or end.year >= year)):
                continue
            if project.is_cancelled and plan.event_date and plan.event_date.year < year:
                continue
            share = min(rng.randint(12, 45), share_left)
            share_left -= share
            # The year it starts, a project plans only the months left after the start (one starting in October
            # plans a quarter of a year's works), and one still waiting to start plans mostly its preparatory
            # costs (前期费用、征地): otherwise the projects yet to start would swamp the county's plan.
            months = 13 - start.month if start.year == year else 12
            waiting = 35 if project.started_date is None else 100  # percent of a building project's plan
            goal = ("竣工投产" if end and end.year == year else
                    "开工建设，完成基础工程" if start.year == year else "完成主体工程建设")
            planned_start = project.planned_started_date
            planned_end = project.planned_completed_date
            rows.append(AnnualPlan(
                project=project, year=year,
                planned_investment=_money(project.total_investment * share * months * waiting / 120000),
                planned_start_date=planned_start if planned_start and planned_start.year == year else None,
                planned_completion_date=planned_end if planned_end and planned_end.year == year else None,
                goal=goal,
            ))
        return rows

    def _fundings(self, plan: _Plan) -> list[ProjectFunding]:
        """Funding by source for about four in ten projects past 立项: planned ≥ in place ≥ spent."""
        rng, project = self.rng, plan.project
        if project.approved_date is None or rng.random() > 0.45:
            return []
        if plan.government:
            pool = [FundingSource.CENTRAL_BUDGET, FundingSource.SPECIAL_BOND, FundingSource.LOCAL_FISCAL,
                    FundingSource.BANK_LOAN]
            sources = sorted(rng.sample(pool, rng.randint(1, 3)))
        else:
            sources = [FundingSource.SELF_RAISED] + ([FundingSource.BANK_LOAN] if rng.random() < 0.5 else [])
        progress = {Stage.APPROVED: (0, 20), Stage.STARTED: (20, 80)}.get(project.stage, (80, 100))
        weights = [rng.randint(1, 5) for _ in sources]
        rows = []
        for source, weight in zip(sources, weights, strict=True):
            planned = _money(project.total_investment * weight / sum(weights))
            in_place = _money(planned * rng.randint(*progress) / 100)
            spent = _money(in_place * rng.randint(60, 100) / 100)
            rows.append(ProjectFunding(project=project, source=source, planned=planned, in_place=in_place,
                                       spent=spent))
        return rows
