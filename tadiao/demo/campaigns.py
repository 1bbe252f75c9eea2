"""The demo county's campaigns: the "三个一批" batches (第N期: 签约一批、开工一批、投产一批) and the special-purpose
bonds (专项债) — written before the monthly builder, whose snapshots freeze the batch statistics.

Three batches a year (after the Spring Festival, before 双过半, in the autumn) up to `today`; each lists the big
projects signed, started or brought into production since the one before, plus a couple due to start that have
not yet (the campaign's 开工率 is not 100%). Projects signed in one batch come back as started in a later one, and
two cancelled projects stay in the batches they were entered in. Two bond batches (last year's 提前批 and this
year's 第一批): quotas issued to the government projects financed by bonds, mostly being spent, some lying unspent
for more than six months (flagged, and a warning rule).

Drawn from its own seeded generator: nothing the county or the monthly cycle draws changes.
"""

import datetime
import random
from decimal import Decimal

from tadiao.lib.numbers import CENT
from tadiao.projects.models import Batch, BatchEntry, BondApplication, BondBatch, FundingSource, Project, ProjectFunding

SEED = 20260104
BATCH_DAYS = [(2, 26, "春季"), (6, 20, "年中"), (10, 24, "秋季")]  # (month, day, season) of each year's batches
PER_KIND = {BatchEntry.Kind.SIGN: 8, BatchEntry.Kind.START: 10, BatchEntry.Kind.PRODUCE: 6}
DUE_NOT_STARTED = 2  # per batch: entered in 开工一批, not started yet
CANCELLED_ENTRIES = 2
BOND_UNSPENT = 2  # applications of last year's 提前批 whose quota still lies unspent
HUNDRED = Decimal("100")


class CampaignBuilder:
    def __init__(self, *, today: datetime.date, projects: list[Project], fundings: list[ProjectFunding]):
        self.today = today
        self.rng = random.Random(SEED)
        self.projects = sorted(projects, key=lambda p: p.pk)
        self.fundings = fundings

    def build(self) -> None:
        self._batches()
        self._bonds()

    # --- 三个一批 ---

    def _batch_dates(self) -> list[tuple[datetime.date, str]]:
        days = []
        for year in (self.today.year - 1, self.today.year):
            for month, day, season in BATCH_DAYS:
                date = datetime.date(year, month, day)
                if date < self.today:
                    days.append((date, f"{year}年{season}“三个一批”集中签约、开工、投产活动"))
        return days

    def _batches(self) -> None:
        rng = self.rng
        batches = Batch.objects.bulk_create([Batch(number=n, date=date, note=note)
                                             for n, (date, note) in enumerate(self._batch_dates(), start=1)])
        entries: dict[tuple[int, int, str], BatchEntry] = {}

        def enter(batch: Batch, project: Project, kind: str) -> None:
            entries.setdefault((batch.number, project.pk, kind), BatchEntry(batch=batch, project=project, kind=kind))

        def windows():
            previous = None
            for batch in batches:
                since = previous or batch.date - datetime.timedelta(days=120)
                yield batch, since, batch.date
                previous = batch.date

        def biggest(projects: list[Project], n: int) -> list[Project]:
            return sorted(projects, key=lambda p: (-p.total_investment, p.pk))[:n]

        for batch, since, until in windows():
            signed = [p for p in self.projects if p.signed_date and since < p.signed_date <= until]
            started = [p for p in self.projects if p.started_date and since < p.started_date <= until]
            producing = [p for p in self.projects if p.producing_date and since < p.producing_date <= until]
            due = [p for p in self.projects if p.started_date is None and not p.is_cancelled
                   and p.planned_started_date and since < p.planned_started_date <= until + datetime.timedelta(days=60)]
            for project in biggest(signed, PER_KIND[BatchEntry.Kind.SIGN]):
                enter(batch, project, BatchEntry.Kind.SIGN)
            for project in biggest(started, PER_KIND[BatchEntry.Kind.START]):
                enter(batch, project, BatchEntry.Kind.START)
            for project in rng.sample(due, min(DUE_NOT_STARTED, len(due))):
                enter(batch, project, BatchEntry.Kind.START)
            for project in biggest(producing, PER_KIND[BatchEntry.Kind.PRODUCE]):
                enter(batch, project, BatchEntry.Kind.PRODUCE)
        # Cancelled projects stay in the batch they were signed in (终止, shown with the reason).
        cancelled = [p for p in self.projects if p.is_cancelled and p.signed_date]
        have = {pk for _, pk, _ in entries} & {p.pk for p in cancelled}
        for project in cancelled:
            if len(have) >= CANCELLED_ENTRIES:
                break
            batch = next((b for b, since, until in windows() if since < project.signed_date <= until), None)
            if batch is not None and project.pk not in have:
                enter(batch, project, BatchEntry.Kind.SIGN)
                have.add(project.pk)
        BatchEntry.objects.bulk_create(sorted(entries.values(), key=lambda e: (e.batch.number, e.kind, e.project.pk)))

    # --- 专项债 ---

    def _bonds(self) -> None:
        """Last year's 提前批 and this year's 第一批, for the projects financed by special bonds (立项 done)."""
        rng, today = self.rng, self.today
        early = (BondBatch(name=f"{today.year - 1}年提前批", year=today.year - 1), datetime.date(today.year - 1, 2, 20))
        first = (BondBatch(name=f"{today.year}年第一批", year=today.year), datetime.date(today.year, 4, 18))
        BondBatch.objects.bulk_create([early[0], first[0]])
        planned = {f.project_id: f.planned for f in self.fundings if f.source == FundingSource.SPECIAL_BOND}
        projects = [p for p in self.projects if p.pk in planned and p.approved_date]
        rows = []
        for batch, issued_on in (early, first):
            eligible = [p for p in projects if p.approved_date <= issued_on and not p.is_cancelled]
            batch_rows = []
            for project in sorted(rng.sample(eligible, min(len(eligible), 12)), key=lambda p: p.pk):
                requested = _hundreds(planned[project.pk] * rng.randint(35, 70) / 100)
                row = BondApplication(project=project, batch=batch, requested=requested)
                if issued_on <= today and rng.random() < 0.85:  # the rest were not given a quota this time
                    row.issued = _hundreds(requested * rng.choice([100, 100, 80, 60]) / 100)
                    row.issued_date = issued_on
                    if project.started_date and project.started_date <= today:
                        row.spent = (row.issued * rng.randint(3500, 10000) / 10000).quantize(CENT)
                batch_rows.append(row)
            if batch is early[0]:
                # Some quota lies idle: the project has not started, or its works have not been paid for yet.
                idle = [r for r in batch_rows if r.issued and not r.spent]
                busy = [r for r in batch_rows if r.spent]
                for row in rng.sample(busy, max(0, min(BOND_UNSPENT - len(idle), len(busy)))):
                    row.spent = Decimal("0.00")
            rows += batch_rows
        BondApplication.objects.bulk_create(rows)


def _hundreds(value: Decimal) -> Decimal:
    """万元, rounded to a hundred (quotas are whole millions of yuan), never below a hundred."""
    return max((value / HUNDRED).quantize(Decimal("1")) * HUNDRED, HUNDRED).quantize(CENT)
