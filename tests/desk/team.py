"""A team of signed-in browsers for the desk's HTTP tests: staff by role and customers by
name, each made on first use; and small helpers for the organisations they belong to."""

from fastapi.testclient import TestClient

from tests.people import customer, enrol_mfa, staff


class Team:
    """Signed-in browsers, made on first use: staff by role, customers by name."""

    def __init__(self, admin: TestClient, mailbox, new_client) -> None:
        self.admin, self.mailbox, self.new_client = admin, mailbox, new_client
        self.browsers: dict[str, TestClient] = {"admin": admin}
        self.people: dict[str, str] = {}

    def __getitem__(self, role: str) -> TestClient:
        if role not in self.browsers:
            browser = self.new_client()
            account = staff(self.admin, self.mailbox, browser, f"{role}@example.com", role)
            enrol_mfa(browser)
            self.browsers[role] = browser
            self.people[role] = account["person_id"]
        return self.browsers[role]

    def customer(self, name: str) -> tuple[TestClient, str]:
        if name not in self.browsers:
            browser = self.new_client()
            customer(browser, self.mailbox, f"{name}@example.com")
            self.browsers[name] = browser
            self.people[name] = browser.get("/api/v1/me").json()["person_id"]
        return self.browsers[name], self.people[name]


def organisation(browser: TestClient, name: str, **extra) -> dict:
    answer = browser.post("/api/v1/organisations", json={"name": name, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def join(browser: TestClient, organisation_id: str, person_id: str, kind: str) -> dict:
    answer = browser.post(
        f"/api/v1/organisations/{organisation_id}/members",
        json={"kind": kind, "person_id": person_id},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()
