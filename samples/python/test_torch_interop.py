"""torch_interop.py: on a machine with torch, a GPU and kiln's CUDA backend it passes (torch tensors in place
through DLPack); elsewhere it says which requirement is missing and exits 0."""

import torch_interop
from sample_test_support import assert_passed, run_sample


def test_the_sample_runs_or_says_why_not(tmp_path):
    status, output = run_sample("torch_interop.py", cwd=tmp_path)
    reason = torch_interop.missing_requirement()
    if reason is None:
        assert_passed(status, output, torch_interop.NAME)
        assert "input read in place: True; output shared with torch: True" in output
    else:
        assert status == 0
        assert output.strip() == (f"[W] SKIPPED: {reason}; this sample needs torch with a CUDA device and kiln's "
                                  "CUDA backend")
