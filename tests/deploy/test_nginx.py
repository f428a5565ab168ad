"""The shipped deploy/nginx.conf, run by Debian's nginx over TLS in front of real `steward
serve` processes: two on PostgreSQL (STEWARD_TEST_DATABASE_URL), one on SQLite otherwise.
Through it: health and readiness, the security headers and HTTPS kept, Secure cookies, the
requests spread over the processes, and a password spray that forges X-Forwarded-For still
throttled. Without /usr/sbin/nginx the proxy test is skipped, except under CI=true, where it
fails (`make test` installs nginx). Every process is stopped when the test ends."""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from steward.core.db import release
from steward.core.settings import Settings
from steward.identity.bootstrap import create_admin
from steward.vault.keyring import Keyring
from steward.web.app import create_app
from tests.conftest import DEFAULT_EXAMPLE, _postgres_database
from tests.deploy.nginx_kit import NGINX, main_config, self_signed, site_for_test
from tests.people import PASSWORD, process_environment
from tests.web.test_security_headers import assert_protected

STEWARD = str(Path(sys.executable).parent / "steward")
ADMIN = "admin@example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str


def ask(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    sent = {"Content-Type": "application/json", **(headers or {})} if body else headers or {}
    try:
        connection.request(method, path, json.dumps(body) if body else None, sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read().decode())
    finally:
        connection.close()


# ---- Steward processes ------------------------------------------------------------------


def installation(data: Path, database_url: str) -> Settings:
    """The settings of the installation in `data`, as its `steward serve` processes get them."""
    return Settings(
        database_url=database_url,
        policy=data / "policy.yaml",
        key_file=data / "steward.key",
        files_dir=data / "files",
        backup_dir=data / "backups",
    )


def prepare(data: Path, database_url: str) -> None:
    """A new installation, as `steward init` leaves it, with an admin. Made in this process:
    the servers' starts are what the test is about, not the commands'."""
    shutil.copyfile(DEFAULT_EXAMPLE, data / "policy.yaml")
    Keyring.generate().save(data / "steward.key")
    app = create_app(
        installation(data, database_url)
    )  # migrates the database and records the policy
    try:
        with app.state.runtime.session() as session:
            create_admin(session, ADMIN, "Grace Hopper", PASSWORD)
    finally:
        release(app.state.sessions.kw["bind"])


def wait_until_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"steward serve exited: {log.read_text()}")
        try:
            if ask(http.client.HTTPConnection("127.0.0.1", port), "GET", "/api/v1/ready").status:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("steward serve was not ready within 60 s")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """`serve(env, count)`: start `steward serve` processes, ready; answers their ports."""
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str], count: int) -> list[int]:
        begun = []
        for _ in range(count):
            port, log = free_port(), tmp_path / f"steward-{len(started)}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [STEWARD, "serve", "--port", str(port)],
                    cwd=tmp_path,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(process)
            begun.append((port, process, log))
        for port, process, log in begun:
            wait_until_ready(port, process, log)
        return [port for port, _, _ in begun]

    yield start
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def spray(connect, guesses: int = 30) -> list[int]:
    """Wrong passwords for made-up accounts, each guess claiming another client address."""
    return [
        ask(
            connect(),
            "POST",
            "/api/v1/auth/sign-in",
            {"email": f"guess{n}@example.com", "password": "not the right password"},
            {"X-Forwarded-For": f"198.51.100.{n + 1}"},
        ).status
        for n in range(guesses)
    ]


def test_steward_serve_alone_believes_no_forwarded_address(tmp_path, serve):
    """With no STEWARD_TRUSTED_PROXIES, not even a client on 127.0.0.1 may pick the address
    the sign-in throttle counts it under (uvicorn's own default would believe it)."""
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    prepare(tmp_path, url)
    env = process_environment(installation(tmp_path, url))
    [port] = serve(env, 1)
    statuses = spray(lambda: http.client.HTTPConnection("127.0.0.1", port))
    assert statuses[:3] == [401] * 3
    assert statuses.count(429) > statuses.count(401)


