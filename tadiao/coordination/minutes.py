"""会议纪要 as .docx: A4, 方正小标宋简体 title, 仿宋_GB2312 body, the East-Asian font set explicitly (w:eastAsia),
since Word otherwise falls back to a Latin font's East-Asian default."""

import io

from django.http import HttpResponse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tadiao.coordination.models import Meeting
from tadiao.lib.dates import cn_date

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _para(
    doc,
    text: str,
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    center: bool = False,
    indent: bool = True,
):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(text), font, size, bold=bold)
    return p


def minutes_document(meeting: Meeting) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _para(doc, f"{meeting.title}纪要", font=TITLE_FONT, size=22, center=True)
    _para(doc, cn_date(meeting.date), center=True)
    chair = f"{meeting.chair.name}（{meeting.chair.title}）" if meeting.chair else "—"
    _para(doc, f"会议类型：{meeting.get_kind_display()}；主持：{chair}；地点：{meeting.location or '—'}。")
    units = "、".join(u.name for u in meeting.attendee_units.all())
    _para(doc, f"参会人员：{meeting.attendees or '—'}{'；参会单位：' + units if units else ''}。")
    _para(doc, "一、会议议题", font=HEADING_FONT)
    for n, item in enumerate(meeting.agenda.all(), start=1):
        _para(doc, f"{n}. {item.text}")
    if meeting.minutes:
        _para(doc, "二、会议议定事项", font=HEADING_FONT)
        for line in meeting.minutes.splitlines():
            if line.strip():
                _para(doc, line.strip())
    _para(doc, "三、督办事项" if meeting.minutes else "二、督办事项", font=HEADING_FONT)
    items = meeting.supervision_items.select_related("lead_unit").order_by("id")
    for n, item in enumerate(items, start=1):
        _para(
            doc,
            f"{n}. {item.title}：{item.description}（责任单位：{item.lead_unit.name}；"
            f"办结时限：{cn_date(item.deadline)}）",
        )
    if not items:
        _para(doc, "无。")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_response(meeting: Meeting) -> HttpResponse:
    response = HttpResponse(minutes_document(meeting), content_type=DOCX_TYPE)
    from urllib.parse import quote

    name = f"{meeting.title}纪要_{meeting.date:%Y%m%d}.docx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
