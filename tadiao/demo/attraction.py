"""The demo county's 招商引资: trips (外出招商), leads with their follow-up log, and the recognition (认定) of signed
projects — written before the monthly builder, whose snapshots freeze the three work items.

The county is shaped so that a bulletin has something to say at its last closed month: most units have done some
investment-attraction work this year, a handful are still blank (空白) — some of them blank in every snapshot so far
(连续N次榜上有名) — and a few broke zero (零的突破) in that very month with their first trip of the year. Some leads
have gone more than a month without a follow-up, so the warning rule 招商线索长期无跟进 lights them.

Drawn from its own seeded generator: the county (county.CountyBuilder) and the monthly cycle draw what they drew
before.
"""

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from tadiao.attraction.models import FollowUp, Lead, Likelihood, Rank, Recognition, Trip
from tadiao.demo import data
from tadiao.demo.common import at
from tadiao.lib.dates import month_end
from tadiao.lib.numbers import CENT
from tadiao.org.models import Unit, User
from tadiao.projects.models import Category, Project, Stage

SEED = 20260103
# The departments whose work is investment attraction: they travel more than the others.
KEY_DEPARTMENTS = {"市商务局", "市投资促进中心", "市经济和信息化局", "市发展和改革局", "市科学技术局",
                   "市农业农村局", "市文化广电旅游体育局"}
BLANK_UNITS = (6, 8)  # units still blank at the last closed month
NEVER_TRAVELLED = 3  # of them, those with no trip at all in the two years (blank at every snapshot)
BREAKERS = (3, 5)  # units whose first trip of the year falls in the last closed month (零的突破)
STALE_YELLOW, STALE_RED = 3, 2  # open leads without a follow-up for 31–60 days, and for more than 60
LOST_IN_TALKS = 2  # leads lost while their project is still listed at 在谈 (the ledger not updated yet)
PENDING = (3, 5)  # the latest signings still wait for the higher-level recognition (at least the last month's)
# Trips by calendar month: few around the Spring Festival and in the summer heat, most in spring and autumn.
TRIP_MONTHS = {1: 0.5, 2: 0.4, 3: 1.2, 4: 1.3, 5: 1.2, 6: 1.0, 7: 0.8, 8: 0.7, 9: 1.1, 10: 0.9, 11: 1.2, 12: 0.9}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁沈任姚卢"
GIVEN = ["建华", "志刚", "海波", "晓东", "国庆", "卫平", "春生", "振宇", "立军", "文涛", "红梅", "丽萍", "宏伟", "新民",
         "永强", "俊杰", "学军", "明辉", "光荣", "金龙", "小军", "燕", "静", "敏", "勇", "斌", "磊", "芳", "涛", "军",
         "剑锋", "雪峰", "玉兰", "晓燕", "德明", "凯", "伟", "浩然", "卫东", "亚军", "云飞", "秋实", "晨", "旭东"]
# Where trips go: (destination, the city firms there are named after).
DESTINATIONS = [
    ("上海市浦东新区", "上海"), ("上海市嘉定区", "上海"), ("上海市松江区", "上海"), ("上海市闵行区", "上海"),
    ("江苏省苏州市", "苏州"), ("江苏省苏州市昆山市", "昆山"), ("江苏省无锡市", "无锡"), ("江苏省常州市", "常州"),
    ("江苏省南京市江宁区", "南京"), ("浙江省杭州市滨江区", "杭州"), ("浙江省宁波市", "宁波"), ("浙江省嘉兴市", "嘉兴"),
    ("安徽省合肥市", "合肥"), ("广东省深圳市南山区", "深圳"), ("广东省深圳市宝安区", "深圳"), ("广东省东莞市", "东莞"),
    ("广东省广州市黄埔区", "广州"), ("广东省佛山市顺德区", "佛山"), ("广东省珠海市", "珠海"), ("广东省中山市", "中山"),
    ("广东省惠州市", "惠州"), ("北京市海淀区", "北京"),
]
EXPOS = [("上海市", "长三角（上海）产业合作招商推介会"), ("广东省深圳市", "粤港澳大湾区产业转移对接会"),
         ("江苏省苏州市", "苏州·{county}产业合作恳谈会"), ("浙江省杭州市", "浙商回归暨{county}投资环境推介会")]
