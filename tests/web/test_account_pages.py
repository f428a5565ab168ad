"""The account pages, used as a browser without JavaScript does: plain forms, a hidden CSRF
field, redirects after each successful post, errors shown beside the form."""

import html
import re
from datetime import timedelta

import pytest

from steward.core import clock
from tests.people import PASSWORD, customer, register, sign_in, staff, totp_code
from tests.web.page_helpers import (
    csrf,
    hidden_csrf,
    pass_mfa_page,
    post_form,
    register_page,
    sign_in_page,
    signed_out,
    verified_customer,
)


def test_the_sign_in_page_has_a_labelled_form(client):
    page = client.get("/sign-in")
    assert page.status_code == 200
    for name, label in (("email", "Email"), ("password", "Password")):
        assert f'<label for="f-{name}">{label}' in page.text
        assert f'id="f-{name}" name="{name}"' in page.text
    assert '<a class="skip" href="#main">' in page.text
    assert '<main id="main"' in page.text


@pytest.mark.promise("D3")
def test_registering_through_the_form_mails_a_link_and_asks_no_one_elses_address(client, mailbox):
    form = client.get("/register")
    assert 'name="birth_date"' in form.text  # the example policy has a children section
    assert not re.search(r'name="[^"]*cc[^"]*"', form.text, re.IGNORECASE)
    answer = register_page(client, "ada@example.com")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/register/sent"
    assert "Check your email" in client.get(answer.headers["location"]).text
    assert mailbox.token_in_last("ada@example.com", "/verify-email")


def test_a_registration_error_is_shown_with_the_values_kept_but_not_the_password(client):
    answer = register_page(client, "ada@example.com", password="short one")
    assert answer.status_code == 422
    assert "at least 12 characters" in answer.text
    assert 'value="ada@example.com"' in answer.text
    assert 'value="Ada Lovelace"' in answer.text
    assert "short one" not in answer.text


def test_a_badly_written_email_address_is_refused_beside_the_form(client, mailbox):
    answer = register_page(client, "not-an-address")
    assert answer.status_code == 422
    assert "Check this field: Email (an address like name@example.com)." in answer.text
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "A" * 201, "Check this field: Name (at most 200 characters)."),
        ("birth_date", "3 February 1990", "Check this field: Date of birth (a date like"),
        ("guardian_email", "mum at home", "Parent's or guardian's email (an address like"),
    ],
)
def test_the_registration_form_refuses_what_the_api_refuses_naming_the_field(
    client, mailbox, field, value, words
):
    answer = register_page(client, "ada@example.com", **{field: value})
    assert answer.status_code == 422
    assert words in html.unescape(answer.text)
    assert 'value="ada@example.com"' in answer.text
    api = register(client, "ada@example.com", **{field: value})
    assert api.status_code == 422  # the same model checks both
    assert mailbox.messages == []


def test_sign_in_and_link_forms_name_the_field_that_is_wrong(client):
    answer = sign_in_page(client, "a" * 250 + "@example.com")
    assert answer.status_code == 422
    assert "Check this field: Email (at most 254 characters)." in answer.text
    answer = post_form(client, "/unlock", {"token": "x" * 201}, follow_redirects=False)
    assert answer.status_code == 422
    assert "Check this field: Link (at most 200 characters)." in answer.text


def test_opening_the_verification_link_does_not_consume_it(client, mailbox):
    assert register_page(client, "ada@example.com").status_code == 303
    token = mailbox.token_in_last("ada@example.com", "/verify-email")
    for _ in range(2):  # a mail scanner fetching the link, then the person
        page = client.get(f"/verify-email?token={token}")
        assert page.status_code == 200
        assert 'action="/verify-email"' in page.text
    assert sign_in_page(client, "ada@example.com").status_code == 403  # not yet confirmed
    confirmed = client.post("/verify-email", data={"token": token}, follow_redirects=False)
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == "/sign-in?notice=verified"
    assert "Your email address is confirmed" in client.get(confirmed.headers["location"]).text
    again = client.post("/verify-email", data={"token": token})
    assert again.status_code == 400
    assert "not valid or has already been used" in again.text


