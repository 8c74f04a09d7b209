"""docs/python.md's examples run as written: every ```python block, in order, in one namespace, from the
repository root (```py blocks are shown but not run: they need a GPU); and every Python sample is listed where a
user looks for it."""

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
    assert "(4, 10) in" in printed, "the kiln.tools example printed no output shape"
    assert namespace["context"].profiler.times, "the profiler example received no step"


def test_every_python_sample_is_listed():
    """Each script of samples/python is in docs/python.md's and the README's sample lists and has a test."""
    samples_dir = SOURCE_DIR / "samples" / "python"
    shared_modules = {"sample_common.py", "sample_test_support.py"}
    samples = [p.name for p in samples_dir.glob("*.py")
               if not p.name.startswith("test_") and p.name not in shared_modules]
    assert len(samples) >= 4
    listed = (SOURCE_DIR / "docs" / "python.md").read_text(), (SOURCE_DIR / "README.md").read_text(), \
        (samples_dir / "README.md").read_text()
    for sample in samples:
        assert all(f"`{sample}`" in text or f"{sample} —" in text for text in listed), sample
        assert (samples_dir / f"test_{sample}").exists(), sample
