"""Form helpers shared by the apps' views."""

from typing import Any

from django import forms
from django.http import HttpRequest

from tadiao.lib.dates import DATE_PLACEHOLDER


class DateInput(forms.DateInput):
    """A date typed as text, shown as 2026-12-03 whatever the browser's language (an <input type="date"> shows
    12/03/2026 in an English Chromium); it accepts 2026年12月3日 as well (tadiao/formats DATE_INPUT_FORMATS)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        attrs = {"placeholder": DATE_PLACEHOLDER, "autocomplete": "off", "inputmode": "text", **(attrs or {})}
        attrs.pop("type", None)  # a caller's {"type": "date"} would bring the browser's locale back
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")



def error_text(form: forms.BaseForm) -> str:
    """Every error of an invalid form as one line an official can read: "标签：错误；标签：错误"."""
    parts: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return "；".join(parts)


def posted_version(request: HttpRequest, *, missing: int = 0) -> int:
    """The `version` a form posted (the row's version when the page was shown), `missing` when absent or bad:
    a save conditional on it then fails with the service's conflict message rather than overwriting."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return missing


def bootstrap_widgets(form: forms.BaseForm, *, small: bool = True) -> None:
    """Bootstrap 5 classes on every visible widget, so templates can render fields one by one: form-check-input
    on check boxes (each box of a multiple choice too), form-select on selects, form-control on the rest;
    `small` adds the compact -sm sizes of the back-office pages. A class a field already sets is kept."""
    sm = " form-select-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + sm
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs.setdefault("class", css)
