"""The privacy center (/privacy/center) and the privacy officer's pages (/dpo), used as a
browser without JavaScript does: forms with the hidden csrf_token field, answers read as the
person sees them."""

import re

import pytest

from tests.people import PASSWORD
from tests.rights.conftest import code_in_last
from tests.web.page_helpers import post_form


def post(browser, path: str, data: dict[str, str]):
    """Post a form as a browser would, without following the redirect."""
    return post_form(browser, path, data, follow_redirects=False)


def reference_in(location: str) -> str:
    match = re.search(r"reference=(PR-[A-Z0-9]{4}-[A-Z0-9]{4})", location)
    assert match, location
    return match.group(1)


def ask_on_page(browser, kind: str, **fields: str):
    answer = post(browser, "/privacy/center/new", {"kind": kind, **fields})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def request_id_of(officer, reference: str) -> str:
    queue = officer.get("/dpo?closed=true").text
    match = re.search(r'href="/dpo/requests/([0-9a-f-]{36})">' + reference, queue)
    assert match, f"{reference} is not in the officer's queue"
    return match.group(1)


@pytest.mark.promise("R7")
def test_anyone_asks_on_the_page_and_confirms_with_the_mailed_code(client, mailbox):
    home = client.get("/privacy/center")
    assert home.status_code == 200
    assert "Access to your data" in home.text and "Privacy inquiry" in home.text
    assert 'href="/privacy/center/new?kind=erasure"' in home.text
    form = client.get("/privacy/center/new?kind=access").text
    assert '<option value="access" selected>' in form

    location = ask_on_page(client, "access", email="someone@example.com", name="Sam Body")
    assert location.startswith("/privacy/center/verify?")
    reference = reference_in(location)
    page = client.get(location)
    assert "We received your request" in page.text and 'name="code"' in page.text

    wrong = post(client, "/privacy/center/verify", {"reference": reference, "code": "000000"})
    assert wrong.status_code in (400, 409, 422)
    assert 'class="alert error"' in wrong.text

    code = code_in_last(mailbox, "someone@example.com")
    right = post(client, "/privacy/center/verify", {"reference": reference, "code": code})
    assert right.status_code == 303
    status = client.get(right.headers["location"])
    assert "the request is confirmed as yours" in status.text
    assert 'class="status done">Done' in status.text  # nobody with this address: no data held
    assert "someone@example.com" not in status.text and "Sam Body" not in status.text


def test_a_mistake_in_the_form_is_shown_with_what_was_typed(client):
    answer = post(client, "/privacy/center/new", {"kind": "access", "email": "not-an-address"})
    assert answer.status_code == 422
    assert "Enter the email address the request is about." in answer.text
    assert 'value="not-an-address"' in answer.text


def test_an_unknown_reference_is_said_so(client):
    answer = client.get("/privacy/center/status?reference=PR-AAAA-BBBB")
    assert answer.status_code == 404
    assert "There is no request with this reference." in answer.text


def test_an_unknown_download_token_is_refused_on_the_page(client):
    answer = post(client, "/privacy/center/download", {"token": "x" * 20})
    assert answer.status_code == 404
    assert "There is no download for this token." in answer.text


def test_only_the_privacy_officer_opens_the_dpo_pages(team, new_client):
    anonymous = new_client()
    assert anonymous.get("/dpo", follow_redirects=False).headers["location"] == "/sign-in?next=/dpo"
    assert team["agent"].get("/dpo").status_code == 403
    ada, _ = team.customer("ada")
    assert ada.get("/dpo", follow_redirects=False).headers["location"] == "/portal"
    officer = team["privacy_officer"].get("/dpo")
    assert officer.status_code == 200 and "Privacy requests" in officer.text


@pytest.mark.promise("R4", "S1")
def test_a_restriction_is_confirmed_by_the_officer_and_the_person_sees_who_was_told(team):
    ada, _ = team.customer("ada")
    officer = team["privacy_officer"]
    location = ask_on_page(ada, "restriction")  # signed in: verified by the session
    reference = reference_in(location)

    queue = officer.get("/dpo").text
    assert reference in queue and "Restriction of processing" in queue
    request_id = request_id_of(officer, reference)
    page = officer.get(f"/dpo/requests/{request_id}").text
    assert "ada@example.com" in page  # who asked, read through the gate
    assert "Confirm the restriction" in page

    done = post(officer, f"/dpo/requests/{request_id}/fulfil", {})
    assert done.status_code == 303
    page = officer.get(done.headers["location"]).text
    assert "The request is fulfilled" in page and "Lift the restriction" in page

    center = ada.get("/privacy/center").text
    assert reference in center
    assert "Stripe, Inc." in center and "Asked to restrict its use" in center

    lifted = post(officer, f"/dpo/requests/{request_id}/lift-restriction", {})
    assert lifted.status_code == 303
    assert "The restriction is lifted" in officer.get(lifted.headers["location"]).text


