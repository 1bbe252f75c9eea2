"""Reading a section's text back as paragraphs: "（一）…" is a second-level heading, "1." a third-level one; the
heading part runs to the first "。"."""

from tadiao.bulletins.drafting.words import CN_NUMBERS

LEVEL_2_PREFIXES = tuple(f"（{c}）" for c in CN_NUMBERS)


def paragraph_level(line: str) -> int:
    """2 for "（一）…", 3 for "1." / "1．", 0 for body text."""
    if line.startswith(LEVEL_2_PREFIXES):
        return 2
    head = line.split(".", 1)[0].split("．", 1)[0]
    if head.isdigit() and len(head) < len(line) and len(head) <= 2:
        return 3
    return 0


def split_heading(line: str) -> tuple[str, str]:
    """("（一）加快项目开工建设。", "各单位要…"): the heading runs to the first "。"; a line without one is all
    heading."""
    end = line.find("。")
    if end < 0:
        return line, ""
    return line[: end + 1], line[end + 1 :]


def paragraphs(text: str) -> list[tuple[int, str, str]]:
    """A section's text as (level, heading part, body part), one per non-empty line."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        level = paragraph_level(line)
        if level:
            head, body = split_heading(line)
            out.append((level, head, body))
        else:
            out.append((0, "", line))
    return out

