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


# The packages' order, lowest first, is written once, in the README's layout section; these tests read it there.
# "base" is every top-level module of tracker/ but the composition ones, which assemble the app from every package.
README = PACKAGE.parent / "README.md"
COMPOSITION = {"tracker", "tracker.models", "tracker.cli", "tracker.__main__"}
ORDER_LINE = "Packages, lowest first"


def package_order() -> list[str]:
    """The order the README's layout section gives, in its sentence "Packages, lowest first …: base → users → …"."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert text.count(ORDER_LINE) == 1, f"README.md ska ha en rad som börjar ”{ORDER_LINE}”"
    sentence = text.split(ORDER_LINE, 1)[1].split(":", 1)[1].split(".", 1)[0]
    return [name.strip(" `") for name in sentence.split("→")]


def package_of(module: str, modules: set[str], composition: set[str]) -> str:
    """The package a module belongs to: its folder under the root (tracker.plans.views → plans), "composition"
    for the modules that assemble the app, "base" for every other top-level module."""
    if module in composition or "." not in module:
        return "composition"
    parts = module.split(".")
    if len(parts) > 2 or any(other.startswith(module + ".") for other in modules):
        return parts[1]
    return "base"


def package_edges(graph: dict[str, set[str]], composition: set[str]) -> dict[tuple[str, str], set[str]]:
    """(package, package it imports) → the module imports that make it, between different packages."""
    edges: dict[tuple[str, str], set[str]] = {}
    for module, targets in graph.items():
        for target in targets:
            pair = (package_of(module, set(graph), composition), package_of(target, set(graph), composition))
            if pair[0] != pair[1]:
                edges.setdefault(pair, set()).add(f"{module} → {target}")
    return edges


def two_way_pairs(edges: dict[tuple[str, str], set[str]]) -> set[frozenset[str]]:
    return {frozenset((a, b)) for a, b in edges if (b, a) in edges}


def describe(edges, pairs) -> str:
    return "; ".join(f"{' ↔ '.join(sorted(pair))}: " + ", ".join(
        sorted(edges.get(tuple(sorted(pair)), set()) | edges.get(tuple(sorted(pair, reverse=True)), set())))
        for pair in sorted(pairs, key=sorted))


def test_no_two_packages_import_each_other():
    """Between tracker's packages (base and composition counted as packages), imports run one way only."""
    edges = package_edges(import_graph(PACKAGE), COMPOSITION)
    pairs = two_way_pairs(edges)
    assert not pairs, "Paket som importerar varandra: " + describe(edges, pairs)


def test_the_packages_import_only_those_below_them_in_the_readme_order():
    graph = import_graph(PACKAGE)
    order = package_order()
    assert order[0] == "base" and order[-1] == "composition", order
    packages = {package_of(module, set(graph), COMPOSITION) for module in graph}
    assert packages <= set(order), f"Paket som saknas i README:s ordning: {sorted(packages - set(order))}"
    rank = {name: index for index, name in enumerate(order)}
    upward = {(a, b): imports for (a, b), imports in package_edges(graph, COMPOSITION).items()
              if rank[b] > rank[a]}
    assert not upward, "Importer uppåt i README:s ordning: " + "; ".join(
        f"{a} → {b}: {', '.join(sorted(imports))}" for (a, b), imports in sorted(upward.items()))


def test_the_composition_modules_really_compose():
    """Each composition module imports a package above the base or another composition module (else it belongs
    to the base)."""
    graph = import_graph(PACKAGE)
    for module in COMPOSITION:
        imported = {package_of(target, set(graph), COMPOSITION) for target in graph[module]}
        assert imported - {"base"}, f"{module} importerar inget paket: det hör till basen"


def test_the_package_check_finds_a_two_way_dependency_hidden_inside_a_function(tmp_path):
    root = tmp_path / "pkg"
    for folder in (root, root / "low", root / "high"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (root / "base.py").write_text("")
    (root / "low" / "models.py").write_text("from pkg import base\n")
    (root / "high" / "views.py").write_text("from pkg.low import models\n")
    graph = import_graph(root)
    assert two_way_pairs(package_edges(graph, set())) == set()
    (root / "low" / "models.py").write_text("from pkg import base\n\n\ndef later():\n    from pkg.high.views import x\n")
    edges = package_edges(import_graph(root), set())
    assert two_way_pairs(edges) == {frozenset(("low", "high"))}
    assert edges[("low", "high")] == {"pkg.low.models → pkg.high.views"}
    assert find_cycle(import_graph(root)) is not None


TESTS = Path(__file__).parent
# The permission matrices themselves, which tests/test_ownership.py walks again for every route with an id.
MATRICES = {"tests.test_permissions", "tests.test_read_permissions"}


def imported_test_modules(path: Path, root: Path) -> set[str]:
    """The test modules (test_*.py) of the package `root` that the file `path` imports anywhere in it, functions included;
    only the name MATRIX of a permission matrix does not count."""
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    name = module_name(path, root)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parents + ([base] if base else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif not (base in MATRICES and alias.name == "MATRIX"):
                    found.add(base)
    return {m for m in found if m in modules and m != name and modules[m].name.startswith("test_")}


def test_no_test_module_imports_another():
    """Shared helpers live in helper modules (tests/factories.py, a folder's helpers.py) and shared fixtures in a
    conftest.py; a test module imports neither another's tests nor its fixtures."""
    found = {module_name(path, TESTS): sorted(imported)
             for path in sorted(TESTS.rglob("*.py")) if (imported := imported_test_modules(path, TESTS))}
    assert not found, f"Testmoduler som importerar andra testmoduler: {found}"


def test_the_test_import_check_finds_a_test_module_imported_inside_a_function(tmp_path):
    root = tmp_path / "tests"
    (root / "notify").mkdir(parents=True)
    for path in (root / "__init__.py", root / "notify" / "__init__.py", root / "helpers.py"):
        path.write_text("")
    (root / "notify" / "test_mail.py").write_text("from tests.helpers import x\n")
    (root / "test_users.py").write_text("def test_it():\n    from tests.notify.test_mail import people\n")
    assert imported_test_modules(root / "notify" / "test_mail.py", root) == set()
    assert imported_test_modules(root / "test_users.py", root) == {"tests.notify.test_mail"}
