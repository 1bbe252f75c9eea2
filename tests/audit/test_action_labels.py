"""Every audit action code the source can record has a Chinese label (issue 15, point 5): the codes are collected
from the source itself (string literals shaped like a code, and the f-strings that build codes, each expanded
over the values it can take), so a new `audit.record(action=...)` without a label fails here."""

import ast
import re
from pathlib import Path

from django.apps import apps

import tadiao
from tadiao.audit import labels

SOURCE = Path(tadiao.__file__).parent
PREFIXES = sorted({"auth", *(a.label for a in apps.get_app_configs() if a.name.startswith("tadiao."))})
CODE_RE = re.compile(rf"^({'|'.join(PREFIXES)})\.[a-z_]+(\.[a-z_]+)?$")


def _is_model_label(text: str) -> bool:
    try:
        apps.get_model(text)
    except (LookupError, ValueError):
        return False
    return True


def _coordination_actions() -> set[str]:
    source = "".join(p.read_text(encoding="utf-8") for p in (SOURCE / "coordination" / "services").glob("*.py"))
    return {a.lower() for a in re.findall(r'action="([A-Z_]+)"', source)}


def _flag_codes() -> set[str]:
    from tadiao.projects.services import FLAG_ACTIONS

    return {spec[5] for spec in FLAG_ACTIONS.values()}


def _import_kinds() -> set[str]:
    from tadiao.imports.models import ImportJob

    return {k.lower() for k in ImportJob.Kind.values}


# The f-strings that build action codes, and the codes each can build.
EXPANSIONS = {
    "f'coordination.problem.{action.lower()}'": lambda: {f"coordination.problem.{a}" for a in _coordination_actions()},
    "f'projects.project.{code}'": lambda: {f"projects.project.{c}" for c in _flag_codes()},
    "f'imports.{kind.lower()}.imported'": lambda: {f"imports.{k}.imported" for k in _import_kinds()},
}


def source_action_codes() -> tuple[set[str], set[str]]:
    """(codes, f-strings shaped like codes that EXPANSIONS does not know)."""
    codes: set[str] = set()
    unknown: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if CODE_RE.match(node.value) and not _is_model_label(node.value):
                    codes.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                if re.match(rf"^({'|'.join(PREFIXES)})\.", head):
                    text = ast.unparse(node)
                    if text in EXPANSIONS:
                        codes |= EXPANSIONS[text]()
                    else:
                        unknown.add(f"{path.relative_to(SOURCE)}: {text}")
    return codes, unknown


def test_every_action_code_in_the_source_has_a_chinese_label():
    codes, unknown = source_action_codes()
    assert not unknown, f"f-strings that build action codes: add them to EXPANSIONS: {sorted(unknown)}"
    # The collection finds the codes named directly, through a variable and through an f-string.
    assert {"reporting.report.approved", "org.unit.deactivated", "coordination.problem.raised",
            "projects.project.suspended", "imports.ledger.imported", "economy.target.cleared"} <= codes
    missing = sorted(c for c in codes if c not in labels.ACTION_LABELS)
    assert not missing, f"action codes without a Chinese label in tadiao/audit/labels.py: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels.ACTION_LABELS.values())


def test_every_group_of_the_filter_is_named_in_chinese():
    from tadiao.audit import queries

    codes, _ = source_action_codes()
    assert sorted({c.split(".")[0] for c in codes} - set(labels.ACTION_GROUPS)) == []
    unnamed = sorted({c for c in codes if c.count(".") == 2 and queries.subject_label(*c.split(".")[:2]) == "其他"})
    assert unnamed == []
