"""Requests Steward sends to another party's HTTPS address (a processor's notify_url, a
portability push): the system's trusted CAs plus the operator's private CA, and no redirect
followed, so a request goes to the address given and nowhere else."""

import ssl
import urllib.request
from typing import Any

from steward.core.settings import Settings


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer, never a second destination


def tls_context(settings: Settings) -> ssl.SSLContext:
    """The system's trusted CAs, plus `outbound_ca_file` when set (a private CA)."""
    context = ssl.create_default_context()
    if settings.outbound_ca_file is not None:
        context.load_verify_locations(cafile=str(settings.outbound_ca_file))
    return context


def opener(settings: Settings) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=tls_context(settings)), NoRedirects()
    )
