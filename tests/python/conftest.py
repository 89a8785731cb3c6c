"""The Python module's tests (ctest `python`): the package from the build tree
(PYTHONPATH=build/python, set by tests/CMakeLists.txt), the command line beside it
(LIGHTLANE_BINARY), the repository's scenarios (LIGHTLANE_SOURCE_DIR)."""

import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("LIGHTLANE_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("LIGHTLANE_BINARY", str(SOURCE_DIR / "build" / "lightlane"))


@pytest.fixture
def scenarios():
    return SOURCE_DIR / "scenarios"


@pytest.fixture
def command_line():
    """Runs `lightlane ARGS...`; returns the CompletedProcess (text)."""
    def run(*args, check=True):
        return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True,
                              check=check)
    return run
