"""Verifying who asked (R7): a one-time code mailed to the address given, data points held
about the person, or a document the privacy officer reviews (also an agent's proof of
authority). A signed-in session and a re-entered password are checked at intake.

Codes are six digits, kept as hashes, expire after `requests.code_minutes` and are void after
`requests.code_attempts` wrong tries; resends are throttled, and wrong codes or data points
count against the address across all its requests (growing delays, as for sign-in). Every
attempt is audited (names and ids only) and put on the request's timeline. Whatever path succeeds calls `mark_verified`,
the one place a request becomes verified. An address Steward knows nothing about verifies
like any other, so nobody learns whether Steward holds data about an address; the request is
then answered "no data held".

The privacy officer can move an unverified request on: mail a new code (`resend_code`, the
old one stops working) or record how they checked who asked themselves (`record_check`: a
call-back to the number we hold, an identity document seen, known from their account), with a
note kept sealed in the request's details; each counts as one of the policy's methods
(`OFFICER_CHECKS`) and is refused where the policy does not accept that method.

`CodeIn` and `PointsIn` are what the person sends, to the API and on the privacy center's
pages alike; `CheckIn` is what the officer records.
"""

import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.access.gate import RIGHTS, PersonState, check
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM, VISITOR, Actor
from steward.core.errors import Conflict, Invalid, NotFound
from steward.core.ids import new_id
from steward.core.settings import Settings
from steward.identity import throttle
from steward.identity.common import email_index
from steward.identity.models import Person
from steward.policy.active import policy_of
from steward.policy.channels import usable
from steward.policy.schema import Policy
from steward.rights.common import (
    Short,
    by_reference,
    event,
    get_request,
    policy_channel,
    require_officer,
)
from steward.rights.models import RequestEvent, RequestFile, RightsRequest, VerificationCode
from steward.rights.queries import contact, tell
from steward.vault import files

RESEND_SECONDS = 60
MOST_CODES = 5  # codes per request: the first and four resends
DOCUMENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
MOST_DOCUMENT_BYTES = 10 * 1024 * 1024
MOST_DOCUMENTS = 5
POINTS = ("name", "phone", "company", "birth_date")  # besides the email address itself
FILES_KIND = "rights"


# The checks the officer makes themselves: what each is, in words, and the policy's
# verification method it counts as. A call-back to the number we hold proves, like a mailed
# code, that the person controls a way of reaching them we already had.
OFFICER_CHECKS = {
    "call_back": ("a call-back to the phone number we hold", "email_code"),
    "id_seen": ("an identity document seen", "document"),
    "account": ("known from their existing account", "data_points"),
}
# Every way a request is verified, in words (the timeline, the request's page).
METHOD_WORDS = {
    "session": "signed in",
    "password": "their password, entered again",
    "email_code": "the code mailed to their address",
    "data_points": "details matched to what we hold",
    "document": "a document they sent, reviewed",
    **{key: words for key, (words, _) in OFFICER_CHECKS.items()},
}


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["call_back", "id_seen", "account"]
    note: str = Field(min_length=1, max_length=500)


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=12)


class PointsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Short | None = None
    phone: Short | None = None
    company: Short | None = None
    birth_date: Short | None = None


def methods(policy: Policy, request: RightsRequest) -> list[str]:
    """The ways an unverified request can still be verified without signing in, through
    the channel it came by."""
    if request.status != "unverified" or request.kind == "inquiry":
        return []
    if request.on_behalf:
        return ["document"]  # an agent proves their authority, the officer reviews it
    right = policy.rights.get(request.kind)  # type: ignore[call-overload]
    offered = list(right.verification) if right is not None else []
    found = usable(policy_channel(request.channel), offered, signed_in=False)
    if not request.email:
        found = [m for m in found if m != "email_code"]  # asked by post, without an address
    return found


def _digest(request_id: str, code: str) -> str:
    return hashlib.sha256(f"{request_id}:{code}".encode()).hexdigest()


def _audit(session: Session, actor: Actor, action: str, person_id: str | None, ok: bool) -> None:
    record(
        session,
        actor,
        action,
        purpose=RIGHTS,
        person_id=person_id,
        categories=["user.authorization"],
        columns=[],
        outcome="ok" if ok else "failed",
    )


def _unverified(session: Session, reference: str, method: str) -> RightsRequest:
    request = by_reference(session, reference)
    if request.status != "unverified":
        raise Conflict("This request needs no verification now.")
    if method not in methods(policy_of(session), request):
        raise Invalid("This request cannot be verified this way.")
    return request


