"""Form helpers shared by the apps' views."""


def error_text(form) -> str:
    """Every error of an invalid form as one line an official can read: "标签：错误；标签：错误"."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return "；".join(parts)
