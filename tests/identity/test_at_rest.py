"""At rest, the database holds no clear personal data: not in SQLite's file, not in a dump."""

import subprocess

import pytest
from sqlalchemy.engine import make_url

from steward.core.db import release
from tests.people import customer

EMAIL = "grace.whistleblower@example.org"
PHONE = "+1 713 555 0199"
NAME = "Grace Hopper-Whistle"
COMPANY = "Cobol Consolidated"


def raw_database(database_url: str) -> bytes:
    """Every byte the database stores: the SQLite file (and its WAL), or a plain pg_dump."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        path = url.database or ""
        data = b""
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as handle:
                    data += handle.read()
            except FileNotFoundError:
                pass
        return data
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
            url.database or "",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return dump.stdout


@pytest.mark.promise("X1")
def test_a_person_written_through_the_api_leaves_no_clear_text_in_the_database(
    client, mailbox, identity_settings
):
    customer(client, mailbox, EMAIL)
    corrected = client.patch("/api/v1/me", json={"name": NAME, "phone": PHONE, "company": COMPANY})
    assert corrected.status_code == 200
    assert client.get("/api/v1/me").json()["phone"] == PHONE  # it is held, and readable
    client.close()  # checkpoint nothing more: read the file as it is on disk
    raw = raw_database(identity_settings.database_url)
    assert b"Houston Generator Company" in raw  # what is not personal is there in clear
    for secret in (EMAIL, PHONE, NAME, COMPANY, "whistleblower", "555 0199"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in raw, secret
        assert secret.lower().encode() not in raw.lower(), secret


@pytest.mark.promise("X1")
def test_a_value_copied_into_another_persons_row_is_noticed(
    client, mailbox, new_client, identity_settings
):
    from sqlalchemy import text

    from steward.core.db import make_engine

    customer(client, mailbox, "ada@example.com")
    other = new_client()
    customer(other, mailbox, "bob@example.com")
    ada = client.get("/api/v1/me").json()["person_id"]
    bob = other.get("/api/v1/me").json()["person_id"]
    engine = make_engine(identity_settings.database_url)
    try:
        with engine.begin() as connection:  # an intruder with write access to the database
            connection.execute(
                text(
                    "UPDATE people SET email = (SELECT email FROM people WHERE id = :ada) "
                    "WHERE id = :bob"
                ),
                {"ada": ada, "bob": bob},
            )
    finally:
        release(engine)
    answer = other.get("/api/v1/me")
    assert answer.status_code == 500
    assert answer.json()["title"] == "Stored data failed its integrity check"
    assert "ada@example.com" not in answer.text
    assert client.get("/api/v1/me").json()["email"] == "ada@example.com"
