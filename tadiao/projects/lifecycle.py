"""Pure lifecycle rules shared by the stage service, the forms and the ledger import."""

import datetime

from tadiao.projects.models import STAGE_DATE_FIELD, STAGE_ORDER, Project, Stage, stage_rank

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


def project_dates(project: Project) -> dict[str, datetime.date | None]:
    return {stage: getattr(project, field) for stage, field in STAGE_DATE_FIELD.items()}


def stage_implied_by_dates(dates: dict[str, datetime.date | None]) -> str | None:
    """The furthest stage with an actual date, or None."""
    reached = [stage for stage in STAGE_ORDER if dates.get(stage)]
    return max(reached, key=stage_rank) if reached else None


# Stages a project may not pass without their actual date. 谋划储备 is often entered after the fact, and 在谈/签约 are
# skipped by government-invested projects (储备 → 立项); but a project in talks must sign before it goes on.
DATED_STAGES = [Stage.APPROVED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING, Stage.AT_CAPACITY]


def _needs_date(stage: str, from_stage: str) -> bool:
    if stage == Stage.SIGNED:
        return stage_rank(from_stage) >= stage_rank(Stage.NEGOTIATING)
    return stage in DATED_STAGES


def stages_passed_without_date(
    *, from_stage: str, to_stage: str, dates: dict[str, datetime.date | None], including_target: bool = False
) -> list[str]:
    """The stages a move from `from_stage` to `to_stage` would leave behind with no actual date, in order: the
    current stage and every one skipped (and the target itself with `including_target`, for a new project)."""
    last = stage_rank(to_stage) + (1 if including_target else 0)
    return [
        stage
        for stage in STAGE_ORDER[stage_rank(from_stage) : last]
        if not dates.get(stage)
        and (_needs_date(stage, from_stage) or (stage == to_stage and stage_rank(stage) >= stage_rank(Stage.SIGNED)))
    ]


def crosses_start(from_stage: str, to_stage: str) -> bool:
    """Whether the move reaches 开工 (or beyond) from before it: the required approvals are checked then."""
    return stage_rank(from_stage) < stage_rank(Stage.STARTED) <= stage_rank(to_stage)


def gaps_text(missing_stages: list[str], missing_approvals: list[tuple[str, str]]) -> str:
    """What is missing, as the user reads it: "立项没有实际日期；开工前须办结的前期手续未办结：施工许可（未办）"."""
    parts = []
    if missing_stages:
        parts.append(f"{'、'.join(Stage(s).label for s in missing_stages)}没有实际日期")
    if missing_approvals:
        items = "、".join(f"{name}（{status}）" for name, status in missing_approvals)
        parts.append(f"开工前须办结的前期手续未办结：{items}")
    return "；".join(parts)
