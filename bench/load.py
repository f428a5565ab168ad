"""Load: real `steward serve` processes with the demo business under a mix of real users,
beside a bare app doing the same database work, driven by Locust (headless, as a library).

For each set-up (SQLite with one process; PostgreSQL with 1, 2 and 4), in a fresh data
directory and database: `steward init`, `steward demo`, then `steward serve --workers N` and
the bare app (bench/bare_app.py, served by uvicorn with as many processes) in turn, each
under `--clients` users for `--seconds`. Customers (three of four users), signed in as the
demo's customers: their portal page, their tickets, opening a ticket, replying to it, a
cookie-banner choice, a rights request (anonymous, as the privacy center sends it). Agents,
signed in with MFA: the desk's queue page and the queue through the API. Prints requests
per second, p50, p99 and errors for both, and the ratio.

Run: .venv/bin/python bench/load.py [--clients N] [--seconds N] [--setups sqlite:1,postgresql:2] [--detail]
     [--through-nginx]   (both servers behind Debian's nginx with deploy/nginx.conf, over TLS)
PostgreSQL set-ups need STEWARD_TEST_DATABASE_URL (each runs in a throwaway schema).
Needs the bench extra: pip install -e '.[bench]'.
"""
# ruff: noqa: E402  (gevent must patch the standard library before anything imports ssl)

from gevent import monkey

monkey.patch_all()

import argparse
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import pyotp
import requests
from kit import POLICY, ROOT, schema_in
from locust import FastHttpUser, between, task
from locust.env import Environment

from steward.consent.banner import config
from steward.policy.loader import load_policy

sys.path.insert(0, str(ROOT))  # the proxy test's kit: the shipped nginx.conf, run locally
from tests.deploy.nginx_kit import NGINX, main_config, self_signed, site_for_test

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Visitor:
    """A signed-in browser's session, handed to Locust users."""

    role: str
    person_id: str
    cookie: str
    csrf: str


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(command: list[str], env: dict[str, str], ready: str) -> Iterator[None]:
    """A server process, until it answers `ready`; stopped with SIGTERM afterwards."""
    started = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if started.poll() is not None:
                raise SystemExit(f"{command[0]} exited with {started.returncode}")
            try:
                if requests.get(ready, timeout=5).status_code < 500:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield
    finally:
        started.terminate()
        started.wait(60)


def sign_in(url: str, email: str, password: str, secret: str | None) -> Visitor:
    browser = requests.Session()
    if VERIFY:  # nginx's own certificate, over a CA bundle the environment may name
        browser.trust_env, browser.verify = False, VERIFY[0]
    answer = browser.post(f"{url}/api/v1/auth/sign-in", json={"email": email, "password": password})
    answer.raise_for_status()
    csrf = answer.json()["csrf_token"]
    if secret:
        code = pyotp.TOTP(secret).now()
        passed = browser.post(
            f"{url}/api/v1/auth/mfa", json={"code": code}, headers={"X-CSRF-Token": csrf}
        )
        passed.raise_for_status()
    me = browser.get(f"{url}/api/v1/me").json()
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    return Visitor(answer.json()["role"], me.get("person_id") or me["id"], cookie, csrf)


def demo_accounts(output: str) -> tuple[str, dict[str, str | None]]:
    """The demo's password and its customers' and agents' emails (with MFA secrets)."""
    password = re.search(r"with the password: (\S+)", output)
    if password is None:
        raise SystemExit(f"steward demo printed no password:\n{output}")
    accounts: dict[str, str | None] = {}
    for email, secret in re.findall(r"^\s+(?:customer|agent)\s+(\S+)\s+(.*)$", output, re.M):
        found = re.search(r"MFA secret (\S+)", secret)
        accounts[email] = found.group(1) if found else None
    return password.group(1), accounts


