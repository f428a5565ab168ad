"""Reading one inbound message (RFC 5322 bytes) into plain parts the desk can use: the sender,
the subject, a text body, the ids that thread it, whether a machine sent it, and its files.

Only the standard library reads the mail (`email`, policy `default`); HTML is reduced to text
by `html.parser`, keeping words and line breaks and nothing that could run or load. Input
that is not a usable message raises `MalformedMail`, never a traceback.
"""

import mimetypes
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser

from steward.core.errors import Invalid

OWN_MESSAGE = "@steward>"  # how every Message-ID Steward writes ends: our own mail
QUOTE_HEADER = re.compile(r"^(on .+ wrote:|-+ ?original message ?-+)$", re.IGNORECASE)

MAX_BYTES = 30 * 1024 * 1024
MAX_FILENAME = 200
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_AUTOMATIC_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_MACHINE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")


class MalformedMail(Invalid):
    title = "Malformed mail"


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    sender: str  # the From address
    sender_name: str | None
    recipients: tuple[str, ...]  # the To, Cc and delivery headers' addresses
    subject: str
    body: str
    message_id: str | None  # "<id@host>"
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    automatic: str | None  # why a machine sent it (an auto-reply, a bounce, a list), or None
    attachments: tuple[InboundAttachment, ...]

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids this message answers, the direct parent first."""
        return tuple(dict.fromkeys((*self.in_reply_to, *reversed(self.references))))


def parse(raw: bytes) -> InboundMail:
    """The message's parts; MalformedMail (naming no content) when it is not a usable mail."""
    if not raw.strip():
        raise MalformedMail("The message is empty.")
    if len(raw) > MAX_BYTES:
        raise MalformedMail(f"The message is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        message = message_from_bytes(raw, policy=policy.default)
        sender = _sender(message)
        return InboundMail(
            sender=sender.addr_spec,
            sender_name=_clean(sender.display_name) or None,
            recipients=_recipients(message),
            subject=_clean(str(message.get("Subject", ""))),
            body=_body(message),
            message_id=next(iter(_ids(message, "Message-ID")), None),
            in_reply_to=_ids(message, "In-Reply-To"),
            references=_ids(message, "References"),
            automatic=_automatic(message, sender),
            attachments=tuple(_attachments(message)),
        )
    except MalformedMail:
        raise
    except Exception as error:  # the parser's many ways to choke on a broken message
        raise MalformedMail(
            f"The message could not be read ({type(error).__name__}); it needs a From header "
            "and valid RFC 5322 headers."
        ) from None


def _clean(text: str) -> str:
    """One line, without control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _sender(message: EmailMessage) -> Address:
    header = message.get("From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    if not addresses or not addresses[0].username or not addresses[0].domain:
        raise MalformedMail("The message has no valid sender (From) address.")
    return addresses[0]  # type: ignore[no-any-return]


def _recipients(message: EmailMessage) -> tuple[str, ...]:
    values = [str(v) for n in RECIPIENT_HEADERS for v in message.get_all(n, [])]
    found = [address for _, address in getaddresses(values) if "@" in address]
    return tuple(dict.fromkeys(found))


def _ids(message: EmailMessage, name: str) -> tuple[str, ...]:
    values = " ".join(str(v) for v in message.get_all(name, []))
    found = [f"<{m}>" for m in _MESSAGE_ID.findall(values)]
    if not found and name == "Message-ID" and values.strip() and " " not in values.strip():
        found = [f"<{values.strip()}>"]  # a bare id, without the angle brackets
    return tuple(dict.fromkeys(found))


def _automatic(message: EmailMessage, sender: Address) -> str | None:
    """RFC 3834 and the common conventions of auto-responders, bounces and lists."""
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "an automatic message (Auto-Submitted)"
    if str(message.get("Precedence", "")).strip().lower() in _AUTOMATIC_PRECEDENCE:
        return "an automatic or bulk message (Precedence)"
    if any(message.get(h) is not None for h in ("X-Autoreply", "X-Autorespond")):
        return "an auto-reply"
    if message.get_content_type() == "multipart/report":
        return "a delivery report (bounce)"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "a bounce (empty return path)"
    if sender.username.lower() in _MACHINE_SENDERS:
        return "a bounce (sent by a mail server)"
    return None


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _text_of(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def _attachments(message: EmailMessage) -> list[InboundAttachment]:
    body = message.get_body(preferencelist=("plain", "html"))
    found: list[InboundAttachment] = []

    def visit(part: Message) -> None:
        content_type = part.get_content_type()
        if part is body:
            return
        if content_type == "message/rfc822":  # a forwarded mail travels whole, as a file
            inner = part.get_payload()
            forwarded = inner[0] if isinstance(inner, list) and inner else None
            data = forwarded.as_bytes() if isinstance(forwarded, Message) else b""
            found.append(InboundAttachment(_filename(part, len(found)), content_type, data))
            return
        if part.is_multipart():
            for child in part.iter_parts():  # type: ignore[attr-defined]
                visit(child)
            return
        named = part.get_filename() is not None or part.get_content_disposition() == "attachment"
        if not named and part.get_content_maintype() in ("text", "multipart"):
            return  # the other alternative of the body (the HTML beside the text)
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        found.append(InboundAttachment(_filename(part, len(found)), content_type, data))

    if message.is_multipart():
        visit(message)
    return found


def _filename(part: Message, index: int) -> str:
    """The file's own name, without any folder in it, or a made-up one."""
    name = _clean(re.split(r"[/\\]", part.get_filename() or "")[-1]).strip(". ")
    if not name:
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        name = f"attachment-{index + 1}{extension}"
    return name[-MAX_FILENAME:]


class _TextOfHtml(HTMLParser):
    """Text of an HTML document: the words and line breaks, nothing else."""

    SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
    LINES = frozenset({"br", "li", "tr", "hr"})  # a new line before
    BLOCKS = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"}
        | {"pre", "section", "article", "header", "footer"}
    )  # a new line before and after

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.LINES or tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(body: str) -> str:
    """A reply without the quoted mail below it ("On ... wrote:" and the `>` lines after
    it). Quotes between the sender's own lines stay, so nothing they wrote is lost."""
    lines = body.split("\n")
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    if end < len(lines) and end and QUOTE_HEADER.match(lines[end - 1].strip()):
        end -= 1
    kept = "\n".join(lines[:end]).strip()
    return kept or body
