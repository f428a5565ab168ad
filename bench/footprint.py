"""Footprint: what installing Steward weighs, how soon `steward serve` answers and how much
memory it holds, each beside a baseline measured in the same run.

- Install: the wheel (with its runtime dependencies) into a fresh venv, minus that venv
  bare; twice: as pip leaves it (with the bytecode it compiles) and with --no-compile (the
  files alone). Baseline: the bare venv itself.
- Ready: from starting `steward serve` on an initialised folder (SQLite) to the first 200
  on /privacy. RSS: the server's resident memory after a round of requests to a page, the
  policy API and the health route. Baseline: uvicorn serving a one-route FastAPI app from
  the same interpreter, timed and measured the same way.

    .venv/bin/python bench/footprint.py [--skip-install] [--rounds N]

Figures are wall-clock and depend on what else the machine runs: the load average is
printed beside them.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ("/privacy", "/api/v1/policy", "/api/v1/health", "/privacy/cookies", "/sign-in")
LEFT_OUT = ("__pycache__", ".*", "build", "dist", "tests", "docs", "bench", "*.db*", "*.key")
BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    app = FastAPI()

    @app.get("/privacy")
    def privacy() -> dict[str, str]:
        return {"ok": "yes"}
    """
)


def du_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
    return total / 1e6


def install_sizes(work: Path) -> None:
    wheel_dir, source = work / "wheel", work / "source"
    # From a clean copy: a build/ folder in the checkout could slip stale files in.
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(*LEFT_OUT))
    subprocess.run(
        [BIN / "pip", "wheel", "--quiet", "--no-deps", "-w", wheel_dir, source],
        check=True,
        capture_output=True,
    )
    wheel = next(wheel_dir.glob("*.whl"))
    bare = work / "bare"
    subprocess.run([sys.executable, "-m", "venv", bare], check=True)
    bare_mb = du_mb(bare)
    print(f"wheel {wheel.name}: {wheel.stat().st_size / 1e6:.1f} MB")
    print(f"bare venv (baseline): {bare_mb:.0f} MB")
    for label, extra in (("pip install", []), ("pip install --no-compile", ["--no-compile"])):
        venv = work / f"venv{len(extra)}"
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run(
            [venv / "bin" / "pip", "install", "--quiet", *extra, wheel],
            check=True,
            capture_output=True,
        )
        total = du_mb(venv)
        print(f"{label}: {total:.0f} MB, runtime install {total - bare_mb:.0f} MB")
        site = next(venv.glob("lib/python*/site-packages"))
        biggest = sorted(((du_mb(p), p.name) for p in site.iterdir() if p.is_dir()), reverse=True)
        print("  largest: " + ", ".join(f"{name} {mb:.0f}" for mb, name in biggest[:8]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used: unlike wall time, hardly changed by what
    else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            answer.read()
            return int(answer.status)
    except OSError:
        return 0


def serve_once(
    command: list[str], cwd: Path, port: int, paths: tuple[str, ...]
) -> tuple[float, float]:
    """Seconds from start to the first 200 on paths[0], and RSS after a round of requests."""
    env = {**os.environ, "STEWARD_PORT": str(port)}
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    try:
        while get(f"http://127.0.0.1:{port}{paths[0]}") != 200:
            if server.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"{command[0]} did not start")
            time.sleep(0.01)
        ready, cpu = time.perf_counter() - started, cpu_seconds(server.pid)
        for _ in range(5):
            for path in paths:
                get(f"http://127.0.0.1:{port}{path}")
        return ready, cpu, rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)


def serving(work: Path, rounds: int) -> None:
    folder = work / "serve"
    folder.mkdir()
    subprocess.run([BIN / "steward", "init"], cwd=folder, check=True, capture_output=True)
    (work / "bare_app.py").write_text(BARE_APP)
    cases = {
        "steward serve": lambda port: ([str(BIN / "steward"), "serve"], folder, PAGES),
        "bare FastAPI on uvicorn": lambda port: (
            [str(BIN / "uvicorn"), "--port", str(port), "--log-level", "warning", "bare_app:app"],
            work,
            ("/privacy",),
        ),
    }
    figures = {}
    for name, case in cases.items():
        runs = []
        for _ in range(rounds):
            port = free_port()
            command, cwd, paths = case(port)
            runs.append(serve_once(command, cwd, port, paths))
        figures[name] = tuple(statistics.median(r[i] for r in runs) for i in range(3))
    print(f"\nserving (median of {rounds}; load average {os.getloadavg()[0]:.1f}):")
    print(f"{'':26} {'ready':>8} {'CPU':>8} {'RSS':>8}")
    for name, (ready, cpu, rss) in figures.items():
        print(f"{name:26} {ready:7.2f}s {cpu:7.2f}s {rss:6.0f}MB")
    ours, bare = figures.values()
    print(f"{'ratio':26} " + " ".join(f"{a / b:7.1f}x" for a, b in zip(ours, bare, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-install", action="store_true", help="Only time serving.")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="steward-footprint-"))
    try:
        if not args.skip_install:
            install_sizes(work)
        serving(work, args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
