"""The overall section's sentences on events and on count / amount targets, from a snapshot's indicators:
"1—4月新开工项目69个（计划开工46个，已开工12个，占26.09%）…不再建设8个", "新开工项目目标20个，完成12个，占60.00%，
尚差8个"."""

from tadiao.bulletins.drafting.words import money, pct
from tadiao.lib.numbers import to_decimal

# Stage codes of the snapshot's `events`, in order, with the words of the bulletin.
EVENT_WORDS: dict[str, tuple[str, str]] = {  # code: (what entered, the verb of the plan)
    "signed": ("签约项目", "签约"),
    "approved": ("立项项目", "立项"),
    "started": ("新开工项目", "开工"),
    "completed": ("竣工项目", "竣工"),
    "producing": ("投产项目", "投产"),
    "cancelled": ("不再建设项目", ""),
}


def events_text(ind: dict) -> str:
    """One sentence per period (1—N月, then the month) naming each event that happened or was planned; "" if none."""
    events = ind.get("events") or {}
    periods = events.get("periods") or {}
    sentences = []
    for key in ("year_to_date", "month"):
        stages = events.get(key) or {}
        label = (periods.get(key) or {}).get("label", "")
        parts = []
        for code, (noun, verb) in EVENT_WORDS.items():
            c = stages.get(code) or {}
            actual, planned = c.get("actual") or 0, c.get("planned") or 0
            if not actual and not planned:
                continue
            text = f"{noun}{actual}个"
            if planned:
                text += f"（计划{verb}{planned}个，已{verb}{c.get('planned_done') or 0}个，占{pct(c.get('percent'))}）"
            parts.append(text)
        if parts:
            sentences.append(f"{label}，" + "，".join(parts) + "。")
    return "".join(sentences)


def quantity_target_text(t: dict, *, scope: str, subject: str) -> str:
    """A count or amount target of the snapshot: "新开工项目目标20个，完成12个，占60.00%，尚差8个"."""
    unit = t.get("units") or ""

    def shown(value: object) -> str:
        return f"{value}{unit}" if t.get("kind") == "count" else money(value)

    actual = t.get("actual")
    text = f"{scope}{subject}目标{shown(t['target'])}，完成{'—' if actual is None else shown(actual)}"
    text += f"，占{pct(t.get('percent'))}" if t.get("percent") is not None else ""
    gap = to_decimal(t.get("gap"))
    if gap is not None:
        magnitude = -gap if gap < 0 else gap
        value = int(magnitude) if t.get("kind") == "count" else magnitude
        text += f"，尚差{shown(value)}" if gap < 0 else f"，超出{shown(value)}" if gap > 0 else "，恰好完成"
    return text
