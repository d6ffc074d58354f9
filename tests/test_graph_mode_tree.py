"""TF2301/TF2302 on a generated multi-package tree: the graph-mode switch lands only where a program starts.

The tree (tests/graph_tree_support.py) has a library package imported by two
scripts and a test module, plus a stand-alone tool script.  A tree run decides
from the tree's imports; the converted library, imported, leaves TF2 on.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_support import RUN_ENV
from graph_tree_support import FILES, LIBRARIES, PROGRAMS, write_tree
from migrate.convert import ConvertOptions, convert_paths
from migrate.engine import transform_source
from migrate.rules import load_rules, rulesets_for_target
from migrate.runfacts import imported_names, module_names

SWITCH = "tf.compat.v1.disable_v2_behavior()"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    source = write_tree(tmp_path_factory.mktemp("tree") / "proj")
    out = tmp_path_factory.mktemp("out") / "proj"
    results = list(convert_paths([source], ConvertOptions(out_dir=out), jobs=1))
    findings = {Path(r.path).relative_to(source).as_posix(): r.findings for r in results}
    return out, findings


def _switch_place(text: str) -> str | None:
    tree = ast.parse(text)
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.Expr) and ast.unparse(node) == SWITCH:
            before = tree.body[:index]
            assert all(isinstance(n, (ast.Import, ast.ImportFrom)) or
                       (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)) for n in before), \
                "the switch must follow the import block directly"
            assert not any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body[index + 1:]), \
                "no import may follow the switch (ruff E402)"
            return "module"
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            if node.body and ast.unparse(node.body[0]) == SWITCH:
                return "guard"
    assert SWITCH not in text, "the switch is somewhere it should not be"
    return None


def test_switch_only_in_entry_points(converted):
    out, findings = converted
    for relative, place in PROGRAMS.items():
        assert _switch_place((out / relative).read_text()) == place, relative
        assert "TF2301" in [f.code for f in findings[relative]], relative
    for relative in LIBRARIES:
        assert _switch_place((out / relative).read_text()) is None, relative
        codes = [f.code for f in findings[relative]]
        assert "TF2302" in codes and "TF2301" not in codes, (relative, codes)
    message = next(f.message for f in findings["mylib/model.py"] if f.code == "TF2302")
    assert "scripts/train.py" in message and "tests/test_model.py" in message


def test_a_tree_run_assumes_nothing_and_a_single_file_run_says_what_it_assumed(converted):
    _, findings = converted
    tree_message = next(f.message for f in findings["tools/export.py"] if f.code == "TF2301")
    assert "assumed" not in tree_message
    ruleset = load_rules(rulesets_for_target("tf2-compat"))
    single = transform_source(FILES["tools/export.py"], ruleset)
    message = next(f.message for f in single.findings if f.code == "TF2301")
    assert "assumed it is a program that no other module imports" in message


def test_import_names_and_relative_imports():
    assert module_names(Path("/r"), Path("/r/a/b/c.py")) == ["a.b.c", "b.c", "c"]
    assert module_names(Path("/r"), Path("/r/a/__init__.py")) == ["a"]
    names = imported_names("from . import layers\nfrom ..x import (y,\n  z)\nimport p.q as r, s\n", ["a", "b"])
    assert {"a.b.layers", "a.x.y", "a.x.z", "p.q", "p", "s"} <= names


@pytest.mark.slow
def test_converted_library_keeps_tf2_on_and_programs_run(converted):
    """Import the converted libraries: TF2 stays on.  Then run the converted programs as __main__."""
    out, _ = converted
    script = f'''
import runpy, sys
sys.path.insert(0, {str(out)!r})
from tensorflow.python import tf2
import mylib.layers, mylib.model, mylib.data
print("after-import", tf2.enabled())
for program in ("scripts/evaluate.py", "scripts/train.py", "tools/export.py"):
    import tensorflow as tf
    tf.compat.v1.reset_default_graph()
    sys.argv = [program]
    try:
        runpy.run_path({str(out)!r} + "/" + program, run_name="__main__")
    except SystemExit:
        pass
    print("after", program, tf2.enabled())
'''
    env = {**os.environ, **RUN_ENV}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "after-import True"
    assert "evaluate [[3.0, 3.0], [3.0, 3.0]]" in lines
    assert "train [[3.0, 3.0]]" in lines
    assert "export [4.0]" in lines
    assert "after scripts/evaluate.py False" in lines


def test_one_line_main_guard_becomes_a_block():
    ruleset = load_rules(rulesets_for_target("tf2-compat"))
    source = 'import tensorflow as tf\n\n\ndef main():\n    s = tf.Session()\n\n\nif __name__ == "__main__": main()  # run\n'
    result = transform_source(source, ruleset)
    assert result.code.endswith('if __name__ == "__main__":\n    tf.compat.v1.disable_v2_behavior()\n    main()  # run\n')
    assert transform_source(result.code, ruleset).code == result.code


def test_no_module_level_import_gets_a_finding_instead_of_a_silent_skip():
    ruleset = load_rules(rulesets_for_target("tf2-compat"))
    source = "def run():\n    import tensorflow as tf\n    return tf.Session()\n\n\nrun()\n"
    result = transform_source(source, ruleset)
    assert "disable_v2_behavior" not in result.code and result.code.startswith("def run():")
    assert any(f.code == "TF2301" and not f.fixed for f in result.findings)
