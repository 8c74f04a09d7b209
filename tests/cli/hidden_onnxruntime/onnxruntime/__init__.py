"""Makes `import onnxruntime` fail as where it is not installed, for testing that `kiln compare` skips it."""
raise ImportError("No module named 'onnxruntime' (hidden for this test)", name="onnxruntime")
