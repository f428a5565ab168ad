"""The cookie banner in a real browser, on the demo page that embeds it like a business
website: what it asks, what it stores, what runs, and what the server keeps."""

import json
import urllib.parse

import pytest
from sqlalchemy import func, select

from steward.consent.models import ConsentEvent, UsageEvent
from steward.core.db import make_engine, make_sessionmaker, release
from steward.core.settings import Settings
from steward.policy.service import read_active

DEMO = "/consent/demo"
BUTTONS = ("Accept all", "Reject all", "Customise")


def consent_cookie(page) -> dict:
    page.wait_for_function("() => document.cookie.includes('steward_consent=')")
    for cookie in page.context.cookies():
        if cookie["name"] == "steward_consent":
            return json.loads(urllib.parse.unquote(cookie["value"]))
    raise AssertionError("no steward_consent cookie")


def person_events(settings: Settings, browser_id: str) -> set[str | None]:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.scalars(
                select(ConsentEvent.person_id).where(ConsentEvent.browser_id == browser_id)
            )
            return set(rows)
    finally:
        release(engine)


def usage_events(settings: Settings, browser_id: str) -> int:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            count = session.scalar(
                select(func.count())
                .select_from(UsageEvent)
                .where(UsageEvent.browser_id == browser_id)
            )
            return int(count or 0)
    finally:
        release(engine)


def ledger(settings: Settings, browser_id: str) -> list[tuple[str, str, str]]:
    """(purpose, choice, method) of the browser's consent events, oldest first."""
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.execute(
                select(ConsentEvent.purpose, ConsentEvent.choice, ConsentEvent.method)
                .where(ConsentEvent.owner_id == browser_id)
                .order_by(ConsentEvent.at)
            )
            return [tuple(row) for row in rows]
    finally:
        release(engine)


def current(entries: list[tuple[str, str, str]]) -> dict[str, str]:
    return {purpose: choice for purpose, choice, _ in entries}


def decided(page) -> None:
    page.locator("html[data-steward-consent=decided]").wait_for(state="attached")


def banner(page):
    return page.get_by_role("dialog", name="Cookies on this site")


def post_page_view(page, browser_id: str) -> dict:
    """What the events endpoint answers this browser, asked directly (not by the banner)."""
    return page.evaluate(
        """id => fetch('/api/v1/events', {method: 'POST',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({browser_id: id, kind: 'page_view', path: '/consent/demo'})
        }).then(r => r.json())""",
        browser_id,
    )


@pytest.mark.promise("C1")
def test_rejecting_cookies_keeps_analytics_off_and_stores_no_usage_event(
    browser_page, live_settings, screenshot
):
    page = browser_page
    page.goto(DEMO)
    banner(page).wait_for()
    screenshot(page, "1-asked")
    page.get_by_role("button", name="Reject all").click()
    banner(page).wait_for(state="detached")
    stored = consent_cookie(page)

    assert page.get_by_role("status").inner_text() == "Analytics: not running."
    assert post_page_view(page, stored["id"])["stored"] is False
    assert usage_events(live_settings, stored["id"]) == 0
    choices = current(ledger(live_settings, stored["id"]))
    assert choices["analytics"] == "withdrawn"
    assert {method for _, _, method in ledger(live_settings, stored["id"])} == {"banner"}


@pytest.mark.promise("C1")
def test_accepting_analytics_in_the_preferences_runs_the_script_and_stores_a_page_view(
    browser_page, live_settings, screenshot
):
    page = browser_page
    page.goto(DEMO)
    page.get_by_role("button", name="Customise").click()
    assert page.get_by_label("Essential").is_checked()
    assert page.get_by_label("Essential").is_disabled()
    page.get_by_label("Analytics").check()
    screenshot(page, "1-customised")
    page.get_by_role("button", name="Save my choices").click()
    page.locator("body[data-page-view=stored]").wait_for()
    stored = consent_cookie(page)

    assert stored["c"]["analytics"] is True and stored["c"]["functional"] is False
    assert usage_events(live_settings, stored["id"]) == 1
    choices = current(ledger(live_settings, stored["id"]))
    assert choices["analytics"] == "given" and choices["functional"] == "withdrawn"


