"""A quarter assessed: the quarter read from its text, its snapshot (the last closed month), the year's scheme,
the scores in rank order (`compute`, a fixed number of queries), and the command's JSON (`as_json`)."""

import datetime
import re
from dataclasses import dataclass

from tadiao.indicators.assessment.measures import AssessmentError
from tadiao.indicators.assessment.rules import describe_rule
from tadiao.indicators.assessment.scoring import TIE_RULE, UnitScore, assessed_units, rank_scores, score_units
from tadiao.indicators.models import AssessmentItem, AssessmentScheme, RateDefinition, Snapshot
from tadiao.org.models import Unit

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def parse_quarter(text: str) -> tuple[int, int]:
    """ "2026Q3" (also 2026q3, 2026-Q3) → (2026, 3)."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text or "")
    if not match:
        raise AssessmentError(f"季度应写作“2026Q3”这样的格式，而不是“{text}”。")
    return int(match.group(1)), int(match.group(2))


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}年{QUARTER_NAMES[quarter]}"


def quarter_months(year: int, quarter: int) -> list[datetime.date]:
    return [datetime.date(year, 3 * (quarter - 1) + m, 1) for m in (1, 2, 3)]


def quarter_snapshot(year: int, quarter: int) -> Snapshot | None:
    """The snapshot of the quarter's last closed month (one query)."""
    return (
        Snapshot.objects.select_related("period")
        .filter(period__month__in=quarter_months(year, quarter))
        .order_by("-period__month")
        .first()
    )


def scheme_for_year(year: int) -> AssessmentScheme | None:
    """The active scheme of that year, else the active scheme valid for every year."""
    schemes = AssessmentScheme.objects.filter(is_active=True).exclude(year__isnull=False, year__lt=year)
    ordered = list(schemes.exclude(year__gt=year).order_by("year", "id"))
    dated = [s for s in ordered if s.year == year]
    return next(iter(dated or ordered), None)


def rate_names() -> dict[str, str]:
    return dict(RateDefinition.objects.values_list("code", "name"))


@dataclass
class Assessment:
    year: int
    quarter: int
    scheme: AssessmentScheme | None
    items: list[AssessmentItem]
    snapshot: Snapshot | None
    scores: list[UnitScore]  # in rank order
    rules: list[tuple[AssessmentItem, str]]  # each item with its rule in words

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def provisional(self) -> bool:
        """Scored from a month before the quarter's last: that month is not closed yet."""
        return self.snapshot is not None and self.snapshot.period.month != quarter_months(self.year, self.quarter)[2]

    @property
    def unit_kinds_label(self) -> str:
        kinds = self.scheme.unit_kinds if self.scheme else []
        return "、".join(Unit.Kind(k).label for k in kinds if k in Unit.Kind.values) or "全部单位"

    @property
    def bottom(self) -> list[UnitScore]:
        return [s for s in self.scores if s.interview]

    tie_rule = TIE_RULE


def compute(*, year: int, quarter: int, scheme: AssessmentScheme | None = None) -> Assessment:
    """A quarter assessed by a scheme (default: the year's), in a fixed number of queries: scheme, items,
    snapshot, rate names, unit order."""
    scheme = scheme or scheme_for_year(year)
    items = list(scheme.items.all()) if scheme else []
    snapshot = quarter_snapshot(year, quarter)
    names = rate_names()
    rules = [(i, describe_rule(i.rule, kind=i.kind, weight=i.weight, rate_names=names)) for i in items]
    scores: list[UnitScore] = []
    if scheme and snapshot:
        ids = [uid for uid, _ in assessed_units(snapshot.data)]
        rows = Unit.objects.filter(pk__in=ids).values_list("pk", "display_order", "kind")
        order = {pk: (display_order, pk) for pk, display_order, _ in rows}
        only = [pk for pk, _, kind in rows if not scheme.unit_kinds or kind in scheme.unit_kinds]
        scores = score_units(snapshot.data, items=items, rate_names=names, unit_order=order, only=only)
        scores = rank_scores(scores, bottom_n=scheme.bottom_n)
    return Assessment(year, quarter, scheme, items, snapshot, scores, rules)


def as_json(result: Assessment) -> dict:
    """The CLI's JSON: scores as decimal strings, each unit with its working."""
    return {
        "quarter": f"{result.year}Q{result.quarter}",
        "label": result.label,
        "scheme": str(result.scheme) if result.scheme else None,
        "snapshot_month": result.snapshot.period.month.strftime("%Y-%m") if result.snapshot else None,
        "provisional": result.provisional,
        "unit_kinds": result.unit_kinds_label,
        "tie_rule": TIE_RULE,
        "items": [
            {"name": i.name, "kind": i.kind.lower(), "weight": format(i.weight, "f"), "rule": text}
            for i, text in result.rules
        ],
        "units": [
            {
                "rank": s.rank,
                "unit_id": s.unit_id,
                "name": s.name,
                "base": str(s.base),
                "bonus": str(s.bonus),
                "deduction": str(s.deduction),
                "total": str(s.total),
                "interview": s.interview,
                "items": [{"name": i.name, "score": str(i.score), "working": i.working} for i in s.items],
            }
            for s in result.scores
        ],
        "interview": [s.name for s in result.bottom],
    }

