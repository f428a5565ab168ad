"""Watching for attacks (X4): rules over the audit trail and the sign-in records, evaluated by
the worker every few minutes from where it last looked, and the alerts they raise.

The rules, with their thresholds, windows and responses from the policy's `watch:` section
(defaults when it has none):
- `many_people`: one staff account reading many distinct people in a window: more than the
  threshold, or (with `multiple`) that many times its usual number;
- `off_hours`: a staff account exporting, or reading many people, outside working hours (the
  business's, in the controller's time zone);
- `credential_stuffing`: many different logins tried from one address;
- `mfa_failures`: repeated wrong codes on one account.

Windows are `window` long and start every half window, so a burst no longer than half a window
falls whole into one. Each window is counted by one aggregate query over an indexed time range;
a run looks only at the windows since the last run (the cursor), and a subject already alerted
on is not alerted again for an overlapping window. A hit is an alert row holding the rule, an
account id or an address's blind index, the window and counts: no personal data. New alerts
are mailed to the privacy officers; a rule that `respond`s locks the account and ends its
sessions (for an address: bars it for an hour and locks the accounts it got into), recorded on
the alert and in the audit trail. The officer dismisses an alert with a reason, or makes it an
incident in one step, its window and subject carried over.
"""

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, distinct, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from steward.access.gate import INCIDENTS, PersonState, check
from steward.audit.models import AuditEntry
from steward.audit.service import record
from steward.core import clock
from steward.core.actor import SYSTEM, Actor
from steward.core.settings import Settings
from steward.identity import throttle
from steward.identity.common import load_account, local_for, mail_quietly
from steward.identity.models import STAFF_ROLES, Account, SignInAttempt
from steward.identity.sessions import end_all
from steward.incidents.models import Alert, WatchCursor
from steward.policy import local
from steward.policy.active import policy_of
from steward.policy.durations import Duration as Period
from steward.policy.schema import Watch, WatchRule, WorkingHours
from steward.rights.deadlines import officer_addresses

log = logging.getLogger("steward.watch")

RULES = {
    "many_people": "One account read unusually many people",
    "off_hours": "Exports or reads of many people outside working hours",
    "credential_stuffing": "Sign-ins to many accounts tried from one address",
    "mfa_failures": "Repeated wrong multi-factor codes on one account",
}
# What reading a person looks like in the audit trail, and which of it takes a copy away.
EXPORTS = ("export", "export_review", "download", "disclose")
READS = ("read", *EXPORTS)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
LATE = timedelta(minutes=2)  # entries committed after a run by transactions begun before it
LOOK_BACK = timedelta(days=7)  # the furthest a run looks back after the worker was stopped
ATTEMPTS_KEPT = timedelta(days=2)  # sign-in records outlive the longest window (24 hours)
CURSOR = "watch"
HISTORY_DAYS = 5  # days of reading in the baseline before an account has a usual rate


@dataclass(frozen=True)
class Hit:
    rule: str
    subject_kind: str  # account, address
    subject: str
    role: str | None
    window_from: datetime
    window_until: datetime
    count: int
    threshold: int
    counts: dict[str, Any]


@dataclass(frozen=True)
class AlertView:
    id: str
    rule: str
    title: str
    subject_kind: str
    subject: str
    role: str | None
    window_from: datetime
    window_until: datetime
    count: int
    threshold: int
    counts: dict[str, Any]
    raised_at: datetime
    status: str
    responded_at: datetime | None
    response: dict[str, Any]
    dismissed_at: datetime | None
    dismiss_reason: str
    incident_id: str | None


def view_of(alert: Alert) -> AlertView:
    return AlertView(
        id=alert.id,
        rule=alert.rule,
        title=RULES.get(alert.rule, alert.rule),
        subject_kind=alert.subject_kind,
        subject=alert.subject,
        role=alert.role,
        window_from=alert.window_from,
        window_until=alert.window_until,
        count=alert.count,
        threshold=alert.threshold,
        counts=json.loads(alert.counts),
        raised_at=alert.raised_at,
        status=alert.status,
        responded_at=alert.responded_at,
        response=json.loads(alert.response),
        dismissed_at=alert.dismissed_at,
        dismiss_reason=alert.dismiss_reason,
        incident_id=alert.incident_id,
    )


def rules_of(session: Session) -> Watch:
    return policy_of(session).watch or Watch()