# ---- nginx ------------------------------------------------------------------------------


def need_nginx() -> None:
    if not NGINX.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/sbin/nginx is missing: run `make nginx`")
        pytest.skip("nginx is not installed at /usr/sbin/nginx (`make nginx`)")


@dataclass
class Proxy:
    https: int
    http: int
    upstreams: list[int]
    trust: ssl.SSLContext
    access_log: Path

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.https, context=self.trust)

    def ask(self, method: str, path: str, body: dict | None = None) -> Answer:
        return ask(self.connect(), method, path, body)


@pytest.fixture
def database(request, tmp_path) -> Iterator[tuple[str, int]]:
    """The installation's database and how many Steward processes share it."""
    if not os.environ.get("STEWARD_TEST_DATABASE_URL") and os.environ.get("CI") != "true":
        yield f"sqlite:///{tmp_path / 'steward.db'}", 1  # SQLite serves from one process
        return
    databases = request.getfixturevalue("postgres_databases")
    name = databases.take()
    yield _postgres_database(name), 2
    databases.give_back(name)


@pytest.fixture
def proxy(tmp_path, database, serve) -> Iterator[Proxy]:
    need_nginx()
    url, processes = database
    prepare(tmp_path, url)
    env = process_environment(installation(tmp_path, url), STEWARD_TRUSTED_PROXIES="127.0.0.1")
    upstreams = serve(env, processes)
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    cert, key = self_signed(prefix)
    https, plain = free_port(), free_port()
    (prefix / "steward.conf").write_text(site_for_test(https, plain, upstreams, cert, key))
    (prefix / "nginx.conf").write_text(main_config(prefix))
    errors = prefix / "error.log"
    nginx = subprocess.Popen(
        [str(NGINX), "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(errors)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    found = Proxy(
        https, plain, upstreams, ssl.create_default_context(cafile=cert), prefix / "access.log"
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if nginx.poll() is not None:
                raise AssertionError(f"nginx exited: {errors.read_text()}")
            try:
                found.ask("GET", "/api/v1/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield found
    finally:
        nginx.terminate()  # SIGTERM: nginx's fast shutdown
        nginx.wait(timeout=20)


def test_nginx_in_front_of_steward_keeps_every_promise_of_the_edge(proxy):
    health = proxy.ask("GET", "/api/v1/health")
    assert (health.status, json.loads(health.text)) == (200, {"status": "ok"})
    ready = proxy.ask("GET", "/api/v1/ready")
    assert (ready.status, json.loads(ready.text)["status"]) == (200, "ready")

    # Pages carry the security headers, and HTTPS (told by nginx) is kept to.
    page = proxy.ask("GET", "/sign-in")
    assert page.status == 200
    assert_protected(page, https=True)  # http.client's headers, like httpx's, ignore case
    plain = ask(http.client.HTTPConnection("127.0.0.1", proxy.http), "GET", "/sign-in")
    assert plain.status == 301 and plain.headers["Location"].startswith("https://")
    signed_in = proxy.ask("POST", "/api/v1/auth/sign-in", {"email": ADMIN, "password": PASSWORD})
    assert signed_in.status == 200, signed_in.text
    cookies = signed_in.headers.get_all("Set-Cookie") or []
    assert len(cookies) == 2 and all("; secure" in c.lower() for c in cookies)

    # Requests are spread over every Steward process.
    for _ in range(6):
        assert proxy.ask("GET", "/api/v1/health").status == 200
    answered = set(proxy.access_log.read_text().split()) - {"-"}  # "-": the redirect
    assert answered == {f"127.0.0.1:{port}" for port in proxy.upstreams}

    # nginx overwrites X-Forwarded-For, so forged addresses do not escape the throttle.
    statuses = spray(proxy.connect)
    assert statuses[:3] == [401] * 3
    assert statuses.count(429) > statuses.count(401)