FIRM_BRANDS = ["汇川", "明阳", "英诺", "科瑞", "拓普", "华勤", "立讯", "澜起", "恒力", "中天", "博威", "星宇", "宏发",
               "迈瑞", "泰嘉", "祥源", "鼎力", "新洁", "富瀚", "中微", "盛美", "晶科", "天奈", "德业", "奥普", "安克",
               "海天", "良品", "森麒", "雅戈", "嘉诚", "金发", "伊之", "欧派", "顺博", "兴发", "永艺", "巨星", "万达"]
# A unit's trips look for firms of its trade: parks by their industries, a few departments by their field.
UNIT_TRADES = {
    "智能制造产业园管委会": ["高端装备制造"], "新材料产业园管委会": ["新材料"],
    "临港产业园管委会": ["新能源", "新材料"], "安澜经济开发区管委会": ["高端装备制造", "新能源", "新材料", "绿色食品"],
    "安澜高新技术产业园区管委会": ["电子信息", "生物医药"], "数字经济产业园管委会": ["数字经济", "电子信息"],
    "生物医药产业园管委会": ["生物医药"], "现代农业产业园管委会": ["现代农业", "绿色食品"],
    "云岭文旅度假区管委会": ["文化旅游"], "现代物流园区管委会": ["现代物流"], "小微企业创业园管委会": ["现代纺织"],
    "滨江新城管委会": ["数字经济", "现代物流"], "市商务局": ["现代物流", "绿色食品"],
    "市文化广电旅游体育局": ["文化旅游"], "市农业农村局": ["现代农业", "绿色食品"],
    "市科学技术局": ["电子信息", "生物医药"], "市数据局": ["数字经济"],
}
PRODUCTS = {
    "高端装备制造": ["工业机器人", "数控机床", "新能源汽车零部件", "液压件"],
    "新材料": ["高性能纤维", "电子化学品", "工程塑料"],
    "新能源": ["储能电池", "光伏组件", "氢燃料电池"], "电子信息": ["印制电路板", "显示模组", "半导体封测"],
    "生物医药": ["医疗器械", "原料药", "生物制剂"], "绿色食品": ["预制菜", "休闲食品", "饮品"],
    "现代纺织": ["功能性面料", "品牌服装"], "数字经济": ["数据中心", "软件研发", "智能终端"],
    "现代物流": ["冷链物流", "供应链总部", "智慧仓储"], "文化旅游": ["度假酒店", "文旅综合体", "研学基地"],
    "现代农业": ["智慧农业", "农产品精深加工"],
}
RESULTS = [
    "与{firm}就{product}项目深入洽谈，对方初步有意在我市投资约{yi}亿元",
    "走访对接企业{n}家，收集有效项目信息{m}条",
    "邀请{firm}高管近期来我市实地考察，初步达成合作意向",
    "推介我市{trade}产业发展环境及招商政策，{n}家企业表达投资意向",
    "与{firm}签订投资意向书，拟投资{yi}亿元建设{product}项目",
    "拜访在外{county_short}籍企业家{n}人，举办招商恳谈会1场",
]
NEXT_STEPS = [
    "保持跟踪对接，争取企业年内来我市考察", "安排专人跟进，推动项目尽快签约落地",
    "整理项目信息，报市投资促进中心统一研判", "配合企业开展选址论证，协调用地指标",
    "邀请企业参加我市下一期“三个一批”集中签约活动", "",
]
# Follow-up log entries, in the order talks go; {inv}: the investor, {county}: the demo city.
FOLLOW_OPENING = ["首次接洽，向{inv}介绍{county}产业基础、园区配套及招商政策",
                  "{inv}来{county}实地考察拟选地块及园区配套"]
