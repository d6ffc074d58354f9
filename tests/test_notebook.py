"""Notebooks: code cells converted as one module; everything else in the JSON kept as it was."""
from __future__ import annotations

import json

import pytest

from migrate.engine import transform_source
from migrate.model import Safety
from migrate.notebook import NotebookError, convert_notebook
from migrate.rules import load_rules

APPLY = frozenset({Safety.SAFE, Safety.REVIEW})
ALL = load_rules(["tf1_to_tf2"])
NAMES = load_rules(["tf1_to_tf2"], select=["TF2001", "TF2002"])


def converter(ruleset):
    def convert(code: str):
        result = transform_source(code, ruleset, apply=APPLY)
        return result.code, result.findings
    return convert


def code_cell(source, *, count=None, outputs=(), metadata=None, as_list=True):
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": metadata or {},
        "outputs": list(outputs),
        "source": source.splitlines(keepends=True) if as_list else source,
    }


def markdown_cell(source):
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}


def notebook(*cells, language="python", indent=1):
    data = {
        "cells": list(cells),
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": language, "name": "python3"},
                     "language_info": {"name": language}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(data, indent=indent, ensure_ascii=False) + "\n"


def cell_sources(text: str) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in json.loads(text)["cells"]]


OUTPUT = {"name": "stdout", "output_type": "stream", "text": ["tensor(1.0) — é\n"]}


def test_import_in_an_earlier_cell_resolves_in_a_later_one():
    text = notebook(code_cell("import tensorflow as tf\n"), markdown_cell("Uses `tf.log`"),
                    code_cell("y = tf.log(2.0)\n"))
    result = convert_notebook(text, converter(NAMES))
    assert cell_sources(result.text) == ["import tensorflow as tf\n", "Uses `tf.log`", "y = tf.math.log(2.0)\n"]


def test_outputs_metadata_counts_layout_and_key_order_are_kept():
    cells = [code_cell("import tensorflow as tf\ny = tf.log(2.0)\nprint(y)", count=7, outputs=[OUTPUT],
                       metadata={"tags": ["train"], "collapsed": False})]
    text = notebook(*cells)
    result = convert_notebook(text, converter(NAMES))
    expected = json.loads(text)
    expected["cells"][0]["source"] = ["import tensorflow as tf\n", "y = tf.math.log(2.0)\n", "print(y)"]
    assert result.text == json.dumps(expected, indent=1, ensure_ascii=False) + "\n"
    assert list(json.loads(result.text)["cells"][0]) == ["cell_type", "execution_count", "metadata", "outputs", "source"]


@pytest.mark.parametrize("indent", [1, 2, 4])
def test_json_indent_is_kept(indent):
    text = notebook(code_cell("import tensorflow as tf\ny = tf.log(2.0)\n"), indent=indent)
    result = convert_notebook(text, converter(NAMES))
    assert result.text.startswith("{\n" + " " * indent + '"cells"')


def test_magics_and_shell_lines_are_kept():
    source = (
        "%matplotlib inline\n"
        "!pip install tensorflow==1.15\n"
        "import tensorflow as tf\n"
        "for i in range(2):\n"
        "    %time y = tf.log(2.0)\n"
        "    z = tf.log(3.0)\n"
        "tf.log?\n"
    )
    text = notebook(code_cell(source), code_cell("%%bash\necho tf.log\n"))
    result = convert_notebook(text, converter(NAMES))
    assert cell_sources(result.text) == [source.replace("z = tf.log", "z = tf.math.log"), "%%bash\necho tf.log\n"]


def test_unchanged_notebook_is_byte_identical():
    text = notebook(code_cell("import tensorflow as tf\nx = tf.constant(1)\n", count=1, outputs=[OUTPUT]),
                    markdown_cell("# tf.log is old"))
    assert convert_notebook(text, converter(ALL)).text == text


def test_notebook_written_without_trailing_newline_or_with_string_sources():
    data = json.loads(notebook(code_cell("import tensorflow as tf\ny = tf.log(2.0)", as_list=False)))
    text = json.dumps(data, indent=1)
    result = convert_notebook(text, converter(NAMES))
    assert not result.text.endswith("\n")
    assert json.loads(result.text)["cells"][0]["source"] == "import tensorflow as tf\ny = tf.math.log(2.0)"


def test_findings_point_to_the_cell_and_the_line_in_it():
    text = notebook(code_cell("import tensorflow as tf\n"), markdown_cell("text"),
                    code_cell("%matplotlib inline\nx = 1\ny = tf.log(2.0)\n"))
    result = convert_notebook(text, converter(NAMES))
    (finding,) = result.findings
    # ruff's convention: cells are numbered from 1 among code cells; the line counts within the cell
    assert finding.cell == 2 and finding.where() == "cell 2:3:5"
    assert (finding.line, finding.column, finding.end_line) == (3, 5, 3)
    # and the .ipynb line that holds that source line, for SARIF and GitHub annotations
    assert '"y = tf.log(2.0)' in text.splitlines()[finding.file_line - 1]


def test_findings_after_inserted_lines_still_point_to_the_original_line():
    # TF2301 inserts a line in cell 0; findings in cell 1 must not shift
    text = notebook(code_cell("import tensorflow as tf\n"), code_cell("a = 1\nx = tf.placeholder(tf.float32)\n"))
    result = convert_notebook(text, converter(ALL))
    sources = cell_sources(result.text)
    assert sources[0] == "import tensorflow as tf\ntf.compat.v1.disable_v2_behavior()\n"
    placeholder = [f for f in result.findings if f.code == "TF2002"]
    assert [(f.cell, f.line, f.column) for f in placeholder] == [(2, 2, 5)]


def test_scheduled_import_lands_in_the_first_code_cell():
    text = notebook(markdown_cell("# title"), code_cell("from tensorflow import nn\n"),
                    code_cell("cell = nn.rnn_cell.LSTMCell(3)\n"))
    result = convert_notebook(text, converter(NAMES))
    assert cell_sources(result.text) == ["# title", "from tensorflow import nn\nimport tensorflow as tf\n",
                                         "cell = tf.compat.v1.nn.rnn_cell.LSTMCell(3)\n"]


def test_other_kernels_are_left_alone():
    text = notebook(code_cell("import tensorflow as tf\ny = tf.log(2.0)\n"), language="R")
    assert convert_notebook(text, converter(ALL)).text == text


def test_invalid_json_and_non_notebooks_raise_a_clear_error():
    with pytest.raises(NotebookError, match="invalid notebook JSON"):
        convert_notebook('{"cells": [', converter(ALL))
    with pytest.raises(NotebookError, match="not a notebook"):
        convert_notebook('{"data": 1}', converter(ALL))


def test_converting_twice_changes_nothing():
    text = notebook(code_cell("import tensorflow as tf\n%matplotlib inline\nx = tf.placeholder(tf.float32)\n"),
                    code_cell("with tf.Session() as s:\n    s.run(x)\n"))
    once = convert_notebook(text, converter(ALL)).text
    assert once != text
    assert convert_notebook(once, converter(ALL)).text == once