def windows(
    length: timedelta, since: datetime, until: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The windows of `length`, starting every half `length` from EPOCH, that hold a moment in
    [since, until)."""
    step = length / 2
    start = EPOCH + ((since - length - EPOCH) // step + 1) * step
    while start < until:
        yield start, start + length
        start += step


# The rules: each counts one window [start, end) and returns its hits.


def _staff_reads(query: Any, start: datetime, end: datetime) -> Any:
    """Staff reading other people in [start, end): their own record (read at each sign-in)
    is not counted, hence the join on the account (its primary key)."""
    return query.join(Account, Account.id == AuditEntry.actor).where(
        AuditEntry.at >= start,
        AuditEntry.at < end,
        AuditEntry.actor_role.in_(STAFF_ROLES),
        AuditEntry.action.in_(READS),
        AuditEntry.person_id.is_not(None),
        AuditEntry.person_id != Account.person_id,
    )


def _usual(session: Session, actor: str, baseline: Period, before: datetime) -> float | None:
    """The distinct people the account reads on a usual working day: over the baseline, the
    people it read each day it read any, averaged; None with under HISTORY_DAYS such days (a
    new account has no usual yet)."""
    since = baseline.before(before)
    # The first entry of the baseline by the time index; ids grow with time, so the account's
    # entries since are a range of its (actor, id) index.
    first = session.scalar(
        select(AuditEntry.id).where(AuditEntry.at >= since).order_by(AuditEntry.at).limit(1)
    )
    if first is None:
        return None
    own = session.scalar(select(Account.person_id).where(Account.id == actor)) or ""
    days = (
        select(AuditEntry.person_id, func.date(AuditEntry.at).label("day"))
        .where(
            AuditEntry.actor == actor,  # ix_audit_entries_actor: (actor, id)
            AuditEntry.id >= first,
            AuditEntry.at < before,
            AuditEntry.action.in_(READS),
            AuditEntry.person_id.is_not(None),
            AuditEntry.person_id != own,
        )
        .distinct()
        .subquery()
    )
    person_days, active_days = session.execute(
        select(func.count(), func.count(distinct(days.c.day)))
    ).one()
    return float(person_days) / active_days if active_days >= HISTORY_DAYS else None


def many_people(session: Session, watch: Watch, start: datetime, end: datetime) -> list[Hit]:
    rule = watch.many_people
    floor = min(rule.threshold, rule.at_least) if rule.multiple else rule.threshold
    people = func.count(distinct(AuditEntry.person_id))
    rows = session.execute(
        _staff_reads(select(AuditEntry.actor, func.max(AuditEntry.actor_role), people), start, end)
        .group_by(AuditEntry.actor)
        .having(people >= floor)
    ).all()
    hits = []
    for actor, role, count in rows:
        counts: dict[str, Any] = {"people": count}
        limit = rule.threshold
        if rule.multiple and count < rule.threshold:
            usual = _usual(session, actor, rule.baseline, start)
            if usual is not None:
                counts["usual"] = round(usual, 1)
                limit = max(rule.at_least, int(rule.multiple * usual) + 1)
        if count >= limit:
            hits.append(
                Hit("many_people", "account", actor, role, start, end, count, limit, counts)
            )
    return hits


def off_hours_spans(
    hours: WorkingHours, zone: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) outside the working hours, as UTC spans."""
    tz = local.zone(zone)
    working = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date():
        if ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()] in hours.days:
            opens = datetime.combine(day, hours.start, tz).astimezone(UTC)
            closes = datetime.combine(day, hours.end, tz).astimezone(UTC)
            working.append((max(opens, start), min(closes, end)))
        day += timedelta(days=1)
    spans, at = [], start
    for opens, closes in sorted(w for w in working if w[0] < w[1]):
        if opens > at:
            spans.append((at, opens))
        at = max(at, closes)
    if at < end:
        spans.append((at, end))
    return spans


def off_hours(session: Session, watch: Watch, start: datetime, end: datetime) -> list[Hit]:
    controller = policy_of(session).controller
    zone = controller.time_zone or local.country_zone(controller.country)
    spans = off_hours_spans(watch.working_hours, zone, start, end)
    if not spans:
        return []
    rule = watch.off_hours
    people = func.count(distinct(AuditEntry.person_id))
    exports = func.count(distinct(AuditEntry.id)).filter(AuditEntry.action.in_(EXPORTS))
    inside = or_(*(and_(AuditEntry.at >= a, AuditEntry.at < b) for a, b in spans))
    rows = session.execute(
        _staff_reads(
            select(AuditEntry.actor, func.max(AuditEntry.actor_role), people, exports), start, end
        )
        .where(inside)
        .group_by(AuditEntry.actor)
        .having(or_(people >= rule.threshold, exports > 0))
    ).all()
    return [
        Hit(
            "off_hours",
            "account",
            actor,
            role,
            start,
            end,
            count,
            rule.threshold,
            {"people": count, "exports": exported},
        )
        for actor, role, count, exported in rows
    ]


