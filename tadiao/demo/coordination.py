"""The demo county's 问题协调与督办: problems raised from its projects, two meetings and their supervision items.

Each item's history is played out under the office's default rules, so that lists, histories and statistics agree:
raised (many from a monthly report's 存在问题), taken on by the lead unit within days, escalated one level by the
daily job on the day after each missed deadline (with a new time limit counted in working days on the official
calendar), flagged for the office once at level 4, resolved (办结) and confirmed (销号) by the raising unit — or
still open today. A few stubborn ones (能耗指标, 征地拆迁, 用地报批) have gone all the way up and are overdue.

Written after the monthly builder (problems point at its reports); drawn from its own seeded generator.
"""

import datetime
import random
from dataclasses import dataclass, field

from tadiao.coordination import workdays
from tadiao.coordination.models import (
    DEFAULT_WORKING_DAYS,
    AgendaItem,
    Category,
    Instruction,
    Level,
    Meeting,
    Problem,
    ProblemEvent,
    Reply,
    Status,
    WorkdayAdjustment,
)
from tadiao.demo.common import at
from tadiao.org.models import Leader, Unit, User
from tadiao.projects.models import Project, Stage
from tadiao.reporting.models import MonthlyReport

SEED = 20260105
SYSTEM_NOTE = "超过办结时限（{d:%Y-%m-%d}）未办结，自动升级。"
# Problems per category (40 in all) and who leads on each: a unit name, or TOWN for the project's own township.
TOWN = "属地"
CATEGORY_COUNTS = {
    Category.LAND: 5, Category.FUNDS: 6, Category.ENERGY: 3, Category.ENVIRONMENT: 3, Category.APPROVAL: 5,
    Category.UTILITIES: 5, Category.DEMOLITION: 4, Category.CONSTRUCTION: 4, Category.LABOUR: 3, Category.OTHER: 2,
}
STUBBORN = [Category.ENERGY, Category.DEMOLITION, Category.LAND]  # gone all the way up, still open
# (title, description with the appeal 诉求, lead unit, helping units, stages of the projects it fits).
BUILDING = (Stage.STARTED,)
EARLY = (Stage.SIGNED, Stage.APPROVED)
TEMPLATES = {
    Category.LAND: [
        ("二期用地报批手续尚未完成", "项目二期约{n}亩用地尚未完成农用地转用报批，影响后续厂房建设。"
         "诉求：请加快组卷报批。",
         "市自然资源和规划局", ["市发展和改革局"], BUILDING),
        ("项目用地涉及永久基本农田需调整", "项目拟用地块中约{n}亩为永久基本农田，需按程序调整后方可供地。诉求：协调开展"
         "永久基本农田布局优化。", "市自然资源和规划局", ["市农业农村局"], EARLY),
        ("土地挂牌出让进度滞后", "项目用地尚未完成挂牌出让，企业无法办理不动产权证。诉求：请加快土地出让进度。",
         "市自然资源和规划局", ["市公共资源交易中心"], EARLY),
    ],
    Category.FUNDS: [
        ("企业融资困难，资金到位不足", "受银行授信收紧影响，项目资金到位率仅约{pct}%，施工进度放缓。诉求：协调银行开辟"
         "绿色通道，给予项目贷款支持。", "市委金融办", ["市财政局"], BUILDING),
        ("上级资金尚未下达，工程款支付滞后", "项目争取的上级补助资金尚未下达，已拖欠施工单位工程款约{m}万元。"
         "诉求：请协调上级资金尽快下达，保障工程款支付。", "市财政局", ["市发展和改革局"], BUILDING),
    ],
    Category.ENERGY: [
        ("新增能耗指标缺口较大", "项目达产后年综合能耗约{m}吨标准煤，全市年度能耗指标不足，节能审查无法通过。诉求：争取"
         "上级统筹能耗指标支持。", "市发展和改革局", ["市经济和信息化局"], EARLY),
    ],
    Category.ENVIRONMENT: [
        ("VOCs排放总量指标尚未落实", "项目环评需挥发性有机物排放总量指标约{n}吨/年，需区域内替代削减。诉求：协调调剂"
         "总量指标。", "临州市生态环境局安澜分局", ["市经济和信息化局"], EARLY),
        ("环评批复前置条件未满足", "项目所在园区规划环评跟踪评价尚未完成，项目环评暂缓受理。诉求：加快园区规划环评"
         "跟踪评价。", "临州市生态环境局安澜分局", ["市发展和改革局"], EARLY),
    ],
    Category.APPROVAL: [
        ("施工许可办理进度缓慢", "项目施工图审查已完成，施工许可因消防设计审查意见未闭合尚未核发。诉求：并联办理、"
         "容缺受理。", "市行政审批局", ["市住房和城乡建设局"], EARLY),
        ("工程规划许可尚未核发", "项目设计方案经两轮修改仍未通过规委会审查，工程规划许可无法办理。诉求：请提前介入指导"
         "方案修改。", "市自然资源和规划局", ["市行政审批局"], EARLY),
    ],
    Category.UTILITIES: [
        ("施工临时用电增容尚未完成", "项目施工用电需增容至{k}千伏安，供电方案已报送，尚未接火送电。诉求：请加快办理。",
         "国网安澜市供电公司", [], BUILDING),
        ("天然气管道未接入厂区", "项目生产线调试需天然气，厂区外约{n}百米市政燃气管道尚未铺设。诉求：加快管道建设。",
         "安澜能源集团有限公司", ["市住房和城乡建设局"], BUILDING),
        ("生产用水管网接入滞后", "项目投产需日供水约{m}吨，市政供水管网尚未接入厂区。诉求：加快管网接入。",
         "安澜水务集团有限公司", [], BUILDING),
    ],
    Category.DEMOLITION: [
        ("征地拆迁尚有{n}户未签约", "项目红线内尚有{n}户房屋未签订征收补偿协议，影响主体施工。诉求：加大攻坚力度，"
         "依法依规推进。", TOWN, ["市住房和城乡建设局", "市自然资源和规划局"], BUILDING),
        ("坟墓迁移及青苗补偿未完成", "项目施工范围内尚有{n}座坟墓未迁移，部分青苗补偿存在争议。诉求：属地协调解决。",
         TOWN, ["市民政局"], BUILDING),
    ],
    Category.CONSTRUCTION: [
        ("部分管线迁改未完成，影响主体施工", "施工范围内通信、电力管线迁改尚未完成，约{n}百米主体工程无法施工。"
         "诉求：协调管线产权单位加快迁改。", "市住房和城乡建设局", ["国网安澜市供电公司"], BUILDING),
        ("渣土外运消纳场地不足", "项目基坑开挖土方约{m}立方米，现有消纳场地容量不足。诉求：协调新增消纳场地。",
         "市综合行政执法局", ["市住房和城乡建设局"], BUILDING),
    ],
    Category.LABOUR: [
        ("施工用工短缺，劳务人员不足", "项目高峰期需用工约{k}人，目前缺口约{n}人。诉求：组织劳务对接。",
         "市人力资源和社会保障局", [], BUILDING),
        ("技术工人招聘困难", "项目投产在即，需招聘数控、电工等技术工人约{n}人，招聘进展缓慢。诉求：组织专场招聘会。",
         "市人力资源和社会保障局", ["市教育局"], BUILDING),
    ],
    Category.OTHER: [
        ("周边道路未贯通，运输车辆通行困难", "项目北侧规划道路尚未建成，大型设备运输车辆无法进场。诉求：加快道路"
         "建设或设置临时便道。", "市交通运输局", ["安澜交通投资集团有限公司"], BUILDING),
    ],
}
# Words in a monthly report's 存在问题 that say which category it is and who leads on it.
REPORT_WORDS = [("融资", Category.FUNDS, "市委金融办"), ("上级资金", Category.FUNDS, "市财政局"),
                ("用电", Category.UTILITIES, "国网安澜市供电公司"), ("用地", Category.LAND, "市自然资源和规划局"),
                ("用工", Category.LABOUR, "市人力资源和社会保障局"), ("拆迁", Category.DEMOLITION, TOWN),
                ("管线", Category.CONSTRUCTION, "市住房和城乡建设局")]
