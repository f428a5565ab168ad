"""The cookie banner as a website embeds it: its script, its configuration, and a demo page.

`GET /consent/banner.js` is the hand-written script (steward/web/static/consent/banner.js);
`GET /consent/config.json` is what it shows, built from the active policy's cookie
categories: the policy version, the texts, and the SHA-256 of those texts exactly as shown,
which the banner sends with every choice so the ledger can prove what the person saw.
`GET /consent/demo` is a page embedding the banner like a business website would, with an
inert analytics script that the banner activates only when analytics is accepted.
"""

import base64
import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from steward.consent.banner import config
from steward.policy.publish import name_of
from steward.web.headers import CONTENT_SECURITY_POLICY

router = APIRouter(include_in_schema=False)

SCRIPT = Path(__file__).parent.parent / "static" / "consent" / "banner.js"


@cache
def _script() -> bytes:
    return SCRIPT.read_bytes()


@router.get("/consent/banner.js")
def banner_script() -> Response:
    return Response(
        _script(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get("/consent/config.json")
def banner_config(request: Request) -> Response:
    state = request.app.state
    body, _ = config(state.active_policy.policy, state.consent_versions)
    # Never cached: a material change must reach the banner at once, so it asks again.
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-cache"})


# The demo stands in for a business website, whose own inline style and analytics script
# (run by the banner once analytics is accepted) its policy allows by hash, nothing else.
_DEMO_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 1rem 1rem 16rem;
  color: #1a1a1a; }
main { max-width: 40rem; margin: 0 auto; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
"""
_DEMO_ANALYTICS = """
(function () {
  var status = document.getElementById("analytics-status");
  status.textContent = "Analytics: running.";
  var csrf = document.cookie.match(/(?:^|; )steward_csrf=([^;]*)/);
  var headers = {"Content-Type": "application/json"};
  if (csrf) headers["X-CSRF-Token"] = decodeURIComponent(csrf[1]);  // when signed in
  fetch("/api/v1/events", {
    method: "POST",
    headers: headers,
    body: JSON.stringify({browser_id: window.StewardConsent.browserId(), kind: "page_view",
                          path: location.pathname})
  }).then(function (r) { return r.json(); }).then(function (answer) {
    status.textContent = "Analytics: page view " + (answer.stored ? "stored." : "not stored.");
    document.body.setAttribute("data-page-view", answer.stored ? "stored" : "refused");
  });
})();
"""
_DEMO = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{business} — banner demo</title>
<style>{style}</style>
<script src="/consent/banner.js" defer></script>
</head>
<body>
<main>
<h1>{business}</h1>
<p>This page embeds the cookie banner the way a business website does, with one script
tag:</p>
<pre><code>&lt;script src="{origin}/consent/banner.js" defer&gt;&lt;/script&gt;</code></pre>
<p>It also holds an analytics script written as
<code>&lt;script type="text/plain" data-category="analytics"&gt;</code>: the browser
ignores it until the banner activates it, which happens only when analytics is accepted.</p>
<p id="analytics-status" role="status">Analytics: not running.</p>
<footer><p><a href="/privacy/cookies">Cookie policy</a> ·
<button type="button" data-steward-consent-open>Cookie settings</button></p></footer>
</main>
<script type="text/plain" data-category="analytics">{analytics}</script>
</body>
</html>
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


_DEMO_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", f"script-src 'self' {_hash(_DEMO_ANALYTICS)}"
).replace("style-src 'self'", f"style-src 'self' {_hash(_DEMO_STYLE)}")


@router.get("/consent/demo", response_class=HTMLResponse)
def demo(request: Request) -> HTMLResponse:
    policy = request.app.state.active_policy.policy
    origin = str(request.base_url).rstrip("/")
    page = _DEMO.format(
        business=escape(name_of(policy)),
        origin=escape(origin),
        style=_DEMO_STYLE,
        analytics=_DEMO_ANALYTICS,
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": _DEMO_POLICY})
