"""The demo county's builder: the organisation (regions, units, leaders, users), the projects (drawn by
projects.ProjectDrawing) with their written rows (stage transitions, approvals, annual plans, funding), then
the other builders in the order their data depend on each other."""

import datetime
import itertools
import random

from tadiao.bulletins.models import BulletinSettings
from tadiao.demo import data
from tadiao.demo.attraction import AttractionBuilder
from tadiao.demo.campaigns import CampaignBuilder
from tadiao.demo.common import at
from tadiao.demo.coordination import CoordinationBuilder
from tadiao.demo.economy import load_economy_demo
from tadiao.demo.monthly import MonthlyBuilder
from tadiao.demo.projects import CATEGORY_COUNTS, SEED, ProjectDrawing, _money, _Plan
from tadiao.demo.weekly import WeeklyBuilder
from tadiao.gis.demo import load_demo_map
from tadiao.org.models import Leader, Region, Unit, User
from tadiao.projects.models import (
    AnnualPlan,
    ApprovalKind,
    FundingSource,
    Industry,
    Project,
    ProjectApproval,
    ProjectFunding,
    Stage,
    StageTransition,
    Tag,
)


class CountyBuilder(ProjectDrawing):
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