FROM_REPORTS = 0.6  # the share of a category's problems raised from a monthly report, where one says so
PENDING_NOW, RETURNED_NOW = 2, 2  # raised in the last days: not yet taken on, or sent back
PROGRESS = ["已召开协调会，明确责任分工，正在加快推进", "已赴现场办公，与企业逐项对接，正在办理相关手续",
            "已形成初步解决方案，报分管领导审定", "已与上级主管部门对接，等待批复", "正在会同配合单位开展前期工作"]
RESOLVED = ["问题已解决，相关手续已办结", "经协调已落实，企业已确认", "已完成，项目恢复正常推进",
            "已按诉求办理完毕，现场已具备施工条件"]
RETURN_REASONS = ["问题描述不清，请补充涉及地块、金额等具体诉求后重新提交",
                  "该事项属企业自身经营问题，建议企业按市场化方式解决"]
INSTRUCTIONS = {
    Level.LEADER: "请{lead}主要负责同志亲自过问，{n}个工作日内拿出解决方案。",
    Level.HEADQUARTERS: "此事关系重点项目推进大局，请{lead}牵头，相关部门合力攻坚，限期解决。",
    Level.UPWARD: "请市发展和改革局整理专题材料，向上级汇报争取支持。",
}


@dataclass
class _Item:
    """One problem or supervision item being played out, with everything written for it."""

    problem: Problem
    helping: list[Unit]
    days: int  # the category's time limit in working days
    events: list[ProblemEvent] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    instructions: list[Instruction] = field(default_factory=list)