@pytest.mark.promise("R3")
def test_an_erasure_is_previewed_approved_and_cancelled_by_the_person(team):
    ada, _ = team.customer("ada")
    officer = team["privacy_officer"]
    reference = reference_in(ask_on_page(ada, "erasure", password=PASSWORD))
    request_id = request_id_of(officer, reference)
    page = officer.get(f"/dpo/requests/{request_id}").text
    assert "What the erasure does" in page and "Approve the erasure" in page

    approved = post(officer, f"/dpo/requests/{request_id}/fulfil", {})
    assert approved.status_code == 303
    assert "The erasure is scheduled" in officer.get(approved.headers["location"]).text

    center = ada.get("/privacy/center").text
    assert "Erasure scheduled" in center and "Cancel the erasure" in center
    cancelled = post(ada, f"/privacy/center/requests/{reference}/cancel", {})
    assert cancelled.status_code == 303
    center = ada.get(cancelled.headers["location"]).text
    assert "The erasure is cancelled" in center and "Cancel the erasure" not in center


@pytest.mark.promise("R1")
def test_an_access_export_is_downloaded_with_the_mailed_token(team, mailbox):
    ada, _ = team.customer("ada")
    officer = team["privacy_officer"]
    reference = reference_in(ask_on_page(ada, "access"))
    request_id = request_id_of(officer, reference)
    unconfirmed = post(officer, f"/dpo/requests/{request_id}/fulfil", {})
    assert unconfirmed.headers["location"] == f"/dpo/requests/{request_id}/export"
    assert mailbox.to("ada@example.com")[-1]["Subject"].startswith("We received")  # nothing sent
    done = post(officer, f"/dpo/requests/{request_id}/fulfil", {"confirmed": "yes"})
    page = officer.get(done.headers["location"]).text
    assert "the person was mailed a one-time download token" in page
    bodies = [m.get_payload(decode=True).decode() for m in mailbox.to("ada@example.com")]
    ready = [b for b in bodies if "/privacy/center/download?token=" in b]
    assert ready, bodies
    link = re.search(r"(/privacy/center/download\?token=\S+)", ready[-1]).group(1)
    form = ada.get(link)
    token = re.search(r'name="token" type="text"[^>]* value="([^"]+)"', form.text)
    assert token, form.text  # the mailed link fills the form in; it downloads nothing itself
    answer = post(ada, "/privacy/center/download", {"token": token.group(1)})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.content[:2] == b"PK"  # a zip


@pytest.mark.promise("R8")
def test_the_officer_answers_an_inquiry_extends_and_refuses_on_the_page(
    access_extension, new_client, team, mailbox
):
    officer, client = team["privacy_officer"], new_client()
    question = ask_on_page(
        client, "inquiry", email="asker@example.com", details="Do you sell my data?"
    )
    inquiry = request_id_of(officer, reference_in(question))
    page = officer.get(f"/dpo/requests/{inquiry}").text
    assert "Do you sell my data?" in page and "Send the answer" in page
    answered = post(officer, f"/dpo/requests/{inquiry}/answer", {"text": "No, never."})
    assert answered.status_code == 303
    assert "No, never." in mailbox.last_to("asker@example.com").get_payload(decode=True).decode()

    access = reference_in(ask_on_page(client, "access", email="other@example.com"))
    access_id = request_id_of(officer, access)
    too_long = post(officer, f"/dpo/requests/{access_id}/extend", {"days": "400", "reason": "Busy"})
    assert too_long.status_code == 422 and 'class="alert error"' in too_long.text
    extended = post(
        officer, f"/dpo/requests/{access_id}/extend", {"days": "30", "reason": "Complex request"}
    )
    assert extended.status_code == 303, extended.text
    assert "The deadline is extended" in officer.get(extended.headers["location"]).text
    refused = post(officer, f"/dpo/requests/{access_id}/refuse", {"reason": "Manifestly unfounded"})
    assert refused.status_code == 303
    page = officer.get(refused.headers["location"]).text
    assert "The request is refused" in page and "Manifestly unfounded" in page


@pytest.mark.promise("R6")
def test_a_signed_in_person_reads_the_answer_in_the_privacy_center(team):
    ada, _ = team.customer("ada")
    location = ask_on_page(ada, "objection", purposes="marketing.communications")
    reference = reference_in(location)

    center = ada.get("/privacy/center").text

    assert f"Our answer to {reference}" in center
    assert (
        "We stopped the processing you objected to."
        in center.split(f"Our answer to {reference}")[1]
    )
    stranger = team.customer("bob")[0].get("/privacy/center").text
    assert reference not in stranger