FOLLOW_MIDDLE = [
    "就用地规模、亩均税收及达产时间进行第{n}轮洽谈", "分管领导带队赴{inv}总部回访，推进合作细节",
    "企业提交项目可行性研究报告初稿，组织发改、经信、自然资源等部门会商", "就厂房代建、设备补助等扶持政策交换意见",
    "投资协议文本初稿已交换，双方法务正在修改", "企业董事会研究投资方案，等待反馈", "电话联系企业负责人，了解决策进展",
    "协调自然资源部门核实拟选地块规划条件", "企业补充提供近三年财务报表及产能规划",
]
FOLLOW_SIGNED = "双方正式签订投资协议，项目转入签约落地阶段"
LOST_REASONS = ["投资方最终选址外省园区（对方土地及税收政策更优）", "双方在用地规模和亩均税收承诺上未能达成一致",
                "企业受行业周期下行影响，暂缓投资计划", "投资方未通过产业准入及能耗评估"]
# 不予认定: (reason, which signed project it fits).
REJECTIONS = [
    ("城建类项目不纳入招商引资统计", lambda p: p.category in (Category.SERVICE, Category.HEADQUARTERS)
     and ("综合体" in p.name or "商务中心" in p.name)),
    ("属本地企业增资扩产，不计入新引进项目", lambda p: p.investor_origin == "本地"),
    ("合同投资额不足5000万元，未达到认定标准", lambda p: p.total_investment < 5000),
    ("投资协议与备案信息不一致，经核查不予认定", lambda p: True),
]


@dataclass
class _Cadre:
    name: str
    title: str
    rank: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.title}）"


@dataclass
class _Span:
    """A lead's talks: from `start` to `end` (None: still open), for the coverage of the three work items."""

    unit_id: int
    start: datetime.date
    end: datetime.date | None


@dataclass
class _Shape:
    """Who is blank at the last closed month, and who broke zero in it."""

    blank: list[Unit] = field(default_factory=list)
    never: set[int] = field(default_factory=set)
    breakers: list[Unit] = field(default_factory=list)