def credential_stuffing(
    session: Session, watch: Watch, start: datetime, end: datetime
) -> list[Hit]:
    rule = watch.credential_stuffing
    # Logins that failed: an office behind one address signing in each morning is no attack.
    logins = func.count(distinct(SignInAttempt.login_key)).filter(
        SignInAttempt.succeeded.is_(False)
    )
    succeeded = func.count(SignInAttempt.id).filter(SignInAttempt.succeeded.is_(True))
    rows = session.execute(
        select(SignInAttempt.address_key, logins, func.count(SignInAttempt.id), succeeded)
        .where(SignInAttempt.at >= start, SignInAttempt.at < end)
        .group_by(SignInAttempt.address_key)
        .having(logins >= rule.threshold)
    ).all()
    return [
        Hit(
            "credential_stuffing",
            "address",
            address,
            None,
            start,
            end,
            count,
            rule.threshold,
            {"accounts": count, "attempts": attempts, "succeeded": good},
        )
        for address, count, attempts, good in rows
    ]


def mfa_failures(session: Session, watch: Watch, start: datetime, end: datetime) -> list[Hit]:
    rule = watch.mfa_failures
    failures = func.count(AuditEntry.id)
    rows = session.execute(
        select(AuditEntry.actor, func.max(AuditEntry.actor_role), failures)
        .where(AuditEntry.at >= start, AuditEntry.at < end, AuditEntry.action == "mfa_failed")
        .group_by(AuditEntry.actor)
        .having(failures >= rule.threshold)
    ).all()
    return [
        Hit(
            "mfa_failures",
            "account",
            actor,
            role,
            start,
            end,
            count,
            rule.threshold,
            {"failures": count},
        )
        for actor, role, count in rows
    ]


Evaluate = Callable[[Session, Watch, datetime, datetime], list[Hit]]
EVALUATE: dict[str, Evaluate] = {
    "many_people": many_people,
    "off_hours": off_hours,
    "credential_stuffing": credential_stuffing,
    "mfa_failures": mfa_failures,
}


def _rule(watch: Watch, name: str) -> WatchRule:
    found: WatchRule = getattr(watch, name)
    return found


# Raising, responding, mailing.


