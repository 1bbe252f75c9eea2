"""How our project registry reads in OC4IDS: the codelist mappings and the value conversions (pure, no queries).

docs/oc4ids.md explains every choice; tests/oc4ids/test_mapping.py checks that each code used here is in the
vendored codelist it claims to come from.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from tadiao.lib.dates import month_end
from tadiao.projects.models import STAGE_ORDER, Category, Nature, Stage, stage_rank

OC4IDS_VERSION = "0.9"  # the package's `version` (major.minor); the vendored schema is 0.9.5
CURRENCY = "CNY"
WAN = Decimal("10000")  # amounts are stored in 万元; OC4IDS amounts are in yuan
PROJECT_CODE_SCHEME = "CN-TZXM"  # 项目代码 of the national online investment-project approval platform (GB/T 40058)
LOCAL_ID_SCHEME = "tadiao"

# Our stage → projectStatus (a closed codelist). A cancelled project is "cancelled" whatever its stage.
STATUS_OF_STAGE: dict[str, str] = {
    Stage.RESERVE: "identification",
    Stage.NEGOTIATING: "identification",
    Stage.SIGNED: "preparation",
    Stage.APPROVED: "preparation",
    Stage.STARTED: "implementation",
    Stage.COMPLETED: "completion",
    Stage.PRODUCING: "maintenance",  # in use: the assets' day-to-day running
    Stage.AT_CAPACITY: "maintenance",
}
CANCELLED_STATUS = "cancelled"

# Our construction nature → projectType (closed). 续建 (continuing from an earlier year) says nothing about the
# asset itself: no type.
TYPE_OF_NATURE: dict[str, str] = {
    Nature.NEW: "construction",
    Nature.EXPANSION: "expansion",
    Nature.RENOVATION: "rehabilitation",
}

# GB/T 4754-2017 industry code prefix → projectSector (open codelist), the longest prefix wins. Only industries
# whose asset is infrastructure of one sector are mapped; the rest keep just the local classifications.
SECTOR_OF_INDUSTRY: dict[str, str] = {
    "A": "economy",  # 农、林、牧、渔业
    "D44": "energy",  # 电力、热力生产和供应业
    "D4413": "energy.hydropower",
    "D4415": "energy.wind",
    "D4416": "energy.solar",
    "D4417": "energy.biomass",
    "D45": "energy",  # 燃气生产和供应业
    "D46": "waterAndWaste",  # 水的生产和供应业
    "E4811": "transport.rail",  # 铁路工程建筑
    "E4812": "transport.road",  # 公路工程建筑
    "E4813": "transport.road",  # 市政道路工程建筑
    "E4814": "transport.urban",  # 城市轨道交通工程建筑
    "E4819": "transport.road",  # 其他道路、隧道和桥梁工程建筑
    "E4821": "waterAndWaste",  # 水源及供水设施工程建筑
    "E4822": "naturalResources.floodProtection",  # 河湖治理及防洪设施工程建筑
    "E4823": "transport.water",  # 港口及航运设施工程建筑
    "E487": "energy",  # 电力工程施工
    "E4872": "energy.hydropower",
    "E4874": "energy.wind",
    "E4875": "energy.solar",
    "G53": "transport.rail",  # 铁路运输业
    "G54": "transport.road",  # 道路运输业
    "G541": "transport.urban",  # 城市公共交通运输
    "G55": "transport.water",  # 水上运输业
    "G56": "transport.air",  # 航空运输业
    "G57": "energy",  # 管道运输业 (oil and gas)
    "I63": "communications",  # 电信、广播电视和卫星传输服务
    "I64": "communications",  # 互联网和相关服务
    "N761": "naturalResources.floodProtection",  # 防洪除涝设施管理
    "N762": "naturalResources",  # 水资源管理
    "N763": "waterAndWaste",  # 天然水收集与分配
    "N771": "naturalResources",  # 生态保护
    "N772": "waterAndWaste",  # 环境治理
    "N782": "waterAndWaste",  # 环境卫生管理
    "N785": "cultureSportsAndRecreation",  # 城市公园管理
    "N786": "cultureSportsAndRecreation",  # 游览景区管理
    "P": "education",  # 教育
    "Q": "health",  # 卫生和社会工作
    "R": "cultureSportsAndRecreation",  # 文化、体育和娱乐业
    "S": "governance",  # 公共管理、社会保障和社会组织
}
# Without an industry code, the category where one sector fits.
SECTOR_OF_CATEGORY: dict[str, str] = {
    Category.AGRICULTURE: "economy",
    Category.ECOLOGY: "naturalResources",
}

# Milestones from the stage dates: (milestone type, milestone code or "").
MILESTONE_OF_STAGE: dict[str, tuple[str, str]] = {
    Stage.RESERVE: ("preProcurement", ""),
    Stage.NEGOTIATING: ("preProcurement", ""),
    Stage.SIGNED: ("approval", ""),  # the investment agreement signed
    Stage.APPROVED: ("approval", "projectApproval"),  # 立项（备案/核准/审批）
    Stage.STARTED: ("delivery", "commencement"),
    Stage.COMPLETED: ("delivery", "completion"),
    Stage.PRODUCING: ("delivery", ""),
    Stage.AT_CAPACITY: ("delivery", ""),
}
APPROVAL_MILESTONE = ("approval", "projectApproval")  # each item of the 前期手续 checklist

# Party roles (partyRole is an open codelist; "supervisingDepartment" is ours, see docs/oc4ids.md).
ROLE_PUBLIC_AUTHORITY = "publicAuthority"
ROLE_SUPERVISING = "supervisingDepartment"
ROLE_FUNDER = "funder"


def sector_of(*, industry_code: str, category: str) -> str | None:
    """The projectSector code for a project, or None when no sector fits."""
    for length in range(len(industry_code), 0, -1):
        if sector := SECTOR_OF_INDUSTRY.get(industry_code[:length]):
            return sector
    return SECTOR_OF_CATEGORY.get(category)


def stage_as_of(*, stage: str, dates: dict[str, datetime.date | None], as_of: datetime.date) -> str:
    """The stage the project had reached on `as_of`: its stage, unless that stage's actual date is later — then the
    furthest stage with an actual date on or before `as_of` (谋划储备 when there is none)."""
    day = dates.get(stage)
    if day is None or day <= as_of:
        return stage
    reached = [s for s in STAGE_ORDER if (d := dates.get(s)) is not None and d <= as_of]
    return max(reached, key=stage_rank) if reached else Stage.RESERVE


def status_of(*, stage: str, is_cancelled: bool) -> str:
    return CANCELLED_STATUS if is_cancelled else STATUS_OF_STAGE[stage]


def milestone_status(
    *, met: bool, due: datetime.date | None, as_of: datetime.date, is_cancelled: bool, partly: bool = False
) -> str:
    """met / partiallyMet (容缺受理) / notMet (due date passed, or the project cancelled) / scheduled."""
    if met:
        return "met"
    if partly:
        return "partiallyMet"
    if is_cancelled or (due is not None and due < as_of):
        return "notMet"
    return "scheduled"


def yuan(wan: Decimal) -> int | float:
    """万元 with two decimals → yuan as a JSON number (an integer: 0.01 万元 is 100 元)."""
    value = wan * WAN
    return int(value) if value == value.to_integral_value() else float(value)


def value(wan: Decimal) -> dict:
    return {"amount": yuan(wan), "currency": CURRENCY}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: datetime.date) -> str:
    """A date as OC4IDS wants it (date-time): the day's start in the deployment's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_zone()).isoformat()


def day_end(day: datetime.date) -> str:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=_zone()).isoformat()


def moment(at: datetime.datetime) -> str:
    """An aware date-time in the deployment's time zone, to the second."""
    return at.astimezone(_zone()).replace(microsecond=0).isoformat()


def month_transaction_date(month: datetime.date) -> str:
    """A month's completed investment is dated the month's last day."""
    return day_end(month_end(month))


def project_id(*, prefix: str, code: str, pk: int) -> str:
    """The OC4IDS project id: the prefix and the 项目代码, or the prefix and our id when the project has no code."""
    return f"{prefix}{code or pk}"


def publisher_name(region_name: str | None) -> str:
    """TADIAO_OC4IDS_PUBLISHER when set, else the region's development-and-reform bureau."""
    configured = getattr(settings, "TADIAO_OC4IDS_PUBLISHER", "")
    if configured:
        return configured
    return f"{region_name}发展和改革局" if region_name else "重点项目办"
