"""Cross-origin access for the cookie banner: a business website on its own origin embeds
banner.js from Steward, which then reads its configuration and records choices and usage
events here. Only those endpoints answer CORS, only to the origins in
`STEWARD_BANNER_ORIGINS`, and never with credentials: a cross-origin call is a visitor's."""

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

BANNER_PATHS = frozenset({"/consent/config.json", "/api/v1/consent", "/api/v1/events"})


class BannerCORS:
    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in BANNER_PATHS:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
