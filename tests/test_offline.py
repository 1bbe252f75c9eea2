"""The intranet has no internet: pages must not reference any outside host, and every static file they name
must ship with tadiao."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent / "tadiao"
TEXT_SUFFIXES = {".html", ".txt", ".xml", ".svg", ".css", ".js", ".json", ".md"}
URL_WITH_HOST = re.compile(r"https?://[A-Za-z0-9\[]")
# An XML namespace names a vocabulary; nothing fetches it. Allowed in vendor files and in SVG/XML files, where a
# standalone image cannot do without its xmlns.
XML_NAMESPACE = re.compile(r"""\bxmlns(?::[\w-]+)?\s*=\s*["']https?://[^"']*["']""")
VENDOR_FORBIDDEN = {
    "source map comment": re.compile(r"sourceMappingURL"),
    "CSS import from a host": re.compile(r"@import\s+url\(\s*['\"]?https?:", re.IGNORECASE),
    "CSS url() on a host": re.compile(r"url\(\s*['\"]?https?://", re.IGNORECASE),
    "script or image from a host": re.compile(r"""src\s*=\s*["']https?:""", re.IGNORECASE),
}
STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']""")


def _text_files(*folders: Path):
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
                    yield path


def template_dirs() -> list[Path]:
    return [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]


def own_files() -> list[Path]:
    """Templates and tadiao's own static files (not the vendored libraries)."""
    return list(_text_files(*template_dirs(), ROOT / "static" / "tadiao", *sorted(ROOT.glob("*/static/tadiao"))))


def vendor_files() -> list[Path]:
    return list(_text_files(ROOT / "static" / "vendor"))


def _outside_urls(text: str, *, allow_namespaces: bool) -> list[str]:
    if allow_namespaces:
        text = XML_NAMESPACE.sub("", text)
    return [text[m.start(): m.start() + 80].split()[0] for m in URL_WITH_HOST.finditer(text)]


def test_there_is_something_to_check():
    assert any(p.suffix == ".html" for p in own_files())
    assert vendor_files()


@pytest.mark.parametrize("path", own_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_own_files_name_no_outside_host(path):
    text = path.read_text(encoding="utf-8")
    found = _outside_urls(text, allow_namespaces=path.suffix in {".svg", ".xml"})
    assert not found, f"{path.relative_to(ROOT)} 引用了外部地址（内网无法访问）：{found[:5]}"


@pytest.mark.parametrize("path", vendor_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_vendor_files_fetch_nothing_from_outside(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = [what for what, pattern in VENDOR_FORBIDDEN.items() if pattern.search(text)]
    assert not problems, f"{path.relative_to(ROOT)}: {problems}"


def static_references() -> list[tuple[Path, str]]:
    refs = []
    for path in _text_files(*template_dirs()):
        for name in STATIC_TAG.findall(path.read_text(encoding="utf-8")):
            refs.append((path, name))
    return refs


def test_templates_use_the_static_tag():
    assert static_references(), "no {% static %} reference found: has the template layout changed?"


@pytest.mark.parametrize("path,name", static_references(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_every_static_reference_exists(path, name):
    assert finders.find(name), f"{path.relative_to(ROOT)} 引用的静态文件 {name} 不存在"


def test_the_checks_catch_what_they_should():
    assert _outside_urls('<script src="https://cdn.example.com/x.js">', allow_namespaces=False)
    assert _outside_urls("<a href='http://10.0.0.1/'>", allow_namespaces=False)
    assert not _outside_urls("if (url.startsWith('http://')) {}", allow_namespaces=False)
    assert not _outside_urls('<svg xmlns="http://www.w3.org/2000/svg">', allow_namespaces=True)
    assert _outside_urls('<svg xmlns="http://www.w3.org/2000/svg">', allow_namespaces=False)
    assert VENDOR_FORBIDDEN["source map comment"].search("//# sourceMappingURL=x.js.map")
    assert VENDOR_FORBIDDEN["CSS import from a host"].search("@import url(https://fonts.example.com/a.css);")
    assert not VENDOR_FORBIDDEN["CSS url() on a host"].search("url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>\")")
    assert STATIC_TAG.findall("{% static 'vendor/htmx/htmx.min.js' %} {% static \"tadiao/a.css\" %}") == [
        "vendor/htmx/htmx.min.js", "tadiao/a.css"]