def test_a_customer_signs_in_and_lands_on_the_portal(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    assert client.cookies.get("steward_session")
    assert client.get("/sign-in", follow_redirects=False).headers["location"] == "/portal"


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    signed_out(client)
    answer = sign_in_page(client, "ada@example.com", next_="/portal/account")
    assert answer.headers["location"] == "/portal/account"
    signed_out(client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = sign_in_page(client, "ada@example.com", next_=target)
        assert answer.headers["location"] == "/portal", target
        signed_out(client)


def test_a_wrong_password_is_shown_beside_the_form_with_the_email_kept(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    signed_out(client)
    answer = sign_in_page(client, "ada@example.com", password="wrong password 123")
    assert answer.status_code == 401
    assert "The email address or the password is wrong." in answer.text
    assert 'value="ada@example.com"' in answer.text
    assert "wrong password 123" not in answer.text
    assert "steward_session" not in answer.cookies


def test_a_form_posted_without_its_csrf_token_is_refused(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    answer = client.post("/sign-out", data={}, follow_redirects=False)
    assert answer.status_code == 403
    assert "CSRF" in answer.text
    assert client.get("/portal", follow_redirects=False).status_code == 200  # still signed in


def test_the_hidden_csrf_field_carries_the_session_token(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    page = client.get("/portal")
    assert hidden_csrf(page.text) == csrf(client)


def test_signing_out_ends_the_session(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    answer = post_form(client, "/sign-out", {}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?notice=signed_out"
    assert client.get("/portal", follow_redirects=False).headers["location"].startswith("/sign-in")


def test_a_staff_member_without_mfa_enrols_through_the_pages(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "agent@example.com", "agent")
    signed_out(browser)
    answer = sign_in_page(browser, "agent@example.com", next_="/desk")
    assert answer.headers["location"] == "/mfa/enrol?next=/desk"
    assert browser.get("/desk", follow_redirects=False).headers["location"] == "/mfa/enrol"
    page = browser.get(answer.headers["location"])
    assert "Set up two-step sign-in" in page.text
    shown = post_form(browser, "/mfa/enrol", {"next": "/desk"})
    assert shown.status_code == 200
    secret = re.search(r'id="mfa-secret">([A-Z2-7]+)<', shown.text).group(1)
    assert "otpauth://totp/" in shown.text
    wrong = post_form(browser, "/mfa/enrol/confirm", {"code": "000000", "next": "/desk"})
    assert wrong.status_code == 401
    assert "The code is wrong." in wrong.text
    code = totp_code(secret)
    codes = post_form(browser, "/mfa/enrol/confirm", {"code": code, "next": "/desk"})
    assert codes.status_code == 200
    assert len(re.findall(r"<li><code>[0-9a-f]{8}-[0-9a-f]{8}</code></li>", codes.text)) == 10
    assert 'href="/desk"' in codes.text
    assert browser.get("/desk", follow_redirects=False).status_code != 303


def test_a_staff_member_with_mfa_enters_a_code_after_the_password(admin, mailbox, new_client):
    browser = new_client()
    staff(admin, mailbox, browser, "agent@example.com", "agent")
    secret = browser.post("/api/v1/auth/mfa/enrol").json()["secret"]
    code = totp_code(secret)
    assert browser.post("/api/v1/auth/mfa/verify", json={"code": code}).status_code == 200
    signed_out(browser)
    answer = sign_in_page(browser, "agent@example.com")
    assert answer.headers["location"] == "/mfa"
    wrong = post_form(browser, "/mfa", {"code": "123456"})
    assert wrong.status_code == 401
    assert "The code is wrong." in wrong.text
    pass_mfa_page(browser, secret)
    assert browser.get("/sign-in", follow_redirects=False).headers["location"] == "/desk"


@pytest.mark.parametrize(
    ("role", "home"),
    [("agent", "/desk"), ("billing", "/desk/billing"), ("privacy_officer", "/dpo")],
)
def test_staff_land_where_their_work_is_once_the_code_is_entered(
    admin, mailbox, new_client, role, home
):
    browser = new_client()
    staff(admin, mailbox, browser, f"{role}@example.com", role)
    secret = browser.post("/api/v1/auth/mfa/enrol").json()["secret"]
    code = totp_code(secret)
    assert browser.post("/api/v1/auth/mfa/verify", json={"code": code}).status_code == 200
    signed_out(browser)
    assert sign_in_page(browser, f"{role}@example.com").headers["location"] == "/mfa"
    answer = post_form(browser, "/mfa", {"code": totp_code(secret)}, follow_redirects=False)
    assert answer.headers["location"] == home
    if home != "/desk":  # the desk's queue sends them on to their work too
        assert browser.get("/desk", follow_redirects=False).headers["location"] == home


def test_the_mfa_pages_send_anonymous_visitors_to_sign_in(client):
    for path in ("/mfa", "/mfa/enrol"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/sign-in?next={path}"


def test_a_new_staff_member_sets_a_password_through_the_mailed_link(admin, mailbox, client):
    created = admin.post(
        "/api/v1/admin/accounts",
        json={"email": "agent@example.com", "name": "Staff Member", "role": "agent"},
    )
    assert created.status_code == 201
    token = mailbox.token_in_last("agent@example.com", "/set-password")
    signed_out(admin)
    page = admin.get(f"/set-password?token={token}")
    assert '<label for="f-password">New password' in page.text
    differ = admin.post(
        "/set-password", data={"token": token, "password": PASSWORD, "confirm": "other"}
    )
    assert differ.status_code == 422
    assert "The two passwords differ" in differ.text
    done = admin.post(
        "/set-password",
        data={"token": token, "password": PASSWORD, "confirm": PASSWORD},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/sign-in?notice=password_set"
    assert sign_in_page(admin, "agent@example.com").headers["location"] == "/mfa/enrol"


def test_a_locked_account_is_unlocked_through_the_mailed_link(client, mailbox):
    customer(client, mailbox, "ada@example.com")
    signed_out(client)
    with clock.frozen_at(clock.now()):
        for _ in range(10):
            answer = sign_in_page(client, "ada@example.com", password="wrong password 123")
            clock.advance(timedelta(minutes=2))  # past the growing delay between attempts
        assert answer.status_code == 423
        assert "sign-in is locked" in answer.text
        token = mailbox.token_in_last("ada@example.com", "/unlock")
        assert client.get(f"/unlock?token={token}").status_code == 200
        assert sign_in_page(client, "ada@example.com").status_code == 423  # GET did not unlock
        done = client.post("/unlock", data={"token": token}, follow_redirects=False)
        assert done.headers["location"] == "/sign-in?notice=unlocked"
        clock.advance(timedelta(minutes=3))  # the address is still slowed down for a while
        assert sign_in_page(client, "ada@example.com").headers["location"] == "/portal"


def test_a_new_email_address_is_confirmed_through_the_mailed_link(client, mailbox, new_client):
    verified_customer(client, mailbox, "ada@example.com")
    answer = post_form(
        client,
        "/portal/account/email",
        {"email": "ada@new.example", "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    token = mailbox.token_in_last("ada@new.example", "/confirm-email")
    other_device = new_client()
    assert other_device.get(f"/confirm-email?token={token}").status_code == 200
    done = other_device.post("/confirm-email", data={"token": token}, follow_redirects=False)
    assert done.headers["location"] == "/sign-in?notice=email_changed"
    signed_out(other_device)
    assert sign_in_page(other_device, "ada@new.example").headers["location"] == "/portal"


def test_a_link_without_its_token_says_so(client):
    for path in ("/verify-email", "/unlock", "/confirm-email", "/set-password"):
        page = client.get(path)
        assert page.status_code == 422, path
        assert "This link is incomplete" in page.text


def test_an_account_registered_through_the_api_signs_in_through_the_page(client, mailbox):
    assert register(client, "ada@example.com").status_code == 202
    token = mailbox.token_in_last("ada@example.com", "/verify-email")
    assert client.post("/verify-email", data={"token": token}).status_code == 200
    assert sign_in(client, "ada@example.com").status_code == 200


def test_a_signed_in_customer_confirms_a_new_address_in_the_same_browser(client, mailbox):
    verified_customer(client, mailbox, "ada@example.com")
    post_form(client, "/portal/account/email", {"email": "ada@new.example", "password": PASSWORD})
    token = mailbox.token_in_last("ada@new.example", "/confirm-email")
    page = client.get(f"/confirm-email?token={token}")
    assert 'href="/portal/account"' in page.text  # the nav knows who is looking
    done = client.post(
        "/confirm-email",
        data={"token": token, "csrf_token": hidden_csrf(page.text)},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/portal/account?notice=email_changed"
    assert "ada@new.example" in client.get(done.headers["location"]).text
