"""Pure lifecycle rules shared by the stage service, the forms and the ledger import."""

import datetime

from tadiao.projects.models import STAGE_DATE_FIELD, STAGE_ORDER, Stage, stage_rank

# Stages whose actual dates must follow one another in this order. The reserve date is left out: projects
# are often entered into the reserve after the fact.
ORDERED_STAGES = [s for s in STAGE_ORDER if s != Stage.RESERVE]


def date_order_errors(dates: dict[str, datetime.date | None]) -> list[str]:
    """Messages for every pair of actual stage dates out of order, e.g. a start before the signing.

    `dates` maps a stage code to its actual date (None or absent when not reached).
    """
    errors = []
    previous: tuple[str, datetime.date] | None = None
    for stage in ORDERED_STAGES:
        day = dates.get(stage)
        if day is None:
            continue
        if previous is not None and day < previous[1]:
            errors.append(
                f"{Stage(stage).label}日期（{day:%Y-%m-%d}）不能早于{Stage(previous[0]).label}日期"
                f"（{previous[1]:%Y-%m-%d}）。"
            )
        else:
            previous = (stage, day)
    return errors


def project_dates(project) -> dict[str, datetime.date | None]:
    return {stage: getattr(project, field) for stage, field in STAGE_DATE_FIELD.items()}


def stage_implied_by_dates(dates: dict[str, datetime.date | None]) -> str | None:
    """The furthest stage with an actual date, or None."""
    reached = [stage for stage in STAGE_ORDER if dates.get(stage)]
    return max(reached, key=stage_rank) if reached else None
