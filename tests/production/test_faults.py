"""Faults a production server meets: a server process killed under load, PostgreSQL going
away and coming back, a stop while a request is under way. Every answered write must be kept,
the audit trail must verify, and an outage must be answered with a problem, not a trace."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from steward.core.db import make_engine, release
from tests.people import PASSWORD, customer, free_port, process_environment

STEWARD = str(Path(sys.executable).parent / "steward")
POSTGRESQL_ONLY = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


class Server:
    """`steward serve --workers N` as an operator starts it."""

    def __init__(self, settings, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [STEWARD, "serve", "--port", str(self.port), "--workers", str(workers)],
            cwd=settings.policy.parent,
            env=process_environment(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.workers = workers

    def children(self) -> list[int]:
        """The server processes, not counting multiprocessing's resource tracker."""
        found = []
        pids = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        for pid in map(int, pids.split()):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"spawn_main" in command:
                found.append(pid)
        return found

    def wait_ready(self) -> None:
        """Until every process answers: each one connects to the database at its start."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()[1]
            try:
                answer = httpx2.get(f"{self.url}/privacy", timeout=5)
                if answer.status_code == 200 and len(self.children()) == self.workers:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not start within 60 s")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=60)
        return self.process.returncode, err


def wait_until(condition, what: object = None, seconds: float = 120) -> None:
    """Poll until `condition()` holds; fail, saying `what`, rather than hang the suite."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {seconds} s: {what}"
        time.sleep(0.05)


def signed_in(url: str, email: str) -> httpx2.Client:
    browser = httpx2.Client(base_url=url, timeout=120)  # the machine may be busy
    answer = browser.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    browser.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return browser


@POSTGRESQL_ONLY
def test_killing_one_of_two_server_processes_loses_no_answered_write(
    client, mailbox, identity_settings
):
    customer(client, mailbox, "ada@example.com")
    server = Server(identity_settings, workers=2)
    tickets: list[int] = []
    replies: list[str] = []
    failures: list[str] = []
    stop = threading.Event()
    browsers: list[httpx2.Client] = []

    def write(browser: httpx2.Client) -> None:
        while not stop.is_set():
            try:
                opened = browser.post(
                    "/api/v1/tickets", json={"subject": "Generator", "body": "It stalls."}
                )
                if opened.status_code != 201:
                    failures.append(str(opened.status_code))
                    continue
                tickets.append(opened.json()["id"])
                reply = browser.post(
                    f"/api/v1/tickets/{opened.json()['id']}/messages",
                    json={"body": "Still stalling."},
                )
                if reply.status_code == 201:
                    replies.append(reply.json()["id"])
                else:
                    failures.append(str(reply.status_code))
            except httpx2.TransportError as error:
                failures.append(type(error).__name__)

    try:
        server.wait_ready()
        browsers.extend(signed_in(server.url, "ada@example.com") for _ in range(4))
        threads = [threading.Thread(target=write, args=(b,)) for b in browsers]
        for thread in threads:
            thread.start()
        wait_until(lambda: len(tickets) >= 20, failures)
        os.kill(server.children()[0], signal.SIGKILL)
        before = len(tickets)
        # The other process, then a new one, serve on.
        wait_until(lambda: len(tickets) >= before + 20, failures)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        code, err = server.stop()
        for browser in browsers:
            browser.close()
    assert code == 0 and "Traceback" not in err
    cut_off = ("RemoteProtocolError", "ReadError", "ConnectError")  # the killed process's
    assert all(f in cut_off for f in failures), failures

    engine = make_engine(identity_settings.database_url)
    try:
        with engine.connect() as connection:
            kept_tickets = set(connection.execute(text("SELECT id FROM tickets")).scalars())
            kept_replies = set(connection.execute(text("SELECT id FROM messages")).scalars())
    finally:
        release(engine)
    assert set(tickets) <= kept_tickets
    assert set(replies) <= kept_replies
    verify = subprocess.run(
        [STEWARD, "audit", "verify"],
        env=process_environment(identity_settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


@POSTGRESQL_ONLY
def test_a_request_under_way_when_the_server_is_stopped_is_answered(
    client, mailbox, identity_settings
):
    customer(client, mailbox, "ada@example.com")
    server = Server(identity_settings, workers=2)
    engine = make_engine(identity_settings.database_url)
    answers: list[httpx2.Response] = []
    try:
        server.wait_ready()
        with closing(signed_in(server.url, "ada@example.com")) as browser, engine.connect() as db:
            db.execute(text("LOCK TABLE tickets IN EXCLUSIVE MODE"))  # holds the request...
            request = threading.Thread(
                target=lambda: answers.append(
                    browser.post("/api/v1/tickets", json={"subject": "Pump", "body": "Leaks."})
                )
            )
            request.start()
            wait_until(lambda: db.execute(text(WAITING), {"db": db.engine.url.database}).scalar())
            processes = server.children()
            server.process.send_signal(signal.SIGTERM)  # ...while the server is told to stop
            # The idle process has stopped: both had the signal.
            wait_until(lambda: not all(running(pid) for pid in processes))
            db.commit()
            request.join()
    finally:
        code, err = server.stop()
        release(engine)
    assert answers[0].status_code == 201
    assert code == 0 and "Traceback" not in err


WAITING = "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'"


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@POSTGRESQL_ONLY
def test_while_postgresql_is_down_requests_get_a_503_problem_and_then_succeed_again(
    app, client, mailbox, identity_settings, postgres_admin
):
    customer(client, mailbox, "ada@example.com")
    opened = client.post("/api/v1/tickets", json={"subject": "Generator", "body": "It stalls."})
    assert opened.status_code == 201
    database = make_url(identity_settings.database_url).database

    with postgres_admin.connect() as admin:
        # What a restart does to a running server: every connection cut, none accepted.
        admin.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
        try:
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": database},
            )
            refused = client.post(
                "/api/v1/tickets", json={"subject": "Generator", "body": "Still stalls."}
            )
            page = client.get("/portal")
        finally:
            admin.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))

    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"]
    assert refused.json()["title"] == "Service unavailable"
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "Service unavailable" in page.text
    for answer in (refused, page):
        assert "ada@example.com" not in answer.text and "Traceback" not in answer.text
    again = client.post("/api/v1/tickets", json={"subject": "Generator", "body": "Still."})
    assert again.status_code == 201  # the same app, no restart
    assert client.get(f"/api/v1/tickets/{opened.json()['id']}").status_code == 200