class AttractionBuilder:
    """Writes trips, leads, follow-ups and recognitions with a handful of bulk queries."""

    def __init__(self, *, today: datetime.date, units: list[Unit], projects: list[Project],
                 cancelled_on: dict[int, datetime.date], coordinator: User, reporters: dict[int, User]):
        self.today = today
        self.rng = random.Random(SEED)
        self.units = units  # in the bulletin order
        self.projects = projects
        self.cancelled_on = cancelled_on
        self.coordinator = coordinator
        self.reporters = reporters
        self.first_day = datetime.date(today.year - 1, 1, 1)  # the demo's two years begin here
        self.last_closed = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        self.spans: list[_Span] = []
        self.signed_by_unit: dict[int, list[datetime.date]] = {}  # unit id → days its recognised projects signed

    def build(self) -> None:
        leads, follow_ups = self._leads()
        recognitions = self._recognitions()
        self.shape = shape = self._shape()
        trips = self._trips(shape)
        Trip.objects.bulk_create(trips)
        Lead.objects.bulk_create(leads)
        for entry in follow_ups:
            entry.lead_id = entry.lead.pk  # the lead got its id just above
        FollowUp.objects.bulk_create(follow_ups)
        Recognition.objects.bulk_create(recognitions)
        # auto_now_add stamps every row with the moment of loading; give them the day they were entered instead.
        for trip in trips:
            trip.created_at = trip.updated_at = at(min(trip.return_date + datetime.timedelta(days=1), self.today), 10)
        for lead in leads:
            lead.created_at = at(lead.start_date, 16)
        for entry in follow_ups:
            entry.created_at = at(entry.date, 17)
        Trip.objects.bulk_update(trips, ["created_at", "updated_at"], batch_size=500)
        Lead.objects.bulk_update(leads, ["created_at"], batch_size=500)
        FollowUp.objects.bulk_update(follow_ups, ["created_at"], batch_size=500)

    def _by(self, unit_id: int) -> User:
        return self.reporters.get(unit_id) or self.coordinator

    # --- leads ---

    def _leads(self) -> tuple[list[Lead], list[FollowUp]]:
        """A lead for every project in talks (在谈) — lost when the project was cancelled, and a couple lost while
        still listed in talks — and, closed as signed, for the projects signed in the demo's two years."""
        rng, today = self.rng, self.today
        talking = [p for p in self.projects if p.stage == Stage.NEGOTIATING]
        open_ones = [p for p in talking if not p.is_cancelled and p.negotiating_date <= today - datetime.timedelta(
            days=60)]
        lost_in_talks = {p.pk for p in rng.sample(open_ones, min(LOST_IN_TALKS, len(open_ones)))}
        leads, logs = [], []
        for project in talking:
            lead = self._lead(project)
            if project.is_cancelled:
                lead.status, lead.likelihood = Lead.Status.LOST, Likelihood.LOW
                lead.closed_date = max(self.cancelled_on.get(project.pk, today), lead.start_date)
                lead.lost_reason = project.cancelled_reason
            elif project.pk in lost_in_talks:
                lead.status, lead.likelihood = Lead.Status.LOST, Likelihood.LOW
                lead.closed_date = lead.start_date + datetime.timedelta(
                    days=rng.randint(30, max((today - lead.start_date).days - 10, 30)))
                lead.lost_reason = rng.choice(LOST_REASONS)
            else:
                lead.likelihood = rng.choices(Likelihood.values, weights=[3, 5, 2])[0]
            leads.append(lead)
        stale = self._stale_days([lead for lead in leads if lead.status == Lead.Status.ACTIVE])
        for project in self.projects:
            if project.signed_date and project.negotiating_date and project.signed_date >= self.first_day:
                lead = self._lead(project)
                lead.status, lead.closed_date = Lead.Status.SIGNED, project.signed_date
                lead.likelihood = Likelihood.HIGH
                leads.append(lead)
        for lead in leads:
            logs += self._log(lead, stale.get(lead.project.pk))
            self.spans.append(_Span(lead.project.unit_id, lead.start_date, lead.closed_date))
        return leads, logs

    def _lead(self, project: Project) -> Lead:
        rng = self.rng
        intended = (project.total_investment * Decimal(rng.randint(85, 120)) / 100).quantize(Decimal("100"))
        return Lead(project=project, investor=project.investor or f"{rng.choice(FIRM_BRANDS)}集团有限公司",
                    intended_investment=max(intended, Decimal("100")).quantize(CENT), industry=project.industry,
                    start_date=project.negotiating_date, created_by=self._by(project.unit_id))

    def _stale_days(self, active: list[Lead]) -> dict[int, int]:
        """Project id → days since the last follow-up, for the open leads left without one for over a month."""
        rng, today = self.rng, self.today
        old = [lead for lead in active if (today - lead.start_date).days > 120]
        chosen = rng.sample(old, min(STALE_YELLOW + STALE_RED, len(old)))
        days = {}
        for n, lead in enumerate(chosen):
            days[lead.project.pk] = rng.randint(62, 110) if n < STALE_RED else rng.randint(33, 55)
        return days

    def _log(self, lead: Lead, stale_days: int | None) -> list[FollowUp]:
        """The follow-up log from the day talks began to the day they ended (or today), every one to five weeks."""
        rng, today = self.rng, self.today
        by = self._by(lead.project.unit_id)
        values = {"inv": lead.investor, "county": data.COUNTY[1]}
        end = lead.closed_date or today
        last = today - datetime.timedelta(days=stale_days) if stale_days else end
        days = [lead.start_date]
        while True:
            day = days[-1] + datetime.timedelta(days=rng.randint(9, 34))
            if day >= last:
                break
            days.append(day)
        if lead.closed_date:
            days.append(lead.closed_date)
        elif stale_days is None:
            days.append(max(today - datetime.timedelta(days=rng.randint(1, 20)), days[-1]))
        else:
            days.append(last)
        days = sorted(set(days))
        entries = []
        for n, day in enumerate(days):
            if n == 0:
                content = rng.choice(FOLLOW_OPENING)
            elif day == lead.closed_date and lead.status == Lead.Status.SIGNED:
                content = FOLLOW_SIGNED
            elif day == lead.closed_date:
                content = f"经多轮洽谈未能达成一致，线索流失：{lead.lost_reason}"
            else:
                content = rng.choice(FOLLOW_MIDDLE)
            entries.append(FollowUp(lead=lead, date=day, by=by,
                                    content=content.format(**values, n=min(n + 1, 9))))
        return entries

    # --- recognition ---

    def _recognitions(self) -> list[Recognition]:
        """Most signed projects are recognised; the latest few wait (待认定: the higher level reviews a quarter's
        signings at once); a few are rejected, each with a reason that fits the project."""
        rng, today = self.rng, self.today
        signed = sorted((p for p in self.projects if p.signed_date), key=lambda p: (p.signed_date, p.pk))
        waiting = max(rng.randint(*PENDING), sum(1 for p in signed if (today - p.signed_date).days <= 30))
        decided, pending = signed[:-waiting], signed[-waiting:]
        pool = [p for p in decided if p.signed_date >= self.first_day]
        rng.shuffle(pool)
        rejected: dict[int, str] = {}
        for reason, fits in REJECTIONS:
            match = next((p for p in pool if p.pk not in rejected and fits(p)), None)
            if match:
                rejected[match.pk] = reason
        rows = [Recognition(project=p, status=Recognition.Status.PENDING) for p in pending]
        for project in decided:
            day = min(project.signed_date + datetime.timedelta(days=rng.randint(15, 50)), today)
            row = Recognition(project=project, decided_by=self.coordinator,
                              decided_at=at(day, rng.randint(9, 16), rng.randrange(0, 60, 5)))
            if project.pk in rejected:
                row.status, row.reason = Recognition.Status.REJECTED, rejected[project.pk]
            else:
                row.status = Recognition.Status.RECOGNISED
                self.signed_by_unit.setdefault(project.unit_id, []).append(project.signed_date)
            rows.append(row)
        return rows

    # --- who is blank ---

    def _covered(self, start: datetime.date, end: datetime.date) -> set[int]:
        """Units with a lead active or a recognised signing in [start, end]: not blank whatever their trips."""
        units = {s.unit_id for s in self.spans if s.start <= end and (s.end is None or s.end >= start)}
        units |= {u for u, days in self.signed_by_unit.items() if any(start <= d <= end for d in days)}
        return units

    def _shape(self) -> _Shape:
        """Pick the units blank at the last closed month and those that break zero in it, among the units no
        lead or signing keeps off the list."""
        rng, month = self.rng, self.last_closed
        year_start = month.replace(month=1)
        covered = self._covered(year_start, month_end(month))
        if month.month > 1:
            covered_before = self._covered(year_start, month - datetime.timedelta(days=1))
        else:  # the snapshot before January's is last December's: the whole previous year
            covered_before = self._covered(year_start.replace(year=month.year - 1), year_start)
        free = [u for u in self.units if u.pk not in covered | covered_before]
        departments = [u for u in free if u.kind == Unit.Kind.DEPARTMENT and u.name not in KEY_DEPARTMENTS]
        companies = [u for u in free if u.kind == Unit.Kind.SOE]
        shape = _Shape()
        blank_count = rng.randint(*BLANK_UNITS)
        shape.blank = rng.sample(departments, min(blank_count - 1, len(departments)))
        shape.blank += rng.sample(companies, min(1, len(companies)))
        shape.never = {u.pk for u in shape.blank[:NEVER_TRAVELLED]}
        taken = {u.pk for u in shape.blank}
        rest = [u for u in departments + companies if u.pk not in taken]
        shape.breakers = rng.sample(rest, min(rng.randint(*BREAKERS), len(rest)))
        return shape

    # --- trips ---

    def _trips(self, shape: _Shape) -> list[Trip]:
        rng, today = self.rng, self.today
        closed_end = month_end(self.last_closed)
        year = self.last_closed.year
        covered = self._covered(datetime.date(year, 1, 1), closed_end)
        blank = {u.pk for u in shape.blank}
        breakers = {u.pk for u in shape.breakers}
        last_day = today - datetime.timedelta(days=3)  # a trip is entered once the team is back
        self._keys: set[tuple] = set()
        trips = []
        for unit in self.units:
            cadres = self._cadres(unit)
            for y in (today.year - 1, today.year):
                start, end = datetime.date(y, 1, 1), min(datetime.date(y, 12, 31), last_day)
                if start > end or unit.pk in shape.never:
                    continue
                count = self._count(unit, y == year, unit.pk in covered)
                if y == year and unit.pk in blank:
                    continue  # nothing this year (yet)
                if unit.pk in breakers and (y == year or (y == year - 1 and self.last_closed.month == 1)):
                    if y == year:  # the first trip of the year in the last closed month, a second maybe after
                        trips.append(self._trip(unit, cadres, self.last_closed, closed_end))
                        if rng.random() < 0.4 and closed_end < end:
                            trips.append(self._trip(unit, cadres, closed_end + datetime.timedelta(days=1), end))
                    continue
                if y == year and unit.pk not in covered and count:
                    # Not blank at the last closed month: the first trip lies before its end.
                    trips.append(self._trip(unit, cadres, start, min(closed_end, end)))
                    count -= 1
                trips += [self._trip(unit, cadres, start, end) for _ in range(count)]
        return [t for t in trips if t is not None]

    def _count(self, unit: Unit, this_year: bool, covered: bool) -> int:
        """Trips of a unit in a year: parks and the investment departments travel most, other departments once."""
        rng = self.rng
        if unit.kind == Unit.Kind.PARK:
            n = rng.randint(2, 5)
        elif unit.kind in (Unit.Kind.STREET, Unit.Kind.TOWNSHIP):
            n = rng.randint(1, 3)
        elif unit.name in KEY_DEPARTMENTS:
            n = rng.randint(2, 3)
        elif this_year:  # 全员招商: every department is expected to go out at least once this year
            n = 1 if rng.random() < 0.85 else 2
        else:
            n = 1 if rng.random() < 0.6 else 0
        if covered and rng.random() < 0.5:
            n -= 1  # busy with its leads
        return max(n, 0)

    def _trip(self, unit: Unit, cadres: list[_Cadre], start: datetime.date, end: datetime.date) -> Trip | None:
        rng = self.rng
        if start > end:
            return None
        for _ in range(10):
            day = self._day(start, end)
            cadre = self._leader_or(unit, cadres)
            expo = rng.random() < 0.1
            if expo:
                destination, event = rng.choice(EXPOS)
                city = destination.removesuffix("市")[-2:]
            else:
                destination, city = rng.choice(DESTINATIONS)
            key = (unit.pk, day, cadre.label, destination)
            if key not in self._keys:
                break
        else:
            return None
        self._keys.add(key)
        trade = rng.choice(UNIT_TRADES.get(unit.name) or list(PRODUCTS))
        suffix = data.COMPANY_SUFFIX.get(trade, data.COMPANY_SUFFIX[None])
        suffixes = [suffix, suffix.replace("有限公司", "股份有限公司"), "集团有限公司", "科技有限公司"]
        firms = [f"{city}{brand}{rng.choices(suffixes, weights=[6, 2, 1, 1])[0]}"
                 for brand in rng.sample(FIRM_BRANDS, rng.randint(1, 4))]
        values = {"firm": firms[0], "product": rng.choice(PRODUCTS[trade]), "trade": trade,
                  "yi": rng.choice([1, 1.5, 2, 3, 5, 8, 10, 20]), "n": rng.randint(2, 8), "m": rng.randint(1, 5),
                  "county_short": data.COUNTY_SHORT}
        results = rng.choice(RESULTS).format(**values)
        if expo:
            results = f"参加{event.format(county=data.COUNTY[1])}，{results}"
        return Trip(unit=unit, departure_date=day, return_date=day + datetime.timedelta(days=rng.randint(1, 4)),
                    leading_cadre=cadre.label, rank=cadre.rank, destination=destination,
                    firms_visited="、".join(firms), results=results, next_step=rng.choice(NEXT_STEPS),
                    created_by=self._by(unit.pk))

    def _day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A departure day in [start, end], the month drawn by TRIP_MONTHS."""
        rng = self.rng
        months = []
        month = start.replace(day=1)
        while month <= end:
            months.append(month)
            month = month_end(month) + datetime.timedelta(days=1)
        month = rng.choices(months, weights=[TRIP_MONTHS[m.month] for m in months])[0]
        lo, hi = max(start, month), min(end, month_end(month))
        return lo + datetime.timedelta(days=rng.randint(0, (hi - lo).days))

    def _leader_or(self, unit: Unit, cadres: list[_Cadre]) -> _Cadre:
        """Mostly the unit's own cadres; a city leader leads some of the parks' and investment departments' trips,
        and now and then a leader of 临州市 takes the county along (厅级)."""
        rng = self.rng
        if unit.kind == Unit.Kind.PARK or unit.name in KEY_DEPARTMENTS:
            roll = rng.random()
            if roll < 0.02:
                return _Cadre("何振华", "临州市人民政府副市长", Rank.BUREAU)
            if roll < 0.14:
                name, title = rng.choice(data.LEADERS[1:2] + data.LEADERS[5:])
                return _Cadre(name, title, Rank.DIVISION)
        return rng.choices(cadres, weights=[4, 4, 3][:len(cadres)])[0]

    def _cadres(self, unit: Unit) -> list[_Cadre]:
        """The unit's head, second and a deputy, with their titles and ranks (in a county-level city the heads of
        townships and departments are 科级; a park's director is 处级; state-owned company managers are 其他)."""
        rng = self.rng
        names = []
        while len(names) < 3:
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in names and name not in {n for n, _ in data.LEADERS}:
                names.append(name)
        titles = _titles(unit)
        return [_Cadre(name, title, rank) for name, (title, rank) in zip(names, titles, strict=True)]


