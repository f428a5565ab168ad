"""Every process sees the same state: a real `steward serve` takes up a policy published, a
master key rotated and a session revoked by other processes, without a restart."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from steward.core.db import make_engine, release
from steward.core.settings import Settings
from steward.vault.keyring import Keyring
from steward.vault.models import DataKey
from steward.web.app import create_app
from tests.people import customer, sign_in
from tests.policy.publish_kit import material_change

STEWARD = str(Path(sys.executable).parent / "steward")
EMAIL = "ada@example.com"


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    env.update(
        STEWARD_DATABASE_URL=settings.database_url,
        STEWARD_POLICY=str(settings.policy),
        STEWARD_KEY_FILE=str(settings.key_file),
        STEWARD_SMTP_URL=settings.smtp_url or "",
    )
    return env


def steward(settings: Settings, *args: str) -> str:
    """Run a command as its own process, as an operator does beside the running server."""
    done = subprocess.run(
        [STEWARD, *args],
        env=_env(settings),
        cwd=settings.policy.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def server(identity_settings: Settings, tmp_path: Path) -> Iterator[httpx.Client]:
    """A client of `steward serve` running as a process of its own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [STEWARD, "serve", "--port", str(port)],
            env=_env(identity_settings),
            cwd=identity_settings.policy.parent,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert process.poll() is None, log.read_text()
            try:
                httpx.get(f"{base}/privacy", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        with httpx.Client(base_url=base, timeout=20) as client:
            yield client
    finally:
        process.terminate()
        process.wait(timeout=20)


def within_a_few_seconds(condition) -> None:
    """The server looks at the shared state once a second: wait for what it must take up."""
    for _ in range(100):
        if condition():
            return
        time.sleep(0.05)
    assert condition()


def test_a_running_server_serves_a_published_policy_and_refuses_a_revoked_session(
    identity_settings, server, mailbox, tmp_path
):
    customer(server, mailbox, EMAIL)
    assert server.get("/portal", follow_redirects=False).status_code == 200
    assert "Mailgun" not in server.get("/privacy").text

    new = material_change(identity_settings.policy, tmp_path / "new.yaml")
    steward(identity_settings, "policy", "publish", str(new))

    within_a_few_seconds(lambda: "Mailgun" in server.get("/privacy").text)
    assert server.get("/consent/config.json").json()["policy_version"] == "1.1"
    asked = server.get("/portal", follow_redirects=False)  # a material change is enforced
    assert asked.headers["location"] == "/privacy/accept?next=/portal"

    app = create_app(identity_settings)  # another process, as a second server would be
    try:
        with TestClient(app) as elsewhere:
            assert sign_in(elsewhere, EMAIL).status_code == 200
            assert elsewhere.post("/api/v1/auth/sign-out-everywhere").status_code == 200
    finally:
        release(app.state.sessions.kw["bind"])
    assert server.get("/api/v1/me").status_code == 401  # at once: no cache to wait for


def test_a_person_made_after_a_rotation_is_wrapped_by_the_new_key_and_old_data_opens(
    identity_settings, server, mailbox
):
    customer(server, mailbox, EMAIL)
    first = server.get("/api/v1/me").json()
    old_id = Keyring.load(identity_settings.key_file).current_id

    output = steward(identity_settings, "keys", "rotate")
    new_id = Keyring.load(identity_settings.key_file).current_id
    assert new_id != old_id and "old master key is gone" in output

    second = httpx.Client(base_url=str(server.base_url), timeout=20)
    with second:
        customer(second, mailbox, "grace@example.com")
        made = second.get("/api/v1/me").json()
    engine = make_engine(identity_settings.database_url)
    try:
        with engine.connect() as connection:
            wrapped_by = dict(
                connection.execute(select(DataKey.person_id, DataKey.master_key_id)).all()
            )
    finally:
        release(engine)
    assert wrapped_by[made["person_id"]] == new_id
    assert wrapped_by[first["person_id"]] == new_id  # re-wrapped by the rotation
    assert server.get("/api/v1/me").json()["email"] == EMAIL
