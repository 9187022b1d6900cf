"""Imports run one way: each area of ``funds/`` imports only the layers below it.

The order is the README's "Layout": the books (``ledger``), the service core (modules directly in
``funds/`` and ``funds/web``), then the areas, lowest first. The imports are read from the code
(ast), including imports inside functions, so a lazy import cannot hide an upward one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FUNDS = ROOT / "funds"
#: lowest first; an area may import the books, the core and the areas before it
AREAS = ("committees", "pools", "requests", "decisions", "donations", "transparency", "operations", "public", "demo")
CORE = "core"
NOT_AREAS = {"migrations", "translations", "web"}


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to, or None outside the project."""
    parts = module.split(".")
    if parts[0] == "ledger":
        return "ledger"
    if parts[0] != "funds":
        return None
    if len(parts) > 1 and parts[1] in AREAS:
        return parts[1]
    return CORE


def rank(layer: str) -> int:
    return {"ledger": 0, CORE: 1} | {area: 2 + i for i, area in enumerate(AREAS)}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` for every import in ``path``, relative ones made absolute."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            if node.module:
                found.append((node.lineno, module))
            else:
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def project_modules() -> list[Path]:
    paths = [p for p in FUNDS.rglob("*.py") if "migrations" not in p.relative_to(FUNDS).parts]
    return sorted([*paths, *(ROOT / "ledger").rglob("*.py")])


def upward_imports() -> list[str]:
    ranks = rank(CORE)
    wrong = []
    for path in project_modules():
        here = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for line, module in imports_of(path):
            there = layer_of(module)
            if there is None or there == here:
                continue
            if ranks[there] > ranks[here]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({here}) imports {module} ({there})")
    return wrong


def test_every_import_runs_downward():
    assert upward_imports() == []


def test_every_package_in_funds_is_a_known_layer():
    """A new area must take its place in the order (and the README's Layout) before it is used."""
    packages = {p.name for p in FUNDS.iterdir() if (p / "__init__.py").exists()}
    assert packages - NOT_AREAS == set(AREAS)


@pytest.mark.parametrize(
    ("path", "module", "layer"),
    [
        ("funds/pools/domain.py", "funds.donations.models", "donations"),
        ("funds/config.py", "funds.requests", "requests"),
        ("ledger/store.py", "funds.db", CORE),
    ],
)
def test_an_upward_import_is_named(tmp_path, monkeypatch, path, module, layer):
    """The check itself: an import from a higher layer is reported with its place."""
    monkeypatch.setattr(
        "tests.test_layers.project_modules", lambda: [ROOT / path]
    )
    original = imports_of
    monkeypatch.setattr(
        "tests.test_layers.imports_of",
        lambda p: [*original(p), (999, module)] if p == ROOT / path else original(p),
    )
    assert any(f"{path}:999" in line and f"({layer})" in line for line in upward_imports())
