"""What a browser sends when a form is submitted as it was rendered: the page's HTML is parsed (not the Django
form object), so a field the template shows empty or unticked is posted empty or left out, as it would be."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_LIKE = {"text", "hidden", "number", "date", "email", "tel", "url", "search", "password", "month", "time", ""}


@dataclass
class RenderedForm:
    action: str
    method: str
    enctype: str
    id: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    submits: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def data(self, *, submit: str | None = None) -> dict[str, list[str]]:
        """The POST body, as the test client takes it: {name: [values]}; `submit` names the button pressed."""
        data: dict[str, list[str]] = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value)
        for name, value in self.submits:
            if name and (submit is None or name == submit):
                data.setdefault(name, []).append(value)
                break
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: list | None = None
        self._textarea: list | None = None
        self._outer: RenderedForm | None = None  # the enclosing form while a control names another by form=…
        self._detached: dict[str, RenderedForm] = {}  # controls owned by a form (form="id") not seen yet

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            method = a.get("method", "get").lower()
            self._form = RenderedForm(a.get("action", ""), method, a.get("enctype", ""), a.get("id", ""))
            self.forms.append(self._form)
            return
        form = self._owner(a) if tag in ("input", "button", "select", "textarea") else self._form
        if tag in ("select", "textarea"):
            self._outer, self._form = self._form, form
        if form is None or "disabled" in a:
            if tag == "select" and form is not None:
                self._select = None
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if name:
                form.names.add(name)
            if kind in ("submit", "image"):
                form.submits.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a and name:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "file":
                pass  # an untouched file input sends no file: Django sees none
            elif kind in TEXT_LIKE and name:
                form.fields.append((name, a.get("value", "")))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                form.submits.append((name, a.get("value", "")))
        elif tag == "select" and name:
            form.names.add(name)
            self._select = (name, "multiple" in a)
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = [name, ""]

    def _owner(self, a: dict) -> "RenderedForm | None":
        """The form a control belongs to: the one its form="id" names (anywhere in the page), else the enclosing."""
        if not a.get("form"):
            return self._form
        owner = next((f for f in self.forms if f.id == a["form"]), None)
        return owner or self._detached.setdefault(a["form"], RenderedForm("", "post", "", a["form"]))

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value, selected, text = self._option
            self._options.append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple = self._select
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]  # a single select with nothing selected shows its first option
            if not multiple:
                chosen = chosen[-1:]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
            self._form = self._outer
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, text = self._textarea
            # Browsers drop the one newline that follows <textarea>.
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
            self._form = self._outer
        elif tag == "form":
            self._form = None
        elif tag in ("select", "textarea") and self._outer is not None:
            self._form = self._outer


def rendered_forms(html: str) -> list[RenderedForm]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:  # controls placed before their form in the page (form="id")
        early = parser._detached.pop(form.id, None) if form.id else None
        if early is not None:
            form.fields[:0] = early.fields
            form.names |= early.names
    return parser.forms


def rendered_form(html: str, *, action: str | None = None, has: str | None = None) -> RenderedForm:
    """The one POST form of the page with this action (or, when None, containing a field named `has`)."""
    found = [
        f
        for f in rendered_forms(html)
        if f.method == "post" and (action is None or f.action == action) and (has is None or has in f.names)
    ]
    assert len(found) == 1, f"expected one form (action={action!r}, has={has!r}), found {len(found)}"
    return found[0]
