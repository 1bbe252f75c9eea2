"""How one demo project is drawn: its category, stage path, identity (name, industry, unit), investment, stage
dates, investor and details, plus the suspended and cancelled ones. A mixin of county.CountyBuilder, which owns
the generator and the organisation these draws read (see the attributes below)."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from tadiao.demo import data
from tadiao.lib.numbers import CENT
from tadiao.org.models import Leader, Unit
from tadiao.projects.lifecycle import date_order_errors
from tadiao.projects.models import (
    STAGE_DATE_FIELD,
    STAGE_PLANNED_FIELD,
    Category,
    Industry,
    Level,
    Nature,
    Project,
    Stage,
)

SEED = 20260101

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


class ProjectDrawing:
    """The project draws of CountyBuilder: every method reads the builder's seeded generator and organisation."""

    today: datetime.date
    rng: random.Random
    names: set[str]
    codes: set[str]
    _decks: dict[str, list]
    _brand: str
    units: dict[str, Unit]
    towns: list[Unit]
    leaders: list[Leader]
    industries: dict[str, Industry]

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
