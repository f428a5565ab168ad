"""Security headers on every answer: pages may load only Steward's own scripts and styles and
may not be framed, and a browser that reached Steward over HTTPS is told to keep to it.

Every answer gets them, not only pages: they cost nothing on JSON and files, and a route
that renders HTML can never be forgotten. An answer that sets its own policy keeps it (the
banner's demo page stands in for a business website). Nothing here limits who may load
`/consent/banner.js` or call the banner's endpoints: CORS (web/cors.py) decides that.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# A year; not includeSubDomains: the business's other hosts are not Steward's to decide.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

_PLAIN = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
_HTTPS = [*_PLAIN, (b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode())]


class SecurityHeaders:
    """Plain ASGI, like the app's other middleware, adding the encoded headers a response
    lacks, in one pass over its header list."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The scheme the client used: a trusted proxy's X-Forwarded-Proto is already applied.
        added = _HTTPS if scope["scheme"] == "https" else _PLAIN

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [header for header in added if header[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
