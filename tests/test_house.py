"""The shape of the house (docs/architecture.md), enforced: no import circles, dependencies one way.

FLOORS is the one written-down direction between the top-level packages of `src/fengkong`: a module may
import modules of its own package, of a package on a lower floor, or on the same floor (never in a circle).
Every import counts, at module level or inside a function. A new package must be given a floor here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = SRC / "fengkong"

FLOORS = {
    "engine": 0,
    "core": 1,
    "accounts": 2, "notifications": 2,
    "customers": 3, "receivables": 3, "reviews": 3,
    "integrations": 4, "evidence": 4,
    "industry": 5, "monitoring": 5,
    "credit": 6,
    "scoring": 7,
    "collections": 8, "contracts": 8,
    "legal": 9, "provisions": 9, "bureau": 9, "alliance": 9,
    "reports": 10, "knowledge": 10,
    "cycle": 11,
    "api": 12, "web": 12,
    "cli": 13, "demo": 13,
}
# Module names that stand in several packages with the same meaning; any other name means one thing only.
SHAPE_FILES = {"__init__", "models", "choices", "exceptions", "actions", "queries", "admin", "apps", "urls",
               "api", "schemas", "views", "forms", "tasks", "nightly", "panels", "cli", "signals", "receivers",
               "templatetags"}
ALIKE = {
    "policy": "an app's versioned policy (monitoring, credit, contracts)",
    "defaults": "an app's policy defaults, the version every later one starts from (credit, contracts)",
    "worklist": "the collectors' worklist: its order (monitoring), scoring's ranking of it",
    "ledger": "the receivables ledger: features read from it (engine), the demo company's (demo)",
    "delay": "payment-delay prediction: the model (engine), its ledger reading and use (scoring)",
    "charts": "plotly figures as JSON-ready dicts (core's shared ones, monitoring's, scoring's, collections')",
    "performance": "how those who work the cases do, read at request time over what the reader may see (legal's "
                   "law firms, collections' collectors)",
    "exports": "a report written as files a person opens (monitoring's aging workbook, receivables' reconciliation)",
}


def none_of(found: set[str], what: str) -> None:
    assert not found, f"{what}:\n" + "\n".join(sorted(found))


# Modules of the project root itself (settings, urls, wsgi) wire everything together: the top floor.
ROOT_MODULES = {"fengkong", "fengkong.settings", "fengkong.urls", "fengkong.wsgi"}
# The common files every domain app has (NetBox's habit); `actions` may be a package, as may `views`.
DOMAIN_APPS = ("accounts", "customers", "receivables", "integrations", "monitoring", "credit", "scoring",
               "notifications", "cycle", "reviews", "evidence", "legal", "collections", "contracts", "industry")
COMMON_FILES = ("models", "choices", "exceptions", "actions", "admin", "apps", "urls", "api", "views", "tasks")
# A common file an app has no use for is not written empty: the app, the file and why it has none.
NOT_NEEDED = {
    "accounts": {"tasks": "no background work: tokens and sign-in are synchronous"},
    "customers": {"tasks": "no background work: what a change sets off is queued by the apps that receive its "
                           "signal (credit re-assesses)"},
    "reviews": {"tasks": "no background work: a confirmed change is written at once, and what it sets off is "
                         "queued by the app that owns the row (credit re-assesses after a guarantee)"},
    "integrations": {"api": "no endpoints: files come by the upload page or `fengkong import`"},
    "receivables": {"tasks": "no background work"},
    "contracts": {"tasks": "no background work: a document is analysed as it is uploaded (under a second)"},  # its pages: exchange rates, the AR reconciliation
    "notifications": {"api": "no endpoints: the inbox is a page; channels are set in the admin"},
    "legal": {"tasks": "no background work of its own: the deadline reminders are a step of the night "
                        "(legal/nightly.py)"},
    "collections": {"tasks": "no background work of its own: its steps run in the night (nightly.py) and the "
                             "broken-promise alerts' messages go with monitoring's"},
    "industry": {"tasks": "no background work of its own: an alarm's re-assessment is queued by credit, which "
                          "receives its signal"},
    "cycle": {"urls": "no pages of its own: the last run is a panel of the monitoring dashboard, runs are "
                      "read in the admin", "views": "no pages of its own (see urls)",
              "api": "no endpoints: a run is started by `fengkong run-cycle` or the schedule"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def imported_names(path: Path, module: str):
    """(imported module or name, line) of every import in the file, relative ones resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """module -> {imported project module: line}."""
    modules = project_modules()
    graph: dict[str, dict[str, int]] = defaultdict(dict)
    for module, path in modules.items():
        for target, line in imported_names(path, module):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module and target.startswith("fengkong"):
                graph[module].setdefault(target, line)
    return graph


def floor_of(module: str) -> int | None:
    if module in ROOT_MODULES:
        return max(FLOORS.values()) + 1
    return FLOORS.get(module.split(".")[1])


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other round in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    circles = []
    counter = 0
    for start in list(graph):
        if start in index:
            continue
        work = [(start, iter(graph.get(start, {})))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            advanced = False
            for target in targets:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph.get(target, {}))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    circles.append(sorted(group))
    return circles


def test_every_package_has_a_floor():
    packages = {module.split(".")[1] for module in project_modules() if module not in ROOT_MODULES}
    assert packages <= set(FLOORS), f"give {sorted(packages - set(FLOORS))} a floor in FLOORS ({__name__})"


def test_no_module_imports_a_higher_floor():
    graph, modules = import_graph(), project_modules()
    upward = {f"{modules[source].relative_to(SRC)} imports {target}"
              for source, targets in graph.items() for target in targets
              if (floor_of(target) or 0) > (floor_of(source) or 0)}
    none_of(upward, "dependencies run one way (docs/architecture.md FLOORS), but")


def test_no_import_circles_between_modules():
    circles = {" <-> ".join(group) for group in strongly_connected(import_graph())}
    none_of(circles, "import circles (fix by moving code where it belongs, not by a local import)")


def test_no_private_name_is_imported_from_another_module():
    modules = project_modules()
    leaks = {f"{path.relative_to(SRC)} imports {name}"
             for module, path in modules.items() for name, _line in imported_names(path, module)
             if name.rpartition(".")[2].startswith("_") and not name.rpartition(".")[2].startswith("__")
             and name.startswith("fengkong")}
    none_of(leaks, "a _name is private to its module; make it public where it belongs")


def test_a_module_name_means_one_thing():
    packages_of: dict[str, set[str]] = defaultdict(set)
    for module in project_modules():
        parts = module.split(".")
        if len(parts) > 2:
            packages_of[parts[-1]].add(parts[1])
    clashes = {name for name, packages in packages_of.items()
               if len(packages) > 1 and name not in SHAPE_FILES and name not in ALIKE}
    none_of(clashes, "one name, one meaning (STYLE.md): rename, or say in ALIKE why these "
            "modules mean the same thing")


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_every_domain_app_has_the_common_files(app):
    folder = ROOT / app
    expected = set(COMMON_FILES) - set(NOT_NEEDED.get(app, {}))
    missing = {name for name in expected if not (folder / f"{name}.py").exists() and not (folder / name).is_dir()}
    none_of(missing, f"every domain app has the same shape; {app} has no")


@pytest.mark.parametrize("app", sorted(NOT_NEEDED))
def test_a_file_an_app_needs_not_is_not_there_either(app):
    folder = ROOT / app
    present = {name for name in NOT_NEEDED[app] if (folder / f"{name}.py").exists() or (folder / name).is_dir()}
    assert not present, f"{app} has {sorted(present)}: take it out of NOT_NEEDED in {__name__}"
