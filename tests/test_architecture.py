"""The code's shape: imports run one way. A cycle hidden by an import inside a function still counts."""

import ast
from pathlib import Path

import tracker

PACKAGE = Path(tracker.__file__).parent


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """The project's modules that `path` (module `name`) imports anywhere in it, functions included:
    `import a.b`, `from a import b` (module a.b, or a name defined in a) and relative imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parents + ([base] if base else []))
            # `from a import b` imports module a.b when there is one, else the name b from a
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names}
    return {m for m in found if m in modules and m != name}


def import_graph(package: Path) -> dict[str, set[str]]:
    paths = {module_name(p, package): p for p in package.rglob("*.py")}
    return {name: imports_of(path, name, set(paths)) for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of imports (a → b → … → a), or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle_among_the_modules():
    cycle = find_cycle(import_graph(PACKAGE))
    assert cycle is None, "Importcykel: " + " → ".join(cycle)


def test_the_cycle_check_finds_a_cycle_hidden_inside_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text("def later():\n    from .a import thing\n")
    assert find_cycle(import_graph(package)) == ["pkg.a", "pkg.b", "pkg.a"]
    (package / "b.py").write_text("def later():\n    return 1\n")
    assert find_cycle(import_graph(package)) is None


# The domains that keep rows in the history; users is below them all (an entry names its user).
DOMAINS = ("tracker.plans", "tracker.followup", "tracker.xlsx", "tracker.admin", "tracker.reports", "tracker.notify")


def reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module that `start` imports, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_the_history_recorder_imports_no_domain():
    """Domains register their tracked models with the recorder (tracker.history.recorder.track), not the other way."""
    graph = import_graph(PACKAGE)
    domains = sorted(m for m in reaches(graph, "tracker.history.recorder") if m.startswith(DOMAINS))
    assert domains == [], "Historikens recorder importerar domäner: " + ", ".join(domains)


def test_every_tracked_model_is_registered_with_its_fields(app):
    """Every model the history records is described field by field, and every field is an attribute of it."""
    import sqlalchemy as sa

    from tracker.history import recorder
    from tracker.plans.models import Action, Area, DivisionStatus, Plan, SuccessFactor

    for model in (Plan, Area, SuccessFactor, Action, DivisionStatus):
        assert recorder._TRACKED.get(model) is not None, model
    for model, spec in recorder._TRACKED.items():
        attributes = set(sa.inspect(model).attrs.keys())
        assert set(spec.fields.names) <= attributes, (model, set(spec.fields.names) - attributes)
        assert any(spec.kind in kinds for kinds in recorder.KINDS.values())
