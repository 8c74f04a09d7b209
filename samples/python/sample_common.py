"""What the Python samples share: where the bundled models and digits are, the MNIST reader and the last line
each prints ("&&&& PASSED <name>" or "&&&& FAILED <name>"), as the C++ samples do."""

import gzip
import pathlib
import sys

import numpy as np

SAMPLES_DIR = pathlib.Path(__file__).resolve().parents[1]
MODELS = SAMPLES_DIR / "models"
MNIST_DIR = SAMPLES_DIR / "data" / "mnist"
# The bundled models were trained on the first 8,000 test digits; the last 2,000 were never seen.
HELD_OUT_FIRST = 8000


def load_mnist(first=HELD_OUT_FIRST, count=2000, datadir=MNIST_DIR):
    """count test digits from index first: images (count x 1 x 28 x 28, float32 in [0, 1]) and labels."""
    datadir = pathlib.Path(datadir)
    with gzip.open(datadir / "t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(datadir / "t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return images[first:first + count].astype(np.float32) / 255.0, labels[first:first + count].astype(np.int64)


def finish(name, passed):
    """Prints the sample's verdict as its last line and answers the exit status."""
    print(f"&&&& {'PASSED' if passed else 'FAILED'} {name}", flush=True)
    return 0 if passed else 1


def run(name, main):
    """Runs main(argv) -> bool, turning an exception into a FAILED verdict with its message."""
    try:
        passed = main(sys.argv[1:])
    except Exception as error:  # noqa: BLE001 - the sample reports any failure the same way
        print(f"[E] {type(error).__name__}: {error}")
        passed = False
    sys.exit(finish(name, passed))