@pytest.mark.promise("C1")
def test_the_consent_cookie_holds_only_a_random_id_the_choices_and_the_policy_version(
    browser_page, live_settings
):
    page = browser_page
    page.goto(DEMO)
    page.get_by_role("button", name="Accept all").click()
    stored = consent_cookie(page)
    policy = read_active(live_settings.policy).policy

    assert set(stored) == {"id", "v", "c"}
    assert stored["v"] == policy.version
    assert set(stored["c"]) == set(policy.cookies) - {"essential"}
    assert all(isinstance(choice, bool) for choice in stored["c"].values())
    assert len(stored["id"]) == 36 and stored["id"].count("-") == 4
    essential = policy.cookies["essential"].cookies
    assert "steward_consent" in {cookie.name for cookie in essential}
    assert not any(cookie.holds_personal_data for cookie in essential)


@pytest.mark.promise("C1")
def test_a_visitor_withdraws_analytics_later_through_cookie_settings_and_it_stops(
    browser_page, live_settings, screenshot
):
    page = browser_page
    page.goto(DEMO)
    page.get_by_role("button", name="Accept all").click()
    page.locator("body[data-page-view=stored]").wait_for()
    browser_id = consent_cookie(page)["id"]

    page.get_by_role("button", name="Cookie settings").click()
    assert page.get_by_label("Analytics").is_checked()
    page.get_by_label("Analytics").uncheck()
    screenshot(page, "1-withdrawing")
    with page.expect_navigation():  # a withdrawal reloads the page so the script stops
        page.get_by_role("button", name="Save my choices").click()
    decided(page)

    assert page.get_by_role("status").inner_text() == "Analytics: not running."
    assert consent_cookie(page)["c"]["analytics"] is False
    assert post_page_view(page, browser_id)["stored"] is False
    assert usage_events(live_settings, browser_id) == 1  # only the one made with consent
    entries = ledger(live_settings, browser_id)
    assert ("analytics", "given", "banner") in entries
    assert current(entries)["analytics"] == "withdrawn"


@pytest.mark.promise("R10")
def test_with_global_privacy_control_nothing_is_asked_and_analytics_stays_off(
    chromium, live_server, live_settings, request
):
    from tests.e2e.conftest import artifact_name

    context = chromium.new_context(
        base_url=live_server, locale="en-GB", extra_http_headers={"Sec-GPC": "1"}
    )
    context.set_default_timeout(10_000)
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', "
        "{get: () => true, configurable: true})"
    )
    page = context.new_page()
    try:
        page.goto(DEMO)
        decided(page)  # recorded without a question
        stored = consent_cookie(page)

        assert banner(page).count() == 0
        assert stored["c"]["analytics"] is False
        assert page.get_by_role("status").inner_text() == "Analytics: not running."
        assert post_page_view(page, stored["id"])["stored"] is False
        assert usage_events(live_settings, stored["id"]) == 0
        entries = ledger(live_settings, stored["id"])
        assert current(entries)["analytics"] == "withdrawn"
        assert ("analytics", "withdrawn", "signal") in entries

        page.get_by_role("button", name="Cookie settings").click()
        assert page.get_by_label("Analytics").is_disabled()
        assert not page.get_by_label("Analytics").is_checked()
        assert page.get_by_text("Global Privacy Control").first.is_visible()
        page.screenshot(path=str(artifact_name(request.node.name, "settings")), full_page=True)
        page.get_by_role("button", name="Accept all").click()
        banner(page).wait_for(state="detached")
        assert consent_cookie(page)["c"]["analytics"] is False
        assert usage_events(live_settings, stored["id"]) == 0
    finally:
        page.screenshot(path=str(artifact_name(request.node.name)), full_page=True)
        context.close()


def _serve_version(page, material: bool) -> None:
    """Answer config.json as the server does after publishing version "next": a choice made
    under the old version still holds after a minor change, not after a material one."""

    def newer(route):
        answer = route.fetch()
        config = answer.json()
        old = config["policy_version"]
        config["policy_version"] = "next"
        config["consent_versions"] = ["next"] if material else ["next", old]
        route.fulfill(response=answer, json=config)

    page.route("**/consent/config.json", newer)


