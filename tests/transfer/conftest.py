"""Fixtures for the business transfer tests (S4): each runs under three example policies, made
version 1.1 naming a new owner and published with `steward policy publish` before the server
starts; an admin who can sign in again after the clock moves; the privacy officer."""

import re
import shutil
from pathlib import Path

import pytest

from steward.core.db import release
from steward.web.app import create_app
from tests.conftest import EXAMPLES
from tests.people import PASSWORD, enrol_mfa, sign_in, totp_code
from tests.rights.conftest import officer  # noqa: F401  (the privacy officer fixture)
from tests.rights.intake_kit import steward

NEW_OWNER = "Northwind Services Ltd"
TRANSFER = """
transfer:
  to:
    legal_name: Northwind Services Ltd
    address: 1 Harbour Road, Leeds LS1 1AA
    country: GB
    email: hello@northwind.example
    privacy_contact: privacy@northwind.example
  date: 2027-02-01
  rights_before: [objection, erasure]
  leave_out_objectors: true
"""
OWNER_EMAIL = "owner@example.com"


def with_transfer(text: str, transfer: str = TRANSFER) -> str:
    """Version 1.1 of an example (in effect 2026-12-01) that names the new owner."""
    text = text.replace(
        'version: "1.0"\neffective_date: 2026-11-01\n',
        'version: "1.1"\neffective_date: 2026-12-01\n',
        1,
    )
    text = re.sub(
        r"^changelog:.*\n",
        lambda m: (
            m.group(0)
            + '  - version: "1.1"\n    date: 2026-12-01\n'
            + "    summary: The business passes to Northwind.\n"
        ),
        text,
        count=1,
        flags=re.MULTILINE,
    )
    assert 'version: "1.1"' in text, "the example's version header moved"
    return text.rstrip("\n") + "\n" + transfer


@pytest.fixture(params=["houston-generator", "it-support-shop", "compustores"])
def data_dir(request, tmp_path: Path) -> Path:
    shutil.copyfile(EXAMPLES / f"{request.param}.yaml", tmp_path / "policy.yaml")
    return tmp_path


@pytest.fixture
def transfer_section(request) -> str:
    """The `transfer:` section published; a test may give its own (indirect parameter)."""
    return getattr(request, "param", TRANSFER)


@pytest.fixture
def published(identity_settings, tmp_path, transfer_section):
    """`steward policy publish` of version 1.1 with the transfer; returns its output."""
    new = tmp_path / "with-transfer.yaml"
    new.write_text(with_transfer(identity_settings.policy.read_text(), transfer_section))
    result = steward(identity_settings, "policy", "publish", str(new))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def app(identity_settings, published):
    """The server, started after the version naming the transfer was published."""
    app = create_app(identity_settings)
    yield app
    release(app.state.sessions.kw["bind"])


class Owner:
    """The business's admin in a browser of their own, who signs in again when told to."""

    def __init__(self, app, new_client) -> None:
        from steward.identity.bootstrap import create_admin

        with app.state.runtime.session() as session:
            create_admin(session, OWNER_EMAIL, "Grace Hopper", PASSWORD)
        self.browser = new_client()
        assert sign_in(self.browser, OWNER_EMAIL).json()["next"] == "mfa_enrol"
        self.secret, _ = enrol_mfa(self.browser)
        # made under version 1.1, which is material: the desk asks to accept it first
        accepted = self.browser.post("/privacy/accept", data={"next": "/desk"})
        assert accepted.status_code in (200, 303), accepted.text

    def again(self):
        self.browser.cookies.clear()
        self.browser.headers.pop("X-CSRF-Token", None)
        assert sign_in(self.browser, OWNER_EMAIL).status_code == 200
        answer = self.browser.post("/api/v1/auth/mfa", json={"code": totp_code(self.secret)})
        assert answer.status_code == 200, answer.text
        return self.browser