class CoordinationBuilder:
    def __init__(self, *, today: datetime.date, units: dict[str, Unit], projects: list[Project],
                 coordinator: User, users: list[User], blank_units: list[Unit] | None = None):
        self.today = today
        self.rng = random.Random(SEED)
        self.units = units
        self.projects = sorted((p for p in projects if not p.is_cancelled), key=lambda p: p.pk)
        self.coordinator = coordinator
        self.users_by_unit = {u.unit_id: u for u in users if u.is_reporter}
        self.leader_user = next((u for u in users if u.is_leader), None)
        self.blank_units = blank_units or []
        start = today - datetime.timedelta(days=400)
        self.adjustments = dict(WorkdayAdjustment.objects.filter(date__gte=start).values_list("date", "is_workday"))

    def build(self) -> None:
        items = self._problems()
        meetings, agenda, decided = self._meetings(items)
        items += decided
        Problem.objects.bulk_create([i.problem for i in items])
        through = Problem.helping_units.through
        through.objects.bulk_create([through(problem_id=i.problem.pk, unit_id=u.pk) for i in items for u in i.helping])
        for item in items:
            for row in item.events + item.replies + item.instructions:
                row.problem_id = item.problem.pk
        events = [e for i in items for e in i.events]
        replies = [r for i in items for r in i.replies]
        instructions = [r for i in items for r in i.instructions]
        # auto_now(_add) stamps every row with the moment of loading: keep each row's own time and put it back.
        times = {id(row): row.at for row in events + replies + instructions}
        ProblemEvent.objects.bulk_create(events)
        Reply.objects.bulk_create(replies)
        Instruction.objects.bulk_create(instructions)
        for row in events + replies + instructions:
            row.at = times[id(row)]
        for row in agenda:
            row.meeting_id = row.meeting.pk
            row.problem_id = row.problem.pk if row.problem else None
        AgendaItem.objects.bulk_create(agenda)
        for item in items:
            problem = item.problem
            problem.created_at = at(problem.raised_date, 10)
            problem.updated_at = item.events[-1].at
        for meeting in meetings:
            meeting.created_at = at(meeting.date, 17)
        Problem.objects.bulk_update([i.problem for i in items], ["created_at", "updated_at"], batch_size=500)
        ProblemEvent.objects.bulk_update(events, ["at"], batch_size=500)
        Reply.objects.bulk_update(replies, ["at"], batch_size=500)
        Instruction.objects.bulk_update(instructions, ["at"], batch_size=500)
        Meeting.objects.bulk_update(meetings, ["created_at"])

    # --- working days ---

    def _after(self, day: datetime.date, days: int) -> datetime.date:
        return workdays.add_working_days(day, days, self.adjustments)

    def _workday(self, day: datetime.date) -> datetime.date:
        while not workdays.is_working_day(day, self.adjustments):
            day += datetime.timedelta(days=1)
        return day

    # --- problems ---

    def _problems(self) -> list[_Item]:
        rng, today = self.rng, self.today
        reports = self._reports_with_problems()
        projects = {p.pk: p for p in self.projects}
        used: set[int] = set()
        items = []
        stubborn = list(STUBBORN)
        # Most are raised over the last eight months; a few in the last days (待受理, 退回).
        fresh = ["pending"] * PENDING_NOW + ["returned"] * RETURNED_NOW
        fresh += [""] * (sum(CATEGORY_COUNTS.values()) - len(STUBBORN) - len(fresh))
        rng.shuffle(fresh)
        for category, count in CATEGORY_COUNTS.items():
            for _ in range(count):
                hard = category in stubborn
                if hard:
                    stubborn.remove(category)
                state = "" if hard else fresh.pop()
                title, text, lead, helping, stages = rng.choice(TEMPLATES[category])
                values = {"n": rng.randint(3, 40), "m": rng.randint(200, 5000),
                          "k": rng.choice([630, 1250, 2000, 3150]), "pct": rng.randint(30, 60)}
                description = text.format(**values)
                title = title.format(**values)
                if hard:
                    raised = today - datetime.timedelta(days=rng.randint(150, 210))
                elif state == "pending":
                    raised = today - datetime.timedelta(days=rng.randint(0, 1))
                elif state == "returned":
                    raised = today - datetime.timedelta(days=rng.randint(2, 4))
                else:
                    raised = today - datetime.timedelta(days=rng.randint(6, 240))
                raised = min(self._workday(raised), today)
                report = None
                candidates = [r for r in reports.get(category, []) if r.project_id not in used and r.project_id in
                              projects and (r.submitted_at or r.period.deadline) and not hard and not state]
                if candidates and rng.random() < FROM_REPORTS:
                    # Raised from a monthly report's 存在问题, the day the report was submitted.
                    report = rng.choice(candidates)
                    project = projects[report.project_id]
                    raised = min(report.submitted_at.date() if report.submitted_at else report.period.deadline, today)
                    lead = next(unit for word, _, unit in REPORT_WORDS if word in report.problems)
                    title = report.problems.split("，")[0]
                    description = f"{report.problems}。诉求：请相关部门协调解决。"
                    helping = []
                else:
                    project = rng.choice([p for p in self.projects if p.stage in stages and p.pk not in used])
                used.add(project.pk)
                town = project.unit.kind in (Unit.Kind.TOWNSHIP, Unit.Kind.STREET)
                lead_unit = project.unit if lead == TOWN and town else self.units.get(lead,
                                                                                       self.units["市住房和城乡建设局"])
                problem = Problem(kind=Problem.Kind.PROBLEM, project=project, report=report, title=title[:200],
                                  category=category, description=description, raised_by_unit=project.unit,
                                  raised_by=self.users_by_unit.get(project.unit_id), raised_date=raised,
                                  lead_unit=lead_unit)
                helpers = [self.units[name] for name in helping if self.units[name].pk != lead_unit.pk]
                item = _Item(problem=problem, helping=helpers, days=DEFAULT_WORKING_DAYS[category])
                self._play(item, hard=hard, state=state)
                items.append(item)
        return items

    def _reports_with_problems(self) -> dict[str, list[MonthlyReport]]:
        """Category → the reports of the last eight months whose 存在问题 says it, in a fixed order."""
        since = (self.today - datetime.timedelta(days=240)).replace(day=1)
        rows = (MonthlyReport.objects.exclude(problems="").filter(period__month__gte=since).select_related("period")
                .only("id", "project_id", "problems", "submitted_at", "period__month", "period__deadline")
                .order_by("period__month", "project_id"))
        by_category: dict[str, list[MonthlyReport]] = {}
        for report in rows:
            match = next((category for word, category, _ in REPORT_WORDS if word in report.problems), None)
            if match:
                by_category.setdefault(match, []).append(report)
        return by_category

    def _play(self, item: _Item, *, hard: bool = False, decided: bool = False, state: str = "") -> None:
        """Play the item's life out up to today under the default rules (see the module docstring)."""
        rng, today, problem = self.rng, self.today, item.problem
        raiser = problem.raised_by
        handler = self.users_by_unit.get(problem.lead_unit_id)
        problem.deadline = problem.first_deadline = self._after(problem.raised_date, item.days)
        self._event(item, "DECIDED" if decided else "RAISED", "会议决定督办" if decided else "提出问题",
                    problem.raised_date, raiser, to_status=Status.PENDING)
        age = (today - problem.raised_date).days
        if state == "returned":
            reason = rng.choice(RETURN_REASONS)
            problem.status, problem.return_reason = Status.RETURNED, reason
            self._event(item, "RETURNED", "退回", min(problem.raised_date + datetime.timedelta(days=1), today),
                        handler, to_status=Status.RETURNED, note=reason)
            return
        accepted = problem.raised_date + datetime.timedelta(days=rng.randint(1, 3))
        if state == "pending" or accepted > today:
            return  # still 待受理
        problem.status = Status.IN_PROGRESS
        self._event(item, "ACCEPTED", "受理", accepted, handler, to_status=Status.IN_PROGRESS)
        limit_days = item.days * 7 // 5  # the time limit in calendar days, about
        roll = rng.random()
        if hard or (age < limit_days and roll < 0.6):
            solved = None  # the stubborn ones, and most of those raised within their time limit
        elif roll < 0.75:
            solved = accepted + datetime.timedelta(days=rng.randint(2, limit_days))
        else:  # late: escalated once or twice before it is solved
            solved = accepted + datetime.timedelta(days=rng.randint(limit_days + 3, limit_days * 2 + 5))
        # The daily job (run every day up to yesterday) escalates the item the day after each missed deadline.
        while True:
            job_day = problem.deadline + datetime.timedelta(days=1)
            if job_day >= today or (solved and job_day > solved):
                break
            if problem.level >= Level.UPWARD:
                problem.needs_decision = True
                self._event(item, "FLAGGED", "超期待决定", job_day, None,
                            note=f"超过办结时限（{problem.deadline:%Y-%m-%d}）未办结。")
                break
            note = SYSTEM_NOTE.format(d=problem.deadline)
            problem.level += 1
            problem.deadline = self._after(job_day, item.days)
            self._event(item, "ESCALATED", f"升级至{Level(problem.level).label}", job_day, None, note=note)
            if self.leader_user and rng.random() < 0.6:
                said = min(job_day + datetime.timedelta(days=rng.randint(0, 3)), today)
                text = INSTRUCTIONS[problem.level].format(lead=problem.lead_unit.name, n=rng.choice([5, 7, 10]))
                item.instructions.append(Instruction(leader=self.leader_user, content=text, at=at(said, 18)))
        last = min(solved or today, today)
        for _ in range(rng.randint(0, 2) if (last - accepted).days > 6 else 0):
            day = accepted + datetime.timedelta(days=rng.randint(2, (last - accepted).days - 1))
            item.replies.append(Reply(unit=problem.lead_unit, author=handler, content=rng.choice(PROGRESS),
                                      at=at(day, rng.randint(9, 17))))
        if solved is None or solved > today:
            return
        content = rng.choice(RESOLVED)
        problem.status, problem.resolved_date, problem.needs_decision = Status.RESOLVED, solved, False
        self._event(item, "RESOLVED", "办结", solved, handler, to_status=Status.RESOLVED, note=content)
        item.replies.append(Reply(unit=problem.lead_unit, author=handler, content=f"【办结】{content}",
                                  at=at(solved, 16, 30)))
        closed = solved + datetime.timedelta(days=rng.randint(1, 8))
        if closed <= today and rng.random() < 0.85:
            problem.status, problem.closed_date = Status.CLOSED, closed
            self._event(item, "CLOSED", "销号", closed, raiser, to_status=Status.CLOSED,
                        note="经核实，问题已解决，同意销号。")

    def _event(self, item: _Item, action: str, label: str, day: datetime.date, by: User | None, *,
               to_status: str | None = None, note: str = "") -> None:
        problem = item.problem
        previous = item.events[-1] if item.events else None
        from_status = previous.to_status if previous else ""
        from_level = previous.to_level if previous else None
        hour = 8 if by is None else 9 + len(item.events) % 8  # the daily job runs early in the morning
        item.events.append(ProblemEvent(
            action=action, label=label, from_status=from_status, to_status=to_status or from_status,
            from_level=from_level, to_level=problem.level, note=note, date=day, by=by, at=at(day, hour),
        ))

    # --- meetings ---

    def _meetings(self, items: list[_Item]) -> tuple[list[Meeting], list[AgendaItem], list[_Item]]:
        """Last month's 月例会 (its decisions mostly done by now) and a recent 调度会 (its decisions in hand)."""
        rng, today = self.rng, self.today
        this_month = today.replace(day=1)
        last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        reviewed = (last_month - datetime.timedelta(days=1)).replace(day=1)
        leaders = list(Leader.objects.order_by("display_order")[:6])
        monthly_day = self._workday(last_month.replace(day=8))
        dispatch_day = self._workday(max(today - datetime.timedelta(days=rng.randint(8, 14)), monthly_day +
                                         datetime.timedelta(days=1)))
        units = self.units
        office = units["市发展和改革局"]
        meetings = [
            Meeting(date=monthly_day, kind=Meeting.Kind.MONTHLY, chair=leaders[1] if len(leaders) > 1 else None,
                    title=f"全市重点项目建设暨招商引资工作月例会（{reviewed.month}月）", location="市行政中心1号会议室",
                    attendees="市四套班子分管领导，各乡镇（街道）、园区、市直有关部门和国有企业主要负责人",
                    minutes=(f"会议通报了1—{reviewed.month}月全市重点项目建设和招商引资工作情况，听取了进度滞后项目"
                             "责任单位和招商引资空白单位的表态发言。会议要求：一、对照年度目标倒排工期、挂图作战；"
                             "二、招商引资空白单位下月实现“零”的突破；三、会议议定事项由市重点项目办跟踪督办。"),
                    created_by=self.coordinator),
            Meeting(date=dispatch_day, kind=Meeting.Kind.DISPATCH, chair=leaders[5] if len(leaders) > 5 else None,
                    title="全市重点项目攻坚调度会", location="市行政中心3号会议室",
                    attendees="市政府分管领导，市发展和改革局、市自然资源和规划局、市住房和城乡建设局等部门及项目"
                              "责任单位负责人",
                    minutes=("会议逐个调度了协调层级较高的问题和停工、进度滞后项目。会议要求：各牵头单位对议定事项"
                             "建立台账、限时办结，办理情况每周报市重点项目办。"),
                    created_by=self.coordinator),
        ]
        Meeting.objects.bulk_create(meetings)
        through = Meeting.attendee_units.through
        attending = [units[name] for name in ("市发展和改革局", "市自然资源和规划局", "市住房和城乡建设局",
                                              "市行政审批局", "市财政局", "市商务局", "市投资促进中心")]
        through.objects.bulk_create([through(meeting_id=m.pk, unit_id=u.pk) for m in meetings for u in attending])
        agenda: list[AgendaItem] = []
        decided: list[_Item] = []
        slow = [p for p in self.projects if p.is_suspended][:3]
        for meeting in meetings:
            open_items = [i.problem for i in items if i.problem.raised_date < meeting.date
                          and i.problem.level >= Level.LEADER][:4]
            rows = [(f"协调解决：{p.title}（{p.project.name}）", p, p.project, None) for p in open_items]
            rows += [(f"停工项目复工调度：{p.name}", None, p, None) for p in slow]
            if meeting.kind == Meeting.Kind.MONTHLY:
                rows += [(f"招商引资空白单位表态发言：{u.name}", None, None, u) for u in self.blank_units[:3]]
            for n, (text, problem, project, unit) in enumerate(rows, start=1):
                agenda.append(AgendaItem(meeting=meeting, position=n, text=text[:300], problem=problem,
                                         project=project, unit=unit))
            decided += self._decisions(meeting, slow, office)
        return meetings, agenda, decided

    def _decisions(self, meeting: Meeting, slow: list[Project], office: Unit) -> list[_Item]:
        rng, units = self.rng, self.units
        choices = [
            (f"督促{p.name}尽快复工", f"责成项目责任单位{p.unit.name}会同相关部门，解决“{p.suspended_reason}”问题，"
             "推动项目尽快复工复产。", p.unit, Category.CONSTRUCTION, p) for p in slow
        ]
        choices += [
            ("加快专项债券资金支出进度", "对下达超过6个月未支出的专项债券额度逐个项目分析原因，限期形成实物工作量。",
             units["市财政局"], Category.FUNDS, None),
            ("开展重点项目前期手续集中攻坚", "对签约未开工项目的前期手续实行清单化管理，并联审批、容缺受理。",
             units["市行政审批局"], Category.APPROVAL, None),
            ("推动招商引资空白单位实现零的突破", "招商引资空白单位主要负责人带队外出招商，月底前报送外出招商及"
             "在谈项目情况。", units["市投资促进中心"], Category.OTHER, None),
            ("统筹保障重点项目用地指标", "梳理年内拟开工项目用地需求，优先保障省市重点项目用地。",
             units["市自然资源和规划局"], Category.LAND, None),
            ("开展重点项目用工保障专项行动", "组织劳务对接和专场招聘，保障项目建设高峰期用工。",
             units["市人力资源和社会保障局"], Category.LABOUR, None),
        ]
        picked = rng.sample(choices, 5 if meeting.kind == Meeting.Kind.MONTHLY else 4)
        items = []
        for title, description, lead, category, project in picked:
            problem = Problem(kind=Problem.Kind.SUPERVISION, meeting=meeting, project=project, title=title,
                              category=category, description=description, raised_by_unit=office,
                              raised_by=self.coordinator, raised_date=meeting.date, lead_unit=lead)
            item = _Item(problem=problem, helping=[], days=DEFAULT_WORKING_DAYS[category])
            self._play(item, decided=True)
            items.append(item)
        return items