@pytest.mark.promise("C1", "C4")
@pytest.mark.parametrize("material", [True, False])
def test_a_material_policy_change_makes_the_banner_ask_again_a_minor_one_does_not(
    browser_page, screenshot, material
):
    page = browser_page
    page.goto(DEMO)
    page.get_by_role("button", name="Accept all").click()
    page.locator("body[data-page-view=stored]").wait_for()
    page.reload()
    decided(page)
    assert banner(page).count() == 0

    _serve_version(page, material)
    page.reload()
    if material:
        banner(page).wait_for()
        screenshot(page, "asked-again")
        assert page.get_by_role("status").inner_text() == "Analytics: not running."
    else:
        decided(page)
        page.locator("body[data-page-view=stored]").wait_for()  # analytics still on
        assert banner(page).count() == 0


@pytest.mark.promise("C1")
@pytest.mark.parametrize("width", [1280, 360])
def test_accept_reject_and_customise_are_equally_prominent_on_wide_and_narrow_screens(
    browser_page, width, screenshot
):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(DEMO)
    banner(page).wait_for()
    screenshot(page, f"{width}px")
    looks = [
        page.get_by_role("button", name=name).evaluate(
            """b => { const s = getComputedStyle(b), r = b.getBoundingClientRect();
                return [s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.borderTopWidth,
                        s.borderTopColor, Math.round(r.width), Math.round(r.height)]; }"""
        )
        for name in BUTTONS
    ]
    assert looks[0] == looks[1] == looks[2]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    box = banner(page).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.promise("C1")
def test_the_banner_is_reached_and_answered_with_the_keyboard_alone(browser_page):
    page = browser_page
    page.goto(DEMO)
    banner(page).wait_for()
    page.keyboard.press("Tab")  # the banner comes first in the document: its policy link
    assert page.evaluate("document.activeElement.textContent") == "Cookie policy"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Accept all"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Reject all
    banner(page).wait_for(state="detached")
    assert set(consent_cookie(page)["c"].values()) == {False}


@pytest.mark.promise("C1")
def test_a_signed_in_customer_s_banner_choice_is_recorded_for_them_as_well(
    browser_page, live_settings, make_customer, sign_in_as
):
    page = browser_page
    sign_in_as(page, make_customer("ada@example.com"))
    page.goto(DEMO)
    page.get_by_role("button", name="Accept all").click()
    page.locator("body[data-page-view=stored]").wait_for()  # the CSRF header went along
    browser_id = consent_cookie(page)["id"]

    people = person_events(live_settings, browser_id) - {None}  # None: the browser's own
    assert len(people) == 1
    assert usage_events(live_settings, browser_id) == 1


@pytest.mark.promise("C2")
def test_a_choice_on_a_stale_banner_is_refused_and_asked_again_with_the_text_in_force(
    browser_page, live_settings
):
    page = browser_page
    served = []

    def stale_first(route):
        answer = route.fetch()
        config = answer.json()
        if not served:  # the banner a visitor loaded before the policy changed
            config["policy_version"], config["consent_versions"] = "0.9", ["0.9"]
        served.append(config["policy_version"])
        route.fulfill(response=answer, json=config)

    page.route("**/consent/config.json", stale_first)
    page.goto(DEMO)
    banner(page).wait_for()
    with page.expect_response(lambda r: r.url.endswith("/consent/config.json")):
        page.get_by_role("button", name="Accept all").click()  # refused: 409
    banner(page).wait_for()
    assert served == ["0.9", "1.0"]
    assert not any(c["name"] == "steward_consent" for c in page.context.cookies())

    page.get_by_role("button", name="Accept all").click()
    page.locator("body[data-page-view=stored]").wait_for()
    stored = consent_cookie(page)
    assert stored["v"] == "1.0"
    assert ("analytics", "given", "banner") in ledger(live_settings, stored["id"])
