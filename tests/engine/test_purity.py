"""The engine is pure: no Django, no files, no pickles, no clock, and nothing of Fengkong above it.

Every .py under src/fengkong/engine/ is read as text (so a docstring or comment that says "open(" fails
too: say it another way) and parsed for its imports (relative ones resolved); a failure names each file
and line.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import fengkong.engine

ENGINE = Path(fengkong.engine.__file__).parent
FORBIDDEN = {
    "Django": re.compile(r"^\s*(import django\b|from django\b)"),
    "open(": re.compile(r"\bopen\("),
    "writing a file": re.compile(r"\.write_(text|bytes)\("),
    "joblib": re.compile(r"\bjoblib\b"),
    "the clock": re.compile(r"\bdatetime\.now\(|\bdate\.today\("),
}


def engine_files() -> list[Path]:
    files = sorted(ENGINE.rglob("*.py"))
    assert files and ENGINE / "modelling" / "delay.py" in files
    return files


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ENGINE.parent.parent)}:{line}"


def imported_modules(path: Path, source: str):
    """(module, line) for every import in `source`, the text of `path`, relative imports resolved."""
    package = ".".join(path.relative_to(ENGINE.parent.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base, node.lineno
            yield from ((f"{base}.{alias.name}", node.lineno) for alias in node.names)


def test_no_engine_file_uses_django_files_joblib_or_the_clock():
    found = [f"{where(path, number)}: {what}: {line.strip()}"
             for path in engine_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for what, pattern in FORBIDDEN.items() if pattern.search(line)]
    assert not found, "the engine must stay pure:\n" + "\n".join(found)


def test_the_engine_imports_nothing_of_fengkong_outside_the_engine():
    found = sorted({f"{where(path, line)}: imports {module}"
                    for path in engine_files()
                    for module, line in imported_modules(path, path.read_text(encoding="utf-8"))
                    if module.split(".")[0] in ("fengkong", "django", "joblib")
                    and not (module == "fengkong.engine" or module.startswith("fengkong.engine."))})
    assert not found, "the engine imports only itself of Fengkong:\n" + "\n".join(found)


def test_the_scan_catches_what_it_forbids():
    """The patterns and the import resolution, checked on lines that break every rule."""
    lines = ["from django.conf import settings", "open('x')", "p.write_text('x')", "import joblib",
             "datetime.now()", "date.today()"]
    caught = [what for line in lines for what, pattern in FORBIDDEN.items() if pattern.search(line)]
    assert caught == [*FORBIDDEN, "the clock"]   # datetime.now( and date.today( each
    source = "from ...scoring import storage\nfrom . import ledger\nimport fengkong.web\n"
    modules = list(imported_modules(ENGINE / "modelling" / "probe.py", source))
    assert ("fengkong.scoring.storage", 1) in modules and ("fengkong.engine.modelling.ledger", 2) in modules
    assert ("fengkong.web", 3) in modules
