"""What the samples' tests share: running a sample as a user does (a child interpreter from any directory) and
reading the verdict it prints."""

import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def run_sample(script, *args, cwd=None):
    """Runs samples/python/<script> with args; answers (exit status, stdout)."""
    completed = subprocess.run([sys.executable, str(HERE / script), *map(str, args)], capture_output=True, text=True,
                               cwd=cwd, env=dict(os.environ), timeout=600)
    return completed.returncode, completed.stdout + completed.stderr


def assert_passed(status, output, name):
    lines = output.strip().splitlines()
    assert status == 0 and lines[-1] == f"&&&& PASSED {name}", output
