"""A call recording held while its call form is corrected, so the agent need not attach it
again after a mistake in another field.

Only a recording that may be kept is held: the caller heard the recording notice, it is
audio, not empty and not too large (D6: one without the notice is refused whole, nothing
stored). The caller may not be known yet (their email address was the mistake), so it is
sealed under the agent's own data key, which also means no one else can use it; the form
carries only a random token. It is removed once the call is logged with it, or after
HELD_FOR, whichever comes first (an hour: long enough to fix a form, short enough that a
recording never outlives its purpose here); the worker removes expired ones (`drop_expired`).
"""

import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from steward.access.gate import check_role
from steward.core import clock
from steward.core.actor import Actor
from steward.core.errors import DomainError, Invalid, NotFound
from steward.core.settings import Settings
from steward.desk.calls import NOT_RECORDED, keepable_recording
from steward.desk.common import SUPPORT
from steward.desk.messages import Upload
from steward.policy.active import policy_of
from steward.policy.serviceable import records_calls
from steward.vault import files

HELD = "held_recordings"  # the files.py kind
HELD_FOR = timedelta(hours=1)
GONE = (
    "The recording attached earlier is no longer kept (it is removed after an hour): "
    "attach it again."
)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass(frozen=True)
class HeldRecording:
    token: str  # what the form carries back
    filename: str


def hold(
    session: Session,
    settings: Settings,
    actor: Actor,
    upload: Upload,
    *,
    notice_played: bool,
) -> HeldRecording:
    """Hold a recording the agent attached to a call form that was refused. Raises the reason
    when it may not be kept at all. Commits (the agent's data key may be new)."""
    check_role(session, actor, "hand over call recordings", SUPPORT)
    if not records_calls(policy_of(session)):
        raise Invalid(NOT_RECORDED)
    content_type = keepable_recording(notice_played, upload.content_type, upload.data)
    if actor.person_id is None:
        raise Invalid("Only a signed-in staff member's recording can be held.")
    drop_expired(settings)
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "recording"
    header = json.dumps({"filename": name, "content_type": content_type}).encode()
    token = secrets.token_urlsafe(24)
    packed = len(header).to_bytes(4, "big") + header + upload.data
    files.store(session, settings.files_dir, HELD, token, actor.person_id, packed)
    session.commit()
    return HeldRecording(token, name)


def take(session: Session, settings: Settings, actor: Actor, token: str) -> Upload:
    """The recording held under this token for this agent; NotFound when it expired, was
    used, or is not theirs."""
    check_role(session, actor, "hand over call recordings", SUPPORT)
    if not _TOKEN.fullmatch(token) or actor.person_id is None or token in drop_expired(settings):
        raise NotFound(GONE)
    try:
        packed = files.load(session, settings.files_dir, HELD, token, actor.person_id)
    except DomainError:  # gone, or sealed under another agent's key
        raise NotFound(GONE) from None
    size = int.from_bytes(packed[:4], "big")
    header = json.loads(packed[4 : 4 + size])
    return Upload(header["filename"], header["content_type"], packed[4 + size :])


def drop(settings: Settings, token: str) -> None:
    """Remove a held recording (it was used, or replaced)."""
    if _TOKEN.fullmatch(token):
        files.remove(settings.files_dir, HELD, token)


def drop_expired(settings: Settings) -> set[str]:
    """Remove the recordings held longer than HELD_FOR: on every hold and take, and by the
    worker every 15 minutes, so one is gone even if no one opens the call form again."""
    expired = set(files.stored_ids(settings.files_dir, HELD, clock.now() - HELD_FOR))
    for token in expired:
        files.remove(settings.files_dir, HELD, token)
    return expired
