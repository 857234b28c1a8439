"""Every setting is read through the settings table (`qa/settings.py`): no other module of
`qa/` reads the environment or names a setting's environment variable for click."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "qa"
TABLE = PACKAGE / "settings.py"


def environment_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each read of the environment: os.environ (but for setdefault, which
    sets a library's variable such as OMP_NUM_THREADS), getenv, and a click `envvar=` given
    as a literal rather than taken from the table."""
    found = []
    setdefaults = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "setdefault"
    }
    for node in ast.walk(tree):
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        if name == "environ" and id(node) not in setdefaults or name == "getenv":
            found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.keyword)
            and node.arg == "envvar"
            and isinstance(node.value, ast.Constant)
        ):
            found.append((node.value.lineno, f"envvar={node.value.value!r}"))
    return sorted(found)


def test_only_the_settings_table_reads_the_environment():
    reads = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != TABLE
        for line, what in environment_reads(ast.parse(path.read_text()))
    ]
    assert not reads, "read these through qa.settings (get, option, SETTINGS):\n" + "\n".join(reads)


def test_the_scan_finds_each_kind_of_read():
    code = """
import os
a = os.environ.get("QA_X")
b = os.getenv("QA_Y")
c = click.argument("folder", envvar="QA_Z")
os.environ.setdefault("OMP_NUM_THREADS", "1")
"""
    assert [what for _, what in environment_reads(ast.parse(code))] == [
        "os.environ",
        "os.getenv",
        "envvar='QA_Z'",
    ]
