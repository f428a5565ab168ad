"""The report.html of an access export, as the customer downloads it from /portal/data: styled
like the published policy, every category and purpose by the policy's name, every record by
a name the person knows (no internal ids, no keys), and the request it answers answered."""

import io
import re
import zipfile

from steward.policy.document import STYLE
from steward.policy.loader import load_policy
from tests.conftest import DEFAULT_EXAMPLE
from tests.desk.team import Team
from tests.desk.test_billing import invoice
from tests.rights.work import fulfil, verified_request

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_the_report_is_styled_named_in_words_and_says_the_request_is_answered(
    admin, mailbox, new_client, app
):
    team = Team(admin, mailbox, new_client)
    ada, ada_id = team.customer("ada")
    assert ada.put("/api/v1/me/preferences", json={"marketing": True}).status_code == 200
    number = invoice(admin, ada_id).json()["number"]
    request_id, reference = verified_request(app, "access", ada_id, "ada@example.com")
    assert fulfil(team["privacy_officer"], request_id).status_code == 200

    link = re.search(r'href="(/portal/data/downloads/[^"]+)"', ada.get("/portal/data").text)
    archive = zipfile.ZipFile(io.BytesIO(ada.get(link.group(1)).content))
    report = archive.read("report.html").decode()

    assert STYLE in report and 'name="viewport"' in report
    policy = load_policy(DEFAULT_EXAMPLE)
    assert policy.categories["user.account"].name in report
    assert policy.purposes["marketing.communications"].name in report
    for key in (*policy.categories, *policy.purposes):
        assert not re.search(rf"(?<![\w.@]){re.escape(key)}(?![\w.])", report), key
    assert not UUID.search(report)
    assert f"Invoice {number}, yours" in report
    assert f"{reference}: access to your data" in report
    assert "answered with this copy" in report
    assert not re.search(r"\bopen\b", report)
