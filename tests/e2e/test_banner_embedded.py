"""The banner on the business's own website (C1), in a real browser: a page served from
another origin embeds banner.js from Steward with one script tag; accepting analytics there
records the choice in Steward's ledger, keeps the cookie on the website's own origin, and
lets the website's analytics script store a page view through Steward's API (CORS)."""

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.e2e.test_banner import banner, consent_cookie, ledger, usage_events

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Houston Generator</title>
<script src="{steward}/consent/banner.js" defer></script></head>
<body><h1>Generators for every home</h1>
<script type="text/plain" data-category="analytics">
fetch("{steward}/api/v1/events", {{
  method: "POST", headers: {{"Content-Type": "application/json"}},
  body: JSON.stringify({{browser_id: window.StewardConsent.browserId(), kind: "page_view",
                        path: location.pathname}})
}}).then(function (r) {{ return r.json(); }}).then(function (a) {{
  document.body.setAttribute("data-page-view", a.stored ? "stored" : "refused");
}});
</script></body></html>
"""


@pytest.fixture
def site() -> Iterator[http.server.ThreadingHTTPServer]:
    """The business's website, bound at once to a port of its own (served by `website`)."""
    content: list[bytes] = []

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(content[0])

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    server.content = content  # type: ignore[attr-defined]
    yield server
    server.server_close()


@pytest.fixture
def site_port(site) -> int:
    return site.server_address[1]


@pytest.fixture
def live_settings(live_settings, site_port):
    """Steward told that the website at http://localhost:<site_port> embeds its banner."""
    return live_settings.model_copy(update={"banner_origins": f"http://localhost:{site_port}"})


@pytest.fixture
def website(live_server: str, site, site_port: int) -> Iterator[str]:
    """The business's website: one page, on an origin of its own (another host name)."""
    site.content.append(PAGE.format(steward=live_server).encode())
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{site_port}/"
    site.shutdown()


@pytest.mark.promise("C1", "C2")
def test_the_banner_works_on_the_business_website_from_another_origin(
    website, browser_page, live_settings, screenshot
):
    page = browser_page
    page.goto(website)
    banner(page).wait_for()
    screenshot(page, "1-asked-on-the-website")
    page.get_by_role("button", name="Accept all").click()
    page.locator("body[data-page-view=stored]").wait_for()

    stored = consent_cookie(page)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "steward_consent"]
    assert cookie["domain"] == "localhost"  # the website's own first-party cookie
    assert ("analytics", "given", "banner") in ledger(live_settings, stored["id"])
    assert usage_events(live_settings, stored["id"]) == 1
