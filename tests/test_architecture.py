"""The architecture as a test: the layers and their import rule (README, "Layout"), no import cycle,
no Slack SDK or database where it does not belong, and no first-party import hidden in a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("bot", "storage")

# Imports inside a function that stay, each with its reason. Third-party ones (gunicorn, Socket
# Mode's websockets, argparse and the like) are not first-party and are not listed.
DEFERRED: set[tuple[str, str]] = set()


def test_the_import_contract_holds():
    # Layers (pyproject, [tool.importlinter]), no cycle between siblings, Slack's SDK and the
    # database kept out of the pure layers. A failure prints the import chain with line numbers.
    # In its own process: import-linter configures logging (dictConfig), which would switch off
    # the loggers of the bot that other tests read.
    linted = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def first_party_imports_in_functions(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom):
                names = ["(relative)"]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(node.lineno, name) for name in names
                      if name == "(relative)" or name.split(".")[0] in FIRST_PARTY]
    return sorted(set(found))


def test_no_first_party_import_inside_a_function():
    hidden = []
    for folder in FIRST_PARTY:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for line, module in first_party_imports_in_functions(ast.parse(path.read_text(encoding="utf-8"))):
                if (relative, module) not in DEFERRED:
                    hidden.append(f"{relative}:{line} imports {module}")
    assert hidden == [], "import these at the top of the module:\n" + "\n".join(hidden)


def test_the_function_import_check_sees_what_it_must():
    code = (
        "import os\n"
        "from bot.core import config\n"
        "def f():\n"
        "    import json\n"
        "    from gunicorn.app.base import BaseApplication\n"
        "    from bot.app import create_app\n"
        "    class Inner:\n"
        "        def g(self):\n"
        "            import storage.db\n"
        "            from . import sibling\n"
    )
    assert first_party_imports_in_functions(ast.parse(code)) == [
        (6, "bot.app"), (9, "storage.db"), (10, "(relative)")]


def test_every_deferred_import_still_exists():
    # An exception that is no longer needed is taken off the list.
    for relative, module in DEFERRED:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        assert module in {name for _, name in first_party_imports_in_functions(tree)}, (relative, module)


def test_every_layer_folder_is_a_package():
    # Without __init__.py, setuptools' packages.find leaves the folder out of a real install.
    for folder in ("bot/core", "bot/slack", "bot/blocks", "bot/usecases", "bot/delivery", "bot/handlers",
                   "bot/flows"):
        init = ROOT / folder / "__init__.py"
        assert init.is_file(), folder
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{folder}: say what the layer is"
