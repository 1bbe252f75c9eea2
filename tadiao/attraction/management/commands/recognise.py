"""`tadiao recognise PROJECT_CODE_OR_ID --as USERNAME --status RECOGNISED|REJECTED|PENDING [--reason …]`: the
office's recognition (认定) of a signed project, through the same form checks, access gate, service and audit
event as the 签约项目认定 page (coordinators only)."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from tadiao.attraction import forms, queries, services
from tadiao.attraction.models import Recognition
from tadiao.lib.forms import error_text
from tadiao.org import acting
from tadiao.projects.models import Project

STATUS_HELP = "、".join(f"{code}（{label}）" for code, label in Recognition.Status.choices)


def parse_status(text: str) -> str:
    text = text.strip()
    for code, label in Recognition.Status.choices:
        if text.upper() == code or text == label:
            return code
    raise CommandError(f"未知认定结果：“{text}”，应为 {STATUS_HELP}之一。")


class Command(BaseCommand):
    help = "签约项目认定：已认定、不予认定（须填原因）或改回待认定（同“签约项目认定”页；操作人须为调度员）。"

    def add_arguments(self, parser):
        parser.add_argument("project", nargs="?", metavar="PROJECT_CODE_OR_ID",
                            help="项目代码（如 2026-330182-04-01-000001）或项目编号（数字）")
        acting.add_as_argument(parser)
        parser.add_argument("--status", help=f"认定结果：{STATUS_HELP}")
        parser.add_argument("--reason", default="", help="原因（不予认定时必填，最多 300 字）")

    def handle(self, *args, **options):
        by = acting.acting_user(options["acting"])
        acting.require(by, by.is_coordinator, "签约项目认定只能由调度员（重点项目办）操作。")
        acting.require_options(options, {"project": "项目代码或编号", "status": "--status 认定结果"})
        status = parse_status(options["status"])
        key = options["project"].strip()
        pk = int(key) if key.isdigit() else Project.objects.filter(code=key).values_list("pk", flat=True).first()
        if pk is None:
            raise CommandError(f"找不到项目：{key}（请填项目代码或项目编号）。")
        try:
            project = queries.get_project_for_recognition(by, pk, write=True)
        except (Http404, PermissionDenied) as exc:
            raise CommandError(f"{key}：{exc}") from exc
        form = forms.RecognitionForm(data={"status": status, "reason": options["reason"]})
        if not form.is_valid():
            raise CommandError(f"{project.name}：" + error_text(form))
        try:
            recognition = services.decide_recognition(project=project, status=form.cleaned_data["status"],
                                                      reason=form.cleaned_data["reason"], by=by)
        except services.AttractionError as exc:
            raise CommandError(exc.message) from exc
        reason = f"，原因：{recognition.reason}" if recognition.reason else ""
        self.stdout.write(f"{project.name}：{recognition.get_status_display()}{reason}。")