def make_users(visitors: list[Visitor], consent: dict[str, Any]) -> list[type[FastHttpUser]]:
    customers = itertools.cycle([v for v in visitors if v.role == "customer"])
    agents = itertools.cycle([v for v in visitors if v.role != "customer"])

    class Signed(FastHttpUser):
        abstract = True
        wait_time = between(0, 0)
        visitor: Visitor

        def headers(self) -> dict[str, str]:
            v = self.visitor
            return {
                "Cookie": v.cookie,
                "X-CSRF-Token": v.csrf,
                "X-Person": v.person_id,
                "X-Role": v.role,
            }

    class Customer(Signed):
        weight = 3
        ticket: int | None = None

        def on_start(self) -> None:
            self.visitor = next(customers)

        @task(3)
        def portal(self) -> None:
            self.client.get("/portal", headers=self.headers())

        @task(2)
        def my_tickets(self) -> None:
            self.client.get("/api/v1/tickets", headers=self.headers())

        @task(2)
        def open_ticket(self) -> None:
            body = {"subject": "The generator stalls", "body": "It stalls under load."}
            answer = self.client.post("/api/v1/tickets", json=body, headers=self.headers())
            if answer.status_code == 201:
                self.ticket = answer.json()["id"]

        @task(2)
        def reply(self) -> None:
            if self.ticket is None:
                return self.open_ticket()
            self.client.post(
                f"/api/v1/tickets/{self.ticket}/messages",
                json={"body": "Still stalling this morning."},
                headers=self.headers(),
                name="/api/v1/tickets/[id]/messages",
            )

        @task(1)
        def cookie_choice(self) -> None:
            self.client.post("/api/v1/consent", json={**consent, "browser_id": str(uuid.uuid4())})

        @task(1)
        def rights_request(self) -> None:
            email = f"asker{random.randrange(10**9)}@example.com"
            self.client.post("/api/v1/rights", json={"kind": "access", "email": email})

    class Agent(Signed):
        weight = 1

        def on_start(self) -> None:
            self.visitor = next(agents)

        @task(1)
        def queue_page(self) -> None:
            self.client.get("/desk", headers=self.headers())

        @task(1)
        def queue(self) -> None:
            self.client.get("/api/v1/tickets", headers=self.headers())

    return [Customer, Agent]


@dataclass(frozen=True)
class Figures:
    rate: float
    p50: float
    p99: float
    requests: int
    errors: int


def swarm(
    url: str, users: list[type[FastHttpUser]], clients: int, seconds: int, detail: bool = False
) -> Figures:
    environment = Environment(user_classes=users, host=url)
    runner = environment.create_local_runner()
    runner.start(clients, spawn_rate=clients)
    gevent.sleep(2)  # every user started and warm: then measure
    environment.stats.reset_all()
    gevent.sleep(seconds)
    total = environment.stats.total
    figures = Figures(
        rate=total.num_requests / seconds,
        p50=total.get_response_time_percentile(0.5),
        p99=total.get_response_time_percentile(0.99),
        requests=total.num_requests,
        errors=total.num_failures,
    )
    if detail:
        for entry in sorted(environment.stats.entries.values(), key=lambda e: e.name):
            print(
                f"    {entry.method} {entry.name}: {entry.num_requests / seconds:.1f}/s, "
                f"p50 {entry.get_response_time_percentile(0.5):.0f} ms, "
                f"p99 {entry.get_response_time_percentile(0.99):.0f} ms"
            )
    for error in environment.stats.errors.values():
        print(f"    {error.occurrences} x {error.method} {error.name}: {error.error}"[:160])
    runner.quit()
    return figures


VERIFY: list[str] = []  # the certificate nginx presents, when the run goes through it


@contextmanager
def front(port: int, through_nginx: bool, folder: Path) -> Iterator[str]:
    """The address the users call: the server itself, or nginx with the shipped site file
    (TLS, X-Forwarded-For overwritten) in front of it."""
    if not through_nginx:
        yield f"http://127.0.0.1:{port}"
        return
    prefix = folder / f"nginx-{port}-{uuid.uuid4().hex[:6]}"
    prefix.mkdir()
    cert, key = self_signed(prefix)
    https, plain = free_port(), free_port()
    (prefix / "steward.conf").write_text(site_for_test(https, plain, [port], cert, key))
    (prefix / "nginx.conf").write_text(main_config(prefix).replace("access_log", "# access_log"))
    VERIFY[:] = [str(cert)]
    nginx = subprocess.Popen([str(NGINX), "-p", str(prefix), "-c", str(prefix / "nginx.conf")])
    try:
        target = f"https://127.0.0.1:{https}"
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{target}/api/v1/health", verify=str(cert), timeout=5)
                break
            except requests.ConnectionError:
                if nginx.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("nginx did not start") from None
                time.sleep(0.1)
        yield target
    finally:
        nginx.terminate()
        nginx.wait(20)


