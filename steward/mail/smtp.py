"""Sending one message over SMTP to STEWARD_SMTP_URL (smtp://host:port)."""

import logging
import smtplib
from collections.abc import Mapping
from email import policy as email_policy
from email.message import EmailMessage
from urllib.parse import urlsplit

from steward.core.errors import DomainError
from steward.core.settings import Settings

log = logging.getLogger("steward.mail")
TIMEOUT_SECONDS = 10
# Long header values without spaces (a List-Unsubscribe URL) must stay readable to mail
# clients: fold only past RFC 5322's hard limit, never into RFC 2047 encoded words.
_POLICY = email_policy.default.clone(max_line_length=998)


class MailFailed(DomainError):
    status = 503
    title = "Mail could not be sent"


def _server(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise MailFailed("The mail server address is not an smtp://host:port URL.")
    return parts.hostname, parts.port or 25


def send(
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    *,
    sender: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Deliver a plain-text message (with extra headers such as Message-ID or
    List-Unsubscribe); raise MailFailed (naming no address) when it cannot."""
    host, port = _server(settings.smtp_url)
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail not sent: %s", type(error).__name__)
        raise MailFailed("The message could not be sent; please try again later.") from None
