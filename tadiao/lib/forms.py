"""Form helpers shared by the apps' views."""


def error_text(form) -> str:
    """Every error of an invalid form as one line an official can read: "标签：错误；标签：错误"."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return "；".join(parts)


def posted_version(request, *, missing: int = 0) -> int:
    """The `version` a form posted (the row's version when the page was shown), `missing` when absent or bad:
    a save conditional on it then fails with the service's conflict message rather than overwriting."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return missing
