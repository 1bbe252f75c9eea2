"""Attachments (附件) of a problem or supervision item, and leaders' instructions (批示) on an item or a project."""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from tadiao.audit import services as audit
from tadiao.coordination import queries
from tadiao.coordination.models import Attachment, Instruction, Problem
from tadiao.coordination.services.base import _involved_units, _notify, _require
from tadiao.org.models import User
from tadiao.projects.models import Project

ATTACHMENT_SUFFIXES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd", "txt", "zip"}
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def attachment_max_bytes() -> int:
    return getattr(settings, "COORDINATION_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)


def attachment_max_mb() -> int:
    """The upload limit in whole MB, as the page and the refusal show it (at least 1)."""
    return attachment_max_bytes() // (1024 * 1024) or 1


@transaction.atomic
def add_attachment(*, problem: Problem, upload: UploadedFile, by: User, now: datetime.datetime) -> Attachment:
    _require(queries.is_involved(by, problem) or by.is_coordinator, "您的单位不能为该事项上传附件。")
    name = upload.name or "附件"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    _require(
        suffix in ATTACHMENT_SUFFIXES, f"“{name}”的类型不允许上传，可上传：{'、'.join(sorted(ATTACHMENT_SUFFIXES))}。"
    )
    limit = attachment_max_bytes()
    _require(upload.size <= limit, f"“{name}”超过 {attachment_max_mb()} MB，不能上传。")
    item = Attachment(problem=problem, original_name=name[:200], size=upload.size, uploaded_at=now, uploaded_by=by)
    item.file.save(f"upload.{suffix}", upload, save=False)
    item.save()
    audit.record(
        actor=by,
        action="coordination.problem.attachment_added",
        obj=problem,
        changes={"attachment": [None, item.original_name]},
    )
    return item


@transaction.atomic
def add_instruction(
    *, content: str, by: User, problem: Problem | None = None, project: Project | None = None
) -> Instruction:
    """A leader's instruction (批示) on a problem or a project — the one write a leader makes. The units
    involved are told."""
    _require(by.is_leader, "只有领导可以作出批示。")
    _require((problem is None) != (project is None), "批示须针对一个问题或一个项目。")
    content = content.strip()
    _require(bool(content), "请填写批示内容。")
    item = Instruction.objects.create(problem=problem, project=project, leader=by, content=content)
    target = problem or project
    audit.record(actor=by, action="coordination.instruction.created", obj=target, changes={"instruction": content})
    if problem is not None:
        units, link = _involved_units(problem), f"/coordination/problems/{problem.pk}/"
    else:
        units, link = [project.unit], f"/projects/{project.pk}/"
    _notify(
        by=by, kind="INSTRUCTION", title=f"领导批示：{target}", body=f"{by}：{content[:200]}", link=link, units=units
    )
    return item
