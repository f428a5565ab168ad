"""The wheel, installed as an operator installs it: with pipx, into a venv of its own, then
run from an empty folder. It must carry everything `steward init` and `policy check` read
(templates, static files, migrations, the example policies), and without the demo extra
`steward demo` says which extra it needs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wheel_of_this_tree(work: Path) -> Path:
    """The wheel built from a clean copy of the source (a build/ folder left in the tree by
    an earlier build could slip stale files into it)."""
    source = work / "source"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "steward", source / "steward", symlinks=True, ignore=skip)
    shutil.copytree(ROOT / "examples", source / "examples")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [BIN / "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist", source],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    return next((work / "dist").glob("steward_desk-*.whl"))


def test_the_wheel_installs_with_pipx_and_runs_from_an_empty_folder(tmp_path):
    wheel = wheel_of_this_tree(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEWARD_", "PIPX_"))}
    env |= {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    # pipx's own pip, kept between runs (.cache/ is git-ignored): the app's venv is new.
    env["PIPX_SHARED_LIBS"] = str(ROOT / ".cache" / "pipx-shared")
    # --no-compile: Python writes the bytecode it needs on first use; compiling every
    # dependency up front would double the install's time here.
    installed = subprocess.run(
        [BIN / "pipx", "install", "--pip-args=--no-compile", wheel],
        env=env,
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    steward = tmp_path / "bin" / "steward"
    folder = tmp_path / "empty"
    folder.mkdir()

    def run(*args):
        return subprocess.run(
            [steward, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120
        )

    assert "init" in run("--help").stdout
    initialised = run("init")
    assert initialised.returncode == 0, initialised.stderr
    assert "database ready" in initialised.stdout
    checked = run("policy", "check")
    assert checked.returncode == 0, checked.stderr
    demo = run("demo")
    assert demo.returncode == 1
    assert demo.stderr.strip().splitlines() == [
        "error: steward demo needs Faker, which the demo extra brings: "
        "pip install 'steward-desk[demo]'"
    ]
