"""`steward mail`: turn inbound mail into tickets and replies (D7), from a file or as a small
SMTP server that a mail relay forwards the business's mail to."""

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from steward.cli.common import database, fail

if TYPE_CHECKING:
    from steward.desk.inbound import IngestResult
    from steward.policy.schema import Policy

app = typer.Typer(
    help="Inbound mail: ingest a message, or listen for mail on a local port.",
    no_args_is_help=True,
)
log = logging.getLogger("steward.mail.listen")
Ingest = Callable[[bytes], "IngestResult"]
RIGHTS_OUTCOME = "rights_request"  # the mail opened a privacy request; reason: its reference
RIGHTS_REPLY = "rights_reply"  # the mail answers a privacy request; reason: its reference


@contextmanager
def _ingester() -> Iterator[tuple[Ingest, "Policy"]]:
    """A function filing one raw message in a session of its own (vault and policy attached),
    and the active policy; a refusal by the gate is rolled back and recorded."""
    from steward.access.gate import Refused, record_refusal
    from steward.desk.inbound import IngestResult, ingest
    from steward.rights.mailbox import REPLY, take

    with database() as runtime:
        settings = runtime.settings

        def ingest_one(raw: bytes) -> "IngestResult":
            with runtime.session() as session:
                try:
                    # Rights first: a mail to the privacy address, or a closure asked from an
                    # account's own address (R9), is a privacy request, not a ticket (rights
                    # may import the desk, not the reverse).
                    taken = take(session, settings, raw)
                    if taken is not None:
                        reference, how = taken
                        outcome = RIGHTS_REPLY if how == REPLY else RIGHTS_OUTCOME
                        return IngestResult(None, outcome, reference)
                    return ingest(session, settings, raw)
                except Refused as refused:
                    session.rollback()
                    record_refusal(session, refused)
                    raise

        yield ingest_one, runtime.policy


def _said(result: "IngestResult") -> str:
    if result.outcome == RIGHTS_OUTCOME:
        return f"privacy request {result.reason}: opened from the mail; the sender was told by mail"
    if result.outcome == RIGHTS_REPLY:
        return f"privacy request {result.reason}: the reply is added to it"
    if result.outcome == "ignored":
        where = f" (ticket {result.ticket_id})" if result.ticket_id else ""
        return f"ignored{where}: {result.reason}"
    said = f"ticket {result.ticket_id}: {result.outcome}"
    if result.card_numbers_masked:
        said += f"; {result.card_numbers_masked} card number(s) masked, the sender was told"
    if result.attachments_dropped:
        said += f"; {result.attachments_dropped} attachment(s) not kept, the sender was told"
    return said


@app.command("ingest")
def ingest_file(
    file: Annotated[
        str, typer.Argument(help="The message (.eml, RFC 5322); '-' reads standard input.")
    ] = "-",
) -> None:
    """File one message as a new ticket or a reply; prints the ticket number and which."""
    from steward.core.errors import DomainError

    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            fail(f"cannot read {file}: {error.strerror}")
    with _ingester() as (ingest_one, _):
        try:
            result = ingest_one(raw)
        except DomainError as error:
            fail(error.message)
    typer.echo(_said(result))


class Handler:
    """aiosmtpd's handler: takes mail for the accepted addresses only, files each message
    (one at a time, off the event loop) and answers with the outcome."""

    def __init__(self, ingest_one: Ingest, accepted: frozenset[str] | None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.ingest_one = ingest_one
        self.accepted = accepted  # None: any address
        self.worker = ThreadPoolExecutor(max_workers=1)  # in turn: the same mail twice is one

    async def handle_RCPT(  # the names aiosmtpd calls
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.accepted is not None and address.casefold() not in self.accepted:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        from steward.access.gate import Refused
        from steward.core.errors import DomainError

        # The envelope's recipients as delivery headers, as a mail server's local delivery
        # adds them: a mail Bcc'd to the privacy address is still known to be for it.
        delivered = "".join(f"X-Original-To: {to}\r\n" for to in envelope.rcpt_tos)
        raw = delivered.encode() + bytes(envelope.original_content or envelope.content)
        try:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.worker, self.ingest_one, raw)
        except Refused:
            return "550 5.7.1 Not accepted under the privacy policy"
        except DomainError as error:
            log.info("inbound mail refused: %s", type(error).__name__)
            return "550 5.6.0 " + " ".join(error.message.split())
        except Exception as error:  # the sending server retries later
            log.warning("inbound mail failed: %s", type(error).__name__)
            return "451 4.3.0 Temporary failure, try again later"
        if result.outcome == "ignored":
            return "250 OK"
        if result.outcome in (RIGHTS_OUTCOME, RIGHTS_REPLY):
            return f"250 OK privacy request {result.reason}"
        return f"250 OK ticket {result.ticket_id} {result.outcome}"


@app.command("listen")
def listen(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 2525,
    accept_any: Annotated[
        bool,
        typer.Option(
            "--accept-any",
            help="Take mail for any address, not only the controller's email, privacy "
            "contact and DPO in the policy.",
        ),
    ] = False,
) -> None:
    """Run an SMTP server that files every message it receives, until stopped."""
    import signal
    import threading

    from aiosmtpd.controller import Controller

    from steward.mail.inbound import MAX_BYTES

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs addresses at INFO
    with _ingester() as (ingest_one, policy):
        dpo = policy.controller.dpo
        ours = [policy.controller.email, policy.controller.privacy_contact]
        ours += [dpo.email] if dpo is not None else []
        accepted = None if accept_any else frozenset(a.casefold() for a in ours)
        handler = Handler(ingest_one, accepted)
        server = Controller(
            handler, hostname=host, port=port, data_size_limit=MAX_BYTES, enable_SMTPUTF8=True
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            server.start()
        except (OSError, RuntimeError) as error:
            fail(f"cannot listen on {host}:{port}: {error}")
        typer.echo(f"listening for mail on {host}:{port} (Ctrl+C to stop)", err=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
            handler.worker.shutdown()
