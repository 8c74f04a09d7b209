"""`pip install --no-build-isolation .` builds the kiln Python module through CMake and installs the package with
libkiln beside it. Set KILN_CMAKE_ARGS for extra CMake arguments (e.g. -DKILN_ENABLE_CUDA=OFF) and
KILN_PYTHON_BUILD_DIR for the CMake build directory (default build-python, reused by later installs)."""

import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
BUILD_DIR = pathlib.Path(os.environ.get("KILN_PYTHON_BUILD_DIR", ROOT / "build-python")).resolve()


class CMakeExtension(Extension):
    """The compiled module, built by CMake rather than by setuptools."""

    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = BUILD_DIR
        configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                     f"-DPython3_EXECUTABLE={sys.executable}", "-DKILN_PYTHON=ON", "-DKILN_BUILD_TESTS=OFF"]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        configure += shlex.split(os.environ.get("KILN_CMAKE_ARGS", ""))
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "kiln_python_package", "-j",
                               str(os.cpu_count() or 1)])
        # The module finds libkiln and libkiln_onnx beside itself ($ORIGIN in its RPATH).
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(next((build_dir / "python" / "kiln").glob("_kiln*.so")), target)
        for library in ("src/libkiln.so", "src/onnx/libkiln_onnx.so"):
            soname = next(pathlib.Path(build_dir).glob(library + ".[0-9]"))
            shutil.copy2(soname, target.parent / soname.name)  # the file the link points to, under the soname


# setuptools' own files (egg-info, staging) go into the build directory too, so the checkout stays clean.
(BUILD_DIR / "setuptools").mkdir(parents=True, exist_ok=True)
setup(
    packages=["kiln"],
    package_dir={"kiln": "python/kiln"},
    package_data={"kiln": ["__init__.pyi", "tools.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("kiln._kiln")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
    options={"egg_info": {"egg_base": str(BUILD_DIR / "setuptools")},
             "build": {"build_base": str(BUILD_DIR / "setuptools")}},
)