def _titles(unit: Unit) -> list[tuple[str, str]]:
    name, section = unit.name, Rank.SECTION
    if unit.kind == Unit.Kind.STREET:
        return [("街道党工委书记", section), ("街道办事处主任", section), ("街道党工委委员、办事处副主任", section)]
    if unit.kind == Unit.Kind.TOWNSHIP:
        place = "镇" if name.endswith("镇") else "乡"
        return [(f"{place}党委书记", section), (f"{place}长", section), (f"副{place}长", section)]
    if unit.kind == Unit.Kind.PARK:
        return [("党工委书记、管委会主任", Rank.DIVISION), ("管委会副主任", section), ("招商服务局局长", section)]
    if unit.kind == Unit.Kind.SOE:
        return [("党委书记、董事长", Rank.OTHER), ("总经理", Rank.OTHER), ("副总经理", Rank.OTHER)]
    for ending, head, second, deputy in [
        ("法院", "院长", "副院长", "党组成员、副院长"), ("检察院", "检察长", "副检察长", "党组成员、副检察长"),
        ("纪委监委", "副书记、监委副主任", "纪委常委", "纪委委员"), ("政法委", "常务副书记", "副书记", "副书记"),
        ("团市委", "书记", "副书记", "副书记"), ("大队", "大队长", "政治教导员", "副大队长"),
        ("公司", "总经理", "副总经理", "副总经理"), ("部", "常务副部长", "副部长", "副部长"),
        ("总工会", "常务副主席", "副主席", "副主席"), ("联", "主席", "副主席", "副主席"),
        ("科协", "主席", "副主席", "副主席"),
        ("红十字会", "常务副会长", "副会长", "副会长"), ("局", "党组书记、局长", "副局长", "副局长"),
    ]:
        if name.endswith(ending):
            return [(head, section), (second, section), (deputy, section)]
    return [("主任", section), ("副主任", section), ("副主任", section)]
