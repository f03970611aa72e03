"""The package structure, read from the code with `ast`: jkeras's top-level packages import each
other only downwards in `ORDER` (no cycles, function-level imports included), no module defers
an import of jkeras code to a function, and no module reaches into another package's private
attributes. DEVELOPERS.md states the same order.
"""

import ast
import collections
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jkeras"

# Each package may import only the packages before it (DEVELOPERS.md, "Dependency order").
ORDER = [
    "core", "tree", "dtype_policies", "config", "random", "distribution", "ops", "activations",
    "initializers", "regularizers", "constraints", "losses", "metrics", "optimizers",
    "mixed_precision", "backend", "quantizers", "layers", "saving", "legacy", "export", "utils",
    "datasets", "preprocessing", "visualization", "callbacks", "trainers", "models",
    "applications", "wrappers", "distillation",
]


def _modules():
    """`{path: (module name, top-level package, ast)}` for every module of jkeras."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        package = parts[1] if len(parts) > 1 else None  # None: jkeras/__init__.py
        found[path] = (".".join(parts), package, ast.parse(path.read_text(), str(path)))
    return found


MODULES = _modules()
IS_PACKAGE = {name: path.name == "__init__.py" for path, (name, _, _) in MODULES.items()}


def _imported(module, node):
    """The absolute module names an `Import`/`ImportFrom` node names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".")
        if not IS_PACKAGE[module]:  # `from . import x` in a package's __init__ stays in it
            base = base[:-1]
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module
    if target == "jkeras":  # `from jkeras import layers`: the subpackages
        return [f"jkeras.{alias.name}" for alias in node.names]
    return [target]


def _package_of(name):
    parts = name.split(".")
    return parts[1] if parts[0] == "jkeras" and len(parts) > 1 else None


def _import_edges():
    """`{(importer, imported): ["path:line", ...]}` between top-level packages."""
    edges = collections.defaultdict(list)
    for path, (module, package, tree) in MODULES.items():
        if package is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for name in _imported(module, node):
                    target = _package_of(name)
                    if target is not None and target != package:
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        edges[(package, target)].append(where)
    return edges


def _cycles(edges):
    """The strongly connected components of more than one package (Tarjan)."""
    graph = collections.defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_every_package_is_in_the_order():
    packages = {package for _, package, _ in MODULES.values() if package is not None}
    assert sorted(packages - set(ORDER)) == []
    assert sorted(set(ORDER) - packages) == []


def test_no_import_cycle_between_packages():
    assert _cycles(_import_edges()) == []


def test_packages_import_only_packages_before_them():
    upward = {
        f"{source} -> {target}": places
        for (source, target), places in _import_edges().items()
        if ORDER.index(target) > ORDER.index(source)
    }
    assert upward == {}


def test_the_graph_check_finds_a_cycle():
    edges = {("core", "layers"): [], ("layers", "models"): [], ("models", "core"): [],
             ("ops", "core"): []}
    assert _cycles(edges) == [["core", "layers", "models"]]


def _function_level_imports(tree):
    """Import nodes not at a module's top level (inside a function or class)."""
    top = set()
    for node in tree.body:
        for child in ast.walk(node):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                top.add(id(child))
    return [n for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in top]


def test_no_deferred_import_of_jkeras_code():
    """Importing jkeras code inside a function hides a dependency (often one that closes a
    cycle); only optional third-party packages are imported on use, with a comment why."""
    deferred, unexplained = [], []
    for path, (module, _, tree) in MODULES.items():
        lines = path.read_text().splitlines()
        for node in _function_level_imports(tree):
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if any(_package_of(name) or name == "jkeras" for name in _imported(module, node)):
                deferred.append(where)
            elif "#" not in lines[node.lineno - 1] + lines[node.lineno - 2]:
                unexplained.append(where)
    assert deferred == []
    assert unexplained == []


# ------------------------------------------------------------------------ private attributes


def _is_private(name):
    return name.startswith("_") and not name.startswith("__")


def _definitions():
    """`{package: names}` of the functions, classes, variables and `self.`/`cls.` attributes
    each package defines."""
    names = collections.defaultdict(set)
    for _, package, tree in MODULES.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names[package].add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names[package].add(node.id)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                names[package].add(node.attr)
    return names


def _private_uses(tree):
    """`(line, name)` of private attributes read or written on anything but `self`/`cls`,
    directly or through `getattr`/`setattr`/`hasattr` with a literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                yield node.lineno, node.attr
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _is_private(node.args[1].value)):
            owner = node.args[0]
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                yield node.lineno, node.args[1].value


def test_no_private_imports_across_packages():
    found = []
    for path, (module, package, tree) in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for name in _imported(module, node):
                    target = _package_of(name)
                    private = [a.name for a in node.names if _is_private(a.name)]
                    if target is not None and target != package and private:
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {private}")
    assert found == []


def test_no_private_attributes_of_other_packages():
    """A private attribute used on another object is a reach-in when only other packages
    define that name (a name the package defines itself is taken to be its own)."""
    definitions = _definitions()
    found = []
    for path, (_, package, tree) in MODULES.items():
        for line, name in _private_uses(tree):
            owners = sorted(p for p, names in definitions.items() if p != package and name in names)
            if owners and name not in definitions[package]:
                found.append(f"{path.relative_to(ROOT)}:{line} {name} (of {', '.join(owners)})")
    assert found == []


def test_the_reach_in_check_finds_one():
    tree = ast.parse("def f(variable, model):\n    variable._value = 1\n"
                     "    return getattr(model, '_compile_metrics')\n")
    assert list(_private_uses(tree)) == [(2, "_value"), (3, "_compile_metrics")]


def test_no_tracking_by_name_prefix():
    """Untracked attributes are declared (`Layer.untracked_attributes`), not named
    `_untracked_...`."""
    pattern = re.compile(r"\b_untracked_\w+")
    found = [f"{path.relative_to(ROOT)}: {sorted(set(pattern.findall(path.read_text())))}"
             for path in MODULES if pattern.search(path.read_text())]
    assert found == []


def test_developers_md_states_this_order():
    text = (ROOT / "DEVELOPERS.md").read_text()
    start = text.find("Dependency order")
    assert start >= 0, "DEVELOPERS.md has no 'Dependency order' paragraph"
    chain = re.search(r"\w+(?: →\s+\w+)+", text[start:])  # `core → datasets → ...`
    assert chain is not None
    assert re.findall(r"\w+", chain.group(0)) == ORDER


def test_import_jkeras_loads_no_heavy_optional_package():
    """`import jkeras` must not take longer than `import keras`: packages that take seconds to
    import and serve one feature (scipy.signal's named windows, TensorFlow's tf.data bridge,
    h5py's files, orbax's checkpoints) are imported where they are used."""
    heavy = ("scipy", "tensorflow", "h5py", "orbax", "torch", "pandas", "matplotlib")
    script = f"import sys, jkeras; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.stdout.strip() == "[]"
