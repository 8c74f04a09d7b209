"""docs/python.md's examples run as written: every ```python block, in order, in one namespace, from the
repository root (```py blocks are shown but not run: they need a GPU)."""

import os
import re

from conftest import SOURCE_DIR


def test_python_md_examples_run(capsys):
    text = (SOURCE_DIR / "docs" / "python.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)
    assert len(blocks) >= 5
    namespace = {"__name__": "docs_python_md"}
    cwd = os.getcwd()
    os.chdir(SOURCE_DIR)
    try:
        for index, block in enumerate(blocks):
            exec(compile(block, f"docs/python.md block {index + 1}", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    assert "shape out of range in 'input'" in printed and "max 32x784" in printed
    assert "(-1, 10)" in printed
    assert namespace["context"].profiler.times, "the profiler example received no step"
