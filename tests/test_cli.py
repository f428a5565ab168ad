"""`steward init`, `steward serve` and `--help`, run as a user runs them: as processes."""

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from steward.vault.keyring import Keyring

STEWARD = str(Path(sys.executable).parent / "steward")


def run(args, cwd, env=None, **kwargs):
    return subprocess.run(
        [STEWARD, *args],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_lists_the_commands(tmp_path):
    result = run(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("init", "serve", "policy", "keys", "audit", "accounts"):
        assert command in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_every_command_has_help(tmp_path):
    for command in (
        ["init"],
        ["serve"],
        ["policy", "check"],
        ["policy", "render"],
        ["policy", "ropa"],
        ["policy", "diff"],
    ):
        result = run([*command, "--help"], tmp_path)
        assert result.returncode == 0, command
        assert "Usage:" in result.stdout


def test_init_creates_database_key_and_policy_in_the_data_directory(tmp_path):
    result = run(["init"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created policy.yaml from houston-generator.yaml" in result.stdout
    key = tmp_path / "steward.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    keyring = Keyring.load(key)
    assert len(keyring.master_keys) == 1 and len(keyring.master_keys[0]) == 32
    assert (tmp_path / "steward.db").exists()
    assert (tmp_path / "policy.yaml").read_text().startswith("# Policy of a Houston")


def test_init_again_keeps_the_key_and_the_policy(tmp_path):
    run(["init"], tmp_path)
    key = (tmp_path / "steward.key").read_bytes()
    (tmp_path / "policy.yaml").write_text(
        (tmp_path / "policy.yaml").read_text().replace("Dana Whitfield", "Sam Okafor")
    )
    result = run(["init"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created" not in result.stdout
    assert (tmp_path / "steward.key").read_bytes() == key
    assert "Sam Okafor" in (tmp_path / "policy.yaml").read_text()


def test_init_with_a_broken_policy_says_why_and_creates_no_database(tmp_path):
    (tmp_path / "policy.yaml").write_text("version: [\n")
    result = run(["init"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("policy.yaml:")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "steward.db").exists()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("STEWARD_BANNER_ORIGINS", "www.example.com/", "is not an origin"),
        ("STEWARD_PORT", "eighty", "valid integer"),
        ("STEWARD_TRUSTED_PROXIES", "127.0.0.1,proxy.local", "not an IP address or network"),
    ],
)
def test_a_wrong_setting_is_named_without_a_traceback(tmp_path, name, value, says):
    result = run(["init"], tmp_path, env=clean_env(**{name: value}))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {name}:") and says in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "steward.db").exists()


def test_serve_binds_localhost_serves_the_policy_quietly_and_writes_only_its_data_dir(tmp_path):
    assert run(["init"], tmp_path).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [STEWARD, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/privacy", process)
        assert "Privacy policy of Houston Generator Company" in body
        assert _listening_addresses(port) == {"127.0.0.1"}
    finally:
        process.terminate()
        out, err = process.communicate(timeout=20)
    assert out.strip() == f"Steward serving on http://127.0.0.1:{port} (Ctrl+C to stop)"
    assert "warning" not in err.lower()
    assert "Traceback" not in err
    written = {p.name for p in tmp_path.iterdir()}
    assert written <= {
        "policy.yaml",
        "steward.key",
        "steward.db",
        "steward.db-wal",
        "steward.db-shm",
    }


def test_serve_before_init_says_what_to_do(tmp_path):
    result = run(["serve", "--port", str(free_port())], tmp_path)
    assert result.returncode == 1
    assert result.stderr == "error: policy.yaml does not exist; run `steward init` first\n"
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_more_than_one_process_on_sqlite(tmp_path):
    assert run(["init"], tmp_path).returncode == 0
    result = run(["serve", "--workers", "2", "--port", str(free_port())], tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "error: --workers above 1 needs PostgreSQL: SQLite takes one writer at a time, "
        "one process\n"
    )


def _listening_addresses(port: int) -> set[str]:
    """IPv4 and IPv6 addresses with a socket listening on `port`, read from /proc/net."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            pytest.skip("needs Linux /proc/net to see listening sockets")
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                else:
                    found.add(address)
    return found


def _wait_for(url: str, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"server exited: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return str(response.read().decode())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not answer within 30 s")


def test_init_can_start_from_another_example(tmp_path):
    example = Path(__file__).resolve().parent.parent / "examples" / "printo-gens.yaml"
    result = run(["init", "--from", str(example)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "policy 1.0 of Printo Gens" in result.stdout
    assert (tmp_path / "policy.yaml").read_text() == example.read_text()


def test_init_from_a_missing_file_says_so(tmp_path):
    result = run(["init", "--from", "nope.yaml"], tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "error: policy.yaml does not exist and nope.yaml cannot be copied; pass --from FILE\n"
    )
    assert list(tmp_path.iterdir()) == []