def run(
    kind: str,
    workers: int,
    clients: int,
    seconds: int,
    base_url: str,
    detail: bool,
    through_nginx: bool = False,
) -> None:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = (
            f"sqlite:///{folder / 'steward.db'}"
            if kind == "sqlite"
            else stack.enter_context(schema_in(base_url))
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
        env.update(
            STEWARD_DATABASE_URL=url,
            STEWARD_POLICY=str(folder / "policy.yaml"),
            STEWARD_KEY_FILE=str(folder / "steward.key"),
            STEWARD_FILES_DIR=str(folder / "files"),
            STEWARD_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        )
        if through_nginx:
            env["STEWARD_TRUSTED_PROXIES"] = "127.0.0.1"
        steward = str(BIN / "steward")
        subprocess.run(
            [steward, "init", "--from", str(POLICY)], env=env, check=True, stdout=subprocess.DEVNULL
        )
        demo = subprocess.run(
            [steward, "demo"], env=env, check=True, capture_output=True, text=True
        )
        password, accounts = demo_accounts(demo.stdout)
        _, digest = config(policy)
        consent = {
            "choices": {name: True for name in policy.cookies if name != "essential"},
            "policy_version": policy.version,
            "text_sha256": digest,
        }
        port = free_port()
        direct = f"http://127.0.0.1:{port}"
        serve = [steward, "serve", "--port", str(port), "--workers", str(workers)]
        with process(serve, env, f"{direct}/privacy"), front(port, through_nginx, folder) as target:
            visitors = [sign_in(target, e, password, s) for e, s in accounts.items()]
            users = make_users(visitors, consent)
            ours = swarm(target, users, clients, seconds, detail)
        bare_command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(HERE),
            "bare_app:create",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ]
        with (
            process(bare_command, env, f"{direct}/api/v1/tickets"),
            front(port, through_nginx, folder) as target,
        ):
            bare = swarm(target, users, clients, seconds)
    label = f"{kind}, {workers} process{'es' if workers > 1 else ''}"
    if through_nginx:
        label += ", through nginx"
    print(
        f"| {label} | {ours.rate:,.0f}/s, p50 {ours.p50:.0f} ms, p99 {ours.p99:.0f} ms, "
        f"{ours.errors} errors of {ours.requests:,} | {bare.rate:,.0f}/s, p50 {bare.p50:.0f} ms, "
        f"p99 {bare.p99:.0f} ms, {bare.errors} errors | {bare.rate / ours.rate:.1f}x |",
        flush=True,
    )


policy = load_policy(POLICY)
smtp_port = free_port()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--setups", default="sqlite:1,postgresql:1,postgresql:2,postgresql:4")
    parser.add_argument("--detail", action="store_true", help="Steward's figures per request")
    parser.add_argument(
        "--through-nginx",
        action="store_true",
        help="call both servers through Debian's nginx with deploy/nginx.conf, over TLS",
    )
    args = parser.parse_args()
    base_url = os.environ.get("STEWARD_TEST_DATABASE_URL", "")
    setups = [(k, int(n)) for k, n in (s.split(":") for s in args.setups.split(","))]
    if any(k == "postgresql" for k, _ in setups) and not base_url:
        setups = [(k, n) for k, n in setups if k == "sqlite"]
        print("STEWARD_TEST_DATABASE_URL is not set: SQLite only")
    sink = [
        sys.executable,
        "-m",
        "aiosmtpd",
        "-n",
        "-l",
        f"127.0.0.1:{smtp_port}",
        "-c",
        "aiosmtpd.handlers.Sink",
    ]
    with subprocess.Popen(sink) as mail:
        try:
            print(f"{args.clients} clients, {args.seconds} s each, on {os.cpu_count()} cores")
            print("| set-up | Steward | bare app, same database work | ratio |")
            print("|---|---|---|---|")
            for kind, workers in setups:
                run(
                    kind,
                    workers,
                    args.clients,
                    args.seconds,
                    base_url,
                    args.detail,
                    args.through_nginx,
                )
        finally:
            mail.terminate()


if __name__ == "__main__":
    main()