def _strongest(hits: list[Hit]) -> list[Hit]:
    """Of a subject's hits in overlapping windows, the one that counted most (the earliest of
    equals): one alert per subject and burst."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-h.count, h.window_from)):
        if not any(
            k.subject == hit.subject
            and k.window_from < hit.window_until
            and hit.window_from < k.window_until
            for k in kept
        ):
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.window_from, h.subject))


def _raise(session: Session, hit: Hit, now: datetime) -> Alert | None:
    """The new alert for a hit, or None when this window or an overlapping one already has
    one for the subject (the same window's counts are brought up to date)."""
    same = session.scalar(
        select(Alert)
        .where(
            Alert.rule == hit.rule,
            Alert.subject == hit.subject,
            Alert.window_until > hit.window_from,  # ix_alerts_subject
            Alert.window_from < hit.window_until,
        )
        .order_by(Alert.window_from)
    )
    if same is not None:
        if same.window_from == hit.window_from and hit.count > same.count:
            same.count, same.counts = hit.count, json.dumps(hit.counts, sort_keys=True)
        return None
    alert = Alert(
        rule=hit.rule,
        subject_kind=hit.subject_kind,
        subject=hit.subject,
        role=hit.role,
        window_from=hit.window_from,
        window_until=hit.window_until,
        count=hit.count,
        threshold=hit.threshold,
        counts=json.dumps(hit.counts, sort_keys=True),
        raised_at=now,
        status="open",
        response="{}",
        dismiss_reason="",
    )
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:  # another run raised it a moment ago
        return None
    record(session, SYSTEM, "watch_alert", purpose=INCIDENTS, person_id=person_of(session, alert))
    return alert


def person_of(session: Session, alert: Alert) -> str | None:
    if alert.subject_kind != "account":
        return None
    return session.scalar(select(Account.person_id).where(Account.id == alert.subject))


def lock(session: Session, actor: Actor, account_id: str) -> int | None:
    """Lock an account and end its sessions at once (the caller commits); returns the
    sessions ended, or None when there is no such account. Signing in stays refused until
    an admin sets it active again."""
    account = load_account(session, Account.id == account_id)
    if account is None:
        return None
    check(
        session,
        actor,
        INCIDENTS,
        PersonState(account.person_id),
        ["user.authorization"],
        action="lock",
        columns=["status"],
    )
    if account.status in ("active", "unverified"):
        account.status = "locked"
    return end_all(session, account.id)


def _respond(session: Session, alert: Alert, now: datetime) -> None:
    response: dict[str, Any] = {"locked": [], "sessions_ended": 0}
    accounts = [alert.subject]
    if alert.subject_kind == "address":
        throttle.bar(session, alert.subject)
        response["address_barred_until"] = (now + timedelta(seconds=throttle.MAX_DELAY)).isoformat()
        accounts = list(
            session.scalars(
                select(SignInAttempt.account_id)
                .where(
                    SignInAttempt.address_key == alert.subject,
                    SignInAttempt.at >= alert.window_from,
                    SignInAttempt.succeeded.is_(True),
                    SignInAttempt.account_id.is_not(None),
                )
                .distinct()
            )
        )
    for account_id in sorted(accounts):
        ended = lock(session, SYSTEM, account_id)
        if ended is not None:
            response["locked"].append(account_id)
            response["sessions_ended"] += ended
    alert.response = json.dumps(response, sort_keys=True)
    alert.responded_at = now


def _mail(session: Session, settings: Settings, raised: Sequence[Alert]) -> int:
    """One mail to each privacy officer listing the new alerts: rules, ids, windows, counts."""
    zone = local_for(session)
    lines = []
    for alert in raised:
        view = view_of(alert)
        lines += [
            f"{view.title}",
            f"  {describe(view)}",
            f"  between {zone.moment_zoned(view.window_from)} and {zone.moment_zoned(view.window_until)}",
        ]
        if view.responded_at:
            lines.append(f"  {responded(view)}")
        lines.append("")
    lines.append(f"Review them at {settings.public_url.rstrip('/')}/dpo/alerts")
    addresses = officer_addresses(session)
    session.commit()  # the gate's audit entries
    many = len(raised) != 1
    subject = (
        f"Security alert{'s' if many else ''}: {len(raised) if many else RULES[raised[0].rule]}"
    )
    if many:
        subject += " new"
    sent = sum(mail_quietly(session, settings, to, subject, "\n".join(lines)) for to in addresses)
    if sent:
        for alert in raised:
            alert.mailed_at = clock.now()
        session.commit()
    return sent


def describe(view: AlertView) -> str:
    """What was counted, in words, naming the subject by id."""
    who = f"account {view.subject}" + (f" ({view.role})" if view.role else "")
    counts = view.counts
    if view.rule == "many_people":
        usual = f" (about {counts['usual']} on a usual day)" if "usual" in counts else ""
        return f"{who} read {counts['people']} distinct people{usual}"
    if view.rule == "off_hours":
        return f"{who} read {counts['people']} people and ran {counts['exports']} exports outside working hours"
    if view.rule == "credential_stuffing":
        return (
            f"address {view.subject[:12]}… tried {counts['accounts']} accounts in "
            f"{counts['attempts']} attempts, {counts['succeeded']} with the right password"
        )
    return f"{who} gave {counts['failures']} wrong codes"


def responded(view: AlertView) -> str:
    """What the rule's response did, in words, naming accounts by id."""
    done = view.response
    parts = []
    if "address_barred_until" in done:
        parts.append("the address is barred from signing in for an hour")
    if done.get("locked"):
        ended = done["sessions_ended"]
        accounts = ", ".join(f"account {a}" for a in done["locked"])
        parts.append(f"locked {accounts} and ended {ended} session{'s' if ended != 1 else ''}")
    return "Done at once: " + ("; ".join(parts) if parts else "nothing to lock") + "."


@dataclass(frozen=True)
class Run:
    raised: list[AlertView]
    looked_from: datetime
    looked_until: datetime
    mailed: int


def run(session: Session, settings: Settings) -> Run:
    """Evaluate every enabled rule over the windows since the last run; raise, respond to and
    mail the new alerts. Commits."""
    watch = rules_of(session)
    now = clock.now()
    cursor = session.get(WatchCursor, CURSOR)
    enabled = {name: _rule(watch, name) for name in EVALUATE if _rule(watch, name).enabled}
    longest = max((r.window for r in enabled.values()), default=timedelta(0))
    since = cursor.looked_until - LATE if cursor else now - longest
    since = max(since, now - LOOK_BACK)
    raised: list[Alert] = []
    for name, rule in enabled.items():
        hits = [
            hit
            for start, end in windows(rule.window, since, now)
            for hit in EVALUATE[name](session, watch, start, end)
        ]
        for hit in _strongest(hits):
            alert = _raise(session, hit, now)
            if alert is None:
                continue
            if rule.respond:
                _respond(session, alert, now)
            raised.append(alert)
    if cursor is None:
        session.add(WatchCursor(name=CURSOR, looked_until=now))
    else:
        cursor.looked_until = max(cursor.looked_until, now)
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - ATTEMPTS_KEPT))
    session.commit()
    if raised:
        log.warning("watch raised %d alerts: %s", len(raised), ", ".join(a.id for a in raised))
    mailed = _mail(session, settings, raised) if raised else 0
    return Run([view_of(a) for a in raised], since, now, mailed)
