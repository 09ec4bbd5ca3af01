"""Questions about the package layout: does each folder hold what runs where?"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

GRADER = ROOT / "grader"
#: The modules of grader.isolation that run inside the untrusted worker (session.py is the parent's end).
WORKER_SIDE = ("protocol", "script", "worker", "zygote", "sandbox", "credentials")


def test_does_the_worker_side_import_only_the_standard_library_numpy_and_itself():
    """What the worker loads before student code can never pull the judging side into its process."""
    code = ("import json, sys\n"
            + "".join(f"import grader.isolation.{m}\n" for m in WORKER_SIDE)
            + "print(json.dumps(sorted(sys.modules)))\n")
    loaded = json.loads(subprocess.run([sys.executable, "-I", "-c", code], cwd=ROOT, capture_output=True, text=True,
                                       check=True).stdout)
    ours = [m for m in loaded if m.split(".")[0] == "grader" and m not in ("grader", "grader.isolation")
            and not m.startswith("grader.isolation.")]
    assert ours == []
    stdlib = set(sys.stdlib_module_names)
    foreign = sorted({m.split(".")[0] for m in loaded} - stdlib - {"grader", "numpy", "_distutils_hack"}
                     - {m for m in {x.split(".")[0] for x in loaded} if m.startswith("_")})
    assert foreign == [], foreign


def test_do_the_worker_side_modules_name_no_module_outside_the_isolation_package():
    """Also the imports made inside functions, which the import test above cannot see."""
    for name in WORKER_SIDE:
        tree = ast.parse((GRADER / "isolation" / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grader"):
                if name == "zygote" and node.module == "grader.isolation.session":
                    continue          # only in the parent, to start the fork server with the worker's environment
                assert node.module.startswith("grader.isolation"), (name, node.module)


def test_does_every_subpackage_say_what_it_holds():
    for package in ("isolation", "judging", "authoring", "submissions", "outputs"):
        doc = ast.get_docstring(ast.parse((GRADER / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, package
        for module in (GRADER / package).glob("*.py"):
            if module.name != "__init__.py":
                assert f"`{module.stem}`" in doc, (package, module.stem)


def test_do_no_modules_remain_at_the_top_but_the_entry_points():
    top = sorted(p.stem for p in GRADER.glob("*.py"))
    assert top == ["__init__", "__main__", "api", "batch", "cli", "errors"]