def person_for(session: Session, request: RightsRequest) -> str | None:
    """The person the request's address belongs to, if any (through the blind index)."""
    contact(session, SYSTEM, request, ["email"])
    if not request.email:
        return None
    index = email_index(session, request.email)
    return session.scalar(
        select(Person.id)
        .where(Person.email_index == index, Person.erased_at.is_(None))
        .order_by(Person.created_at)
        .limit(1)
    )


def address_throttle(session: Session, request: RightsRequest) -> str:
    """The throttle key of the address a request is about, shared by every request for it:
    opening many requests for one address buys no more guesses at its codes (X4)."""
    contact(session, SYSTEM, request, ["email"])
    address = (request.email or f"request:{request.id}").casefold()
    return throttle.key(session, f"rights-address:{address}")


def issue_code(session: Session, request: RightsRequest, actor: Actor | None = None) -> str:
    """A fresh code for the request (earlier ones stop working); returns it in clear once."""
    now = clock.now()
    for old in session.scalars(
        select(VerificationCode).where(
            VerificationCode.request_id == request.id,
            VerificationCode.used_at.is_(None),
            VerificationCode.expires_at > now,
        )
    ):
        old.expires_at = now
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = policy_of(session).requests.code_minutes
    session.add(
        VerificationCode(
            id=new_id(),
            request_id=request.id,
            code_hash=_digest(request.id, code),
            attempts=0,
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    event(session, request, "code_sent", actor)
    return code


def code_text(settings: Settings, request: RightsRequest, code: str, minutes: int) -> str:
    where = f"{settings.public_url.rstrip('/')}/privacy/center/verify?reference={request.reference}"
    return (
        f"To confirm that this request is yours, enter this code:\n\n    {code}\n\n"
        f"at {where}\nThe code works for {minutes} minutes. If you did not make this request, "
        "ignore this message: nothing will be done."
    )


def send_code(session: Session, settings: Settings, reference: str) -> None:
    """Mail a new code to the request's address; at most one a minute and five in all."""
    request = _unverified(session, reference, "email_code")
    now = clock.now()
    codes = session.execute(
        select(func.count(), func.max(VerificationCode.created_at)).where(
            VerificationCode.request_id == request.id
        )
    ).one()
    if codes[0] >= MOST_CODES:
        raise Conflict("No more codes can be sent for this request; make a new request.")
    if codes[1] is not None and now - codes[1] < timedelta(seconds=RESEND_SECONDS):
        raise Conflict("A code was sent less than a minute ago; wait a minute and try again.")
    mail_new_code(session, settings, request)


def mail_new_code(
    session: Session, settings: Settings, request: RightsRequest, actor: Actor | None = None
) -> bool:
    """Issue a new code (the earlier ones stop working) and mail it to the request's address;
    whether the mail went out. Commits."""
    code = issue_code(session, request, actor)
    session.commit()
    minutes = policy_of(session).requests.code_minutes
    sent = tell(
        session,
        settings,
        request,
        "Your verification code",
        code_text(settings, request, code, minutes),
    )
    session.commit()
    return sent


def _waiting(session: Session, officer: Actor, request_id: str) -> RightsRequest:
    require_officer(officer)
    request = get_request(session, request_id)
    if request.status != "unverified":
        raise Conflict("This request needs no verification now.")
    return request


def resend_code(session: Session, settings: Settings, officer: Actor, request_id: str) -> bool:
    """The officer mails the person a new code (the old one stops working), without the
    person's once-a-minute limit; audited. Whether the mail went out. Commits."""
    request = _waiting(session, officer, request_id)
    if "email_code" not in methods(policy_of(session), request):
        raise Invalid("This request cannot be verified by a mailed code.")
    _audit(session, officer, "resend_code", None, ok=True)
    return mail_new_code(session, settings, request, officer)


def record_check(
    session: Session, settings: Settings, officer: Actor, request_id: str, checked: CheckIn
) -> RightsRequest:
    """The officer records how they checked who asked; the request is verified by that
    method (shown on its timeline), the note kept sealed with the request's details. Refused
    where the policy does not accept the method the check counts as. Commits."""
    request = _waiting(session, officer, request_id)
    how, counts_as = OFFICER_CHECKS[checked.method]
    accepted = methods(policy_of(session), request)
    if counts_as not in accepted:
        words = "; ".join(METHOD_WORDS[m] for m in accepted) or "no check an officer can make"
        raise Invalid(f"For this request the policy accepts: {words}.")
    note = " ".join(checked.note.split())
    if not note:
        raise Invalid("Say briefly how you checked who asked.")
    contact(session, officer, request, ["details"], action="update")
    request.details = f"{(request.details or '').strip()}\n\nIdentity check ({how}): {note}".strip()
    person_id = person_for(session, request)
    _audit(session, officer, f"verify_{checked.method}", person_id, ok=True)
    mark_verified(session, settings, request, checked.method, person_id, actor=officer)
    session.commit()
    return request


def check_code(session: Session, settings: Settings, reference: str, code: str) -> RightsRequest:
    """Verify with the mailed code. A wrong code counts against it (and is kept, committed,
    even though the call fails)."""
    request = _unverified(session, reference, "email_code")
    guarded = address_throttle(session, request)
    throttle.ensure_allowed(session, [guarded])
    now = clock.now()
    policy = policy_of(session)
    current = session.scalar(
        select(VerificationCode)
        .where(VerificationCode.request_id == request.id, VerificationCode.used_at.is_(None))
        .order_by(VerificationCode.created_at.desc())
        .limit(1)
    )
    usable = (
        current is not None
        and current.expires_at > now
        and current.attempts < policy.requests.code_attempts
    )
    if current is None or not usable:
        _audit(session, VISITOR, "verify_code", None, ok=False)
        event(session, request, "code_failed", note="expired or used up")
        session.commit()
        raise Invalid("The code has expired or was tried too often; ask for a new one.")
    if not hmac.compare_digest(current.code_hash, _digest(request.id, code.strip())):
        current.attempts += 1
        throttle.fail(session, guarded, forgets=True)
        _audit(session, VISITOR, "verify_code", None, ok=False)
        event(session, request, "code_failed", note="wrong code")
        session.commit()
        if current.attempts >= policy.requests.code_attempts:
            raise Invalid("The code is wrong and now void; ask for a new one.")
        raise Invalid("The code is wrong.")
    current.used_at = now
    throttle.clear(session, guarded)
    person_id = person_for(session, request)
    _audit(session, VISITOR, "verify_code", person_id, ok=True)
    mark_verified(session, settings, request, "email_code", person_id)
    session.commit()
    return request


def _normal(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    return " ".join(text.split())


def _digits(value: object) -> str:
    return "".join(c for c in str(value or "") if c.isdigit())


def check_data_points(
    session: Session, settings: Settings, reference: str, points: dict[str, str]
) -> RightsRequest:
    """Verify by matching data points held about the person: the address counts as one, and
    together `requests.data_points` must match. Failures count like wrong codes."""
    request = _unverified(session, reference, "data_points")
    policy = policy_of(session)
    unknown = sorted(set(points) - set(POINTS))
    if unknown:
        raise Invalid(f"Data points are: {', '.join(POINTS)}.")
    failed = session.scalar(
        select(func.count()).where(
            RequestEvent.request_id == request.id, RequestEvent.step == "data_points_failed"
        )
    )
    if (failed or 0) >= policy.requests.code_attempts:
        raise Conflict("Too many attempts; send a document to prove who you are instead.")
    guarded = address_throttle(session, request)
    throttle.ensure_allowed(session, [guarded])
    person_id = person_for(session, request)
    matched = 0
    if person_id is not None:
        given = [c for c in POINTS if points.get(c)]
        check(
            session,
            SYSTEM,
            RIGHTS,
            PersonState(person_id),
            sorted({Person.__table__.c[c].info["category"] for c in given} or {"user.name"}),
            columns=given,
        )
        person = session.get(Person, person_id)
        for column in given:
            held = getattr(person, column, None) if person is not None else None
            same = _digits if column == "phone" else _normal
            if held and same(held) and same(held) == same(points[column]):
                matched += 1
        matched += 1  # the address itself
    if matched < policy.requests.data_points:
        throttle.fail(session, guarded, forgets=True)
        _audit(session, VISITOR, "verify_data_points", None, ok=False)
        event(session, request, "data_points_failed")
        session.commit()
        raise Invalid("These details do not match what we hold.")
    throttle.clear(session, guarded)
    _audit(session, VISITOR, "verify_data_points", person_id, ok=True)
    mark_verified(session, settings, request, "data_points", person_id)
    session.commit()
    return request


def upload_document(
    session: Session,
    settings: Settings,
    reference: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> None:
    """Keep a document proving identity (or an agent's authority), sealed under the request's
    key, for the privacy officer to review; it is removed once reviewed."""
    request = _unverified(session, reference, "document")
    if content_type not in DOCUMENT_TYPES:
        raise Invalid("Send a PDF, PNG or JPEG file.")
    if not data:
        raise Invalid("The file is empty.")
    if len(data) > MOST_DOCUMENT_BYTES:
        raise Invalid("The file is larger than 10 MB.")
    held = session.scalar(
        select(func.count()).where(
            RequestFile.request_id == request.id, RequestFile.kind == "document"
        )
    )
    if (held or 0) >= MOST_DOCUMENTS:
        raise Conflict("This request already has as many documents as it may.")
    contact(session, SYSTEM, request, ["details"], action="create")
    file_id = new_id()
    files.store(session, settings.files_dir, FILES_KIND, file_id, request.id, data)
    session.add(
        RequestFile(
            id=file_id,
            request_id=request.id,
            kind="document",
            filename=(filename or "document")[:200],
            content_type=content_type,
            size=len(data),
            created_at=clock.now(),
        )
    )
    event(session, request, "document_received", note=file_id)
    session.commit()


def _remove_documents(session: Session, settings: Settings, request: RightsRequest) -> None:
    for held in session.scalars(
        select(RequestFile).where(
            RequestFile.request_id == request.id, RequestFile.kind == "document"
        )
    ):
        files.remove(settings.files_dir, FILES_KIND, held.id)
        session.delete(held)


def document(
    session: Session, settings: Settings, officer: Actor, request_id: str, file_id: str
) -> tuple[str, str, bytes]:
    """The officer reads an uploaded document: (filename, content type, bytes)."""
    require_officer(officer)
    request = get_request(session, request_id)
    held = session.get(RequestFile, file_id)
    if held is None or held.request_id != request.id or held.kind != "document":
        raise NotFound("There is no such document.")
    contact(session, officer, request, ["details"])
    data = files.load(session, settings.files_dir, FILES_KIND, held.id, request.id)
    return held.filename or "document", held.content_type, data


def accept_document(
    session: Session, settings: Settings, officer: Actor, request_id: str
) -> RightsRequest:
    """The officer has reviewed the uploaded document and accepts it: the request is
    verified; the document is removed (it is not kept longer than needed)."""
    request = _waiting(session, officer, request_id)
    has_document = session.scalar(
        select(func.count()).where(
            RequestFile.request_id == request.id, RequestFile.kind == "document"
        )
    )
    if not has_document:
        raise Conflict("No document was sent for this request.")
    _remove_documents(session, settings, request)
    person_id = person_for(session, request)
    _audit(session, officer, "verify_document", person_id, ok=True)
    mark_verified(session, settings, request, "document", person_id, actor=officer)
    session.commit()
    return request


def mark_verified(
    session: Session,
    settings: Settings,
    request: RightsRequest,
    method: str,
    person_id: str | None,
    actor: Actor | None = None,
    waited: bool = True,
) -> None:
    """The one way a request becomes verified. The deadline moves by the time spent waiting
    for the person (the clock pauses while we wait for them, from when they were asked: for a
    request the officer logged, when it was logged), except for California requests, whose
    45 days run from receipt whatever verification takes. With no person behind the
    address, the request is answered "no data held". Then the immediate effects apply
    (restriction, objection, withdrawal, opt-out, limit). `waited=False`: verified as it was
    logged, nobody waited. The caller commits."""
    now = clock.now()
    if waited and not request.kind.startswith("ccpa_"):
        logged = session.scalar(
            select(RequestEvent.at).where(
                RequestEvent.request_id == request.id, RequestEvent.step == "logged"
            )
        )
        request.due_at = request.due_at + max(now - (logged or request.received_at), timedelta())
    request.verified_at = now
    request.verification = method
    request.person_id = person_id
    request.status = "open"
    request.lapses_at = None
    event(session, request, "verified", actor, note=method)
    session.flush()
    if person_id is None and request.kind != "inquiry":
        request.status = "done"
        request.outcome = "no_data"
        request.completed_at = now
        event(session, request, "answered", actor, note="no data held")
        session.flush()
        tell(
            session,
            settings,
            request,
            "Your privacy request",
            "We checked: we hold no personal data about this email address, so there is "
            "nothing to act on. If you used another address with us, make a request with it.",
        )
        return
    from steward.rights import effects  # lazily: the engine builds on this module

    effects.on_verified(session, settings, request)
