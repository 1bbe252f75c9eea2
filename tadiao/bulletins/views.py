"""The five lists (五个清单): an index with counts, one page per list with filters, and its .xlsx export; the
monthly bulletin (月度通报): list, draft for a closed period, edit, preview, generate (progress polled with htmx),
download, and the office's settings. Decorators → access gate → one service or query call → render or redirect."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tadiao.bulletins import docx_render, drafting, exports, forms, queries, services, tasks
from tadiao.bulletins.models import Bulletin
from tadiao.lib.forms import posted_version
from tadiao.lib.paging import query_without_page

PAGE_SIZE = 50


def _require_reader(user) -> None:
    # Reporters see their unit's projects, coordinators and leaders their region's (visible_projects does the
    # scoping); the system and audit administrators read no business data (三员分立).
    if not (user.is_coordinator or user.is_leader or user.is_reporter):
        raise PermissionDenied("您的角色不能查看项目清单。")


def _spec(key: str) -> queries.FiveList:
    try:
        return queries.LISTS[key]
    except KeyError:
        raise Http404("没有这个清单。") from None


@require_GET
def list_index(request):
    _require_reader(request.user)
    filters = queries.ListFilters.from_query(request.GET, today=timezone.localdate())
    counts = queries.list_counts(
        request.user, as_of=filters.as_of, date_from=filters.date_from, date_to=filters.date_to
    )
    query = request.GET.copy()
    for name in list(query):
        if name not in ("as_of", "from", "to"):
            query.pop(name)
    return render(
        request,
        "bulletins/lists.html",
        {
            "filters": filters,
            "lists": [(spec, counts[key]) for key, spec in queries.LISTS.items()],
            "query": query.urlencode(),
        },
    )


@require_GET
def list_page(request, key: str):
    _require_reader(request.user)
    spec = _spec(key)
    filters = queries.ListFilters.from_query(request.GET, today=timezone.localdate())
    rows = queries.list_rows(request.user, spec, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's 50 rows, each with the list's dates in column order (templates cannot look attributes up by name).
    dated = [(project, [getattr(project, attribute) for _, attribute in spec.dates]) for project in page]
    return render(
        request,
        "bulletins/list.html",
        {
            "spec": spec,
            "page": page,
            "rows": dated,
            "columns": 8 + len(spec.dates) + int(spec.with_stage),
            "filters": filters,
            "title": exports.list_title(spec, filters),
            "months": drafting.months_text(filters.as_of.month),
            "choices": queries.filter_choices(request.user),
            "query": query_without_page(request),
        },
    )


@require_GET
def list_export(request, key: str):
    _require_reader(request.user)
    spec = _spec(key)
    filters = queries.ListFilters.from_query(request.GET, today=timezone.localdate())
    return exports.list_response(queries.list_rows(request.user, spec, filters), spec, filters)


# ---------------------------------------------------------------------------------------------------
# 月度通报

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BULLETIN_PAGE_SIZE = 20


@require_GET
def bulletin_list(request):
    rows = queries.bulletin_list(request.user)
    page = Paginator(rows, BULLETIN_PAGE_SIZE).get_page(request.GET.get("page"))
    writer = queries.may_write_bulletins(request.user)
    return render(request, "bulletins/bulletins.html", {
        "page": page,
        "may_write": writer,
        "periods": list(queries.periods_for_bulletin()) if writer else [],
    })


@require_POST
def bulletin_create(request):
    queries.require_bulletin_writer(request.user)
    form = forms.CreateForm(request.POST, periods=queries.periods_for_bulletin())
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("bulletins:bulletins")
    try:
        bulletin = services.create_bulletin(period=form.cleaned_data["period"], by=request.user,
                                            today=timezone.localdate(), compare_to=form.cleaned_data["compare_to"])
    except services.BulletinError as exc:
        messages.error(request, exc.message)
        return redirect("bulletins:bulletins")
    messages.success(request, f"已起草{bulletin.doc_number}，请核改正文后生成。")
    return redirect("bulletins:edit", pk=bulletin.pk)


@require_GET
def bulletin_detail(request, pk: int):
    """The HTML preview, the status and the downloads; an htmx request gets the status block only (polling)."""
    bulletin = queries.get_bulletin_for_user(request.user, pk)
    bulletin = services.check_generation(bulletin=bulletin, now=timezone.now())  # worker died: shown failed
    if request.htmx:
        return render(request, "bulletins/partials/bulletin_status.html",
                      {"bulletin": bulletin, "may_write": queries.may_write_bulletins(request.user)})
    content = queries.content_for(bulletin, queries.office_settings())
    images, chart_error = queries.preview_images(content)
    return render(request, "bulletins/bulletin_detail.html", {
        "bulletin": bulletin,
        "content": content,
        "images": images,
        "chart_error": chart_error,
        "may_write": queries.may_write_bulletins(request.user),
    })


@require_http_methods(["GET", "POST"])
def bulletin_edit(request, pk: int):
    bulletin = queries.get_bulletin_for_user(request.user, pk, write=True)
    sections = bulletin.sections
    if request.method == "POST":
        form = forms.EditForm(request.POST, sections=sections)
        if form.is_valid():
            try:
                services.update_text(
                    bulletin=bulletin, title=form.cleaned_data["title"], issued_date=form.cleaned_data["issued_date"],
                    texts=form.texts(), expected_version=form.cleaned_data["version"] or 0, by=request.user,
                )
            except services.BulletinError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "通报正文已保存。")
                return redirect("bulletins:detail", pk=bulletin.pk)
    else:
        form = forms.EditForm(sections=sections, initial={
            "title": bulletin.title, "issued_date": bulletin.issued_date, "version": bulletin.version,
        })
    return render(request, "bulletins/bulletin_edit.html", {"bulletin": bulletin, "form": form})


@require_POST
def bulletin_redraft(request, pk: int):
    bulletin = queries.get_bulletin_for_user(request.user, pk, write=True)
    try:
        services.redraft(bulletin=bulletin, expected_version=posted_version(request, missing=-1), by=request.user)
    except services.BulletinError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已按快照重新起草，原有修改已清除。")
    return redirect("bulletins:edit", pk=bulletin.pk)


@require_POST
def bulletin_generate(request, pk: int):
    bulletin = queries.get_bulletin_for_user(request.user, pk, write=True)
    try:
        services.request_generation(
            bulletin=bulletin, expected_version=posted_version(request, missing=-1), by=request.user,
            enqueue=tasks.enqueue_generation,
        )
    except services.BulletinError as exc:
        messages.error(request, exc.message)
    return redirect("bulletins:detail", pk=bulletin.pk)


def _download(bulletin: Bulletin, field, suffix: str, content_type: str) -> FileResponse:
    if bulletin.status != Bulletin.Status.READY or not field:
        raise Http404("该通报尚未生成此格式的文件。")
    return FileResponse(field.open("rb"), as_attachment=True, content_type=content_type,
                        filename=f"{bulletin.doc_number}{bulletin.title}.{suffix}")


@require_GET
def bulletin_docx(request, pk: int):
    bulletin = queries.get_bulletin_for_user(request.user, pk)
    return _download(bulletin, bulletin.file, "docx", DOCX_TYPE)


@require_GET
def bulletin_pdf(request, pk: int):
    bulletin = queries.get_bulletin_for_user(request.user, pk)
    return _download(bulletin, bulletin.pdf, "pdf", "application/pdf")


@require_http_methods(["GET", "POST"])
def bulletin_settings(request):
    queries.require_bulletin_writer(request.user)
    office = queries.office_settings()
    form = forms.SettingsForm(request.POST or None, request.FILES or None, instance=office,
                              initial={"version": office.version})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("template_file")
        try:
            services.update_settings(
                data={name: form.cleaned_data[name] for name in services.SETTINGS_FIELDS},
                expected_version=form.cleaned_data["version"] or 0, by=request.user,
                template=upload.read() if upload else None, template_name=upload.name if upload else "",
                remove_template=form.cleaned_data["remove_template"],
            )
        except services.BulletinError as exc:
            form.add_error(None, exc.message)
        except docx_render.RenderError as exc:
            form.add_error("template_file", str(exc))
        else:
            messages.success(request, "通报设置已保存。")
            return redirect("bulletins:settings")
    year = timezone.localdate().year
    return render(request, "bulletins/bulletin_settings.html", {
        "form": form,
        "office": office,
        "sequence_form": forms.SequenceForm(initial={"year": year, "next_number": queries.next_number(year=year)}),
    })


@require_POST
def bulletin_sequence(request):
    queries.require_bulletin_writer(request.user)
    form = forms.SequenceForm(request.POST)
    if form.is_valid():
        try:
            services.set_next_number(year=form.cleaned_data["year"], next_number=form.cleaned_data["next_number"],
                                     by=request.user)
        except services.BulletinError as exc:
            messages.error(request, exc.message)
        else:
            year, number = form.cleaned_data["year"], form.cleaned_data["next_number"]
            messages.success(request, f"{year}年下一个流水号已设为{number}。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("bulletins:settings")


@require_GET
def default_template(request):
    queries.require_bulletin_reader(request.user)
    return FileResponse(io.BytesIO(docx_render.DEFAULT_TEMPLATE.read_bytes()), as_attachment=True,
                        content_type=DOCX_TYPE, filename="月度通报默认模板.docx")
