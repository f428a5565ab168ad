"""Tickets with conversations, calls with recordings and remote sessions: part of a demo
load, in the words of the policy's trade."""

from datetime import datetime, timedelta

from steward.core.ids import new_id
from steward.demo.base import Said, _Core, _Person, _Staff, _Ticket, _tone
from steward.demo.content import (
    ATTACHMENTS,
    CHANNEL_WEIGHTS,
    FOLLOW_UPS,
    LOCATIONS,
    NOTES,
    PNG,
    PRIORITY_WEIGHTS,
)
from steward.desk.models import (
    Attachment,
    Call,
    CallRecording,
    Message,
    RemoteSession,
    Ticket,
    TicketEvent,
)
from steward.pii.mentions import Mention

REMOTE_KINDS = ("workstation", "network_device", "server")  # trouble a remote session fixes


class _WorkPhases(_Core):
    """Tickets with conversations, calls with recordings and remote sessions."""

    # --- tickets and messages --------------------------------------------------------------

    def requester(self) -> tuple[_Person, _Person | None]:
        """Someone who asks for help, and the end user it is about when a contact asks."""
        if self.individuals and self.rng.random() < 0.2:
            return self.rng.choice(self.individuals), None
        org = self.rng.choice(self.orgs)
        if org.end_users and self.rng.random() < 0.4:
            return self.rng.choice(org.end_users), None
        contact = self.rng.choice(org.contacts)
        about = (
            self.rng.choice(org.end_users) if org.end_users and self.rng.random() < 0.3 else None
        )
        return contact, about

    def tickets_and_messages(self) -> None:
        planned = []
        order = list(range(len(self.trade.topics)))
        for n in range(3 * self.people):
            person, about = self.requester()
            if n % len(order) == 0:  # every kind of trouble in each round, in a new order
                self.rng.shuffle(order)
            topic = order[n % len(order)]
            earliest = person.created_at
            if self.rng.random() < 0.1:  # a queue with work in it: some tickets are fresh
                earliest = max(earliest, self.now - timedelta(days=21))
            created = self.between(earliest, self.now - timedelta(hours=1))
            channel = self.pick(CHANNEL_WEIGHTS)
            priority = self.pick(PRIORITY_WEIGHTS)
            if self.trade.topics[topic].kind == "generator" and priority in ("low", "normal"):
                priority = "high"
            agent = self.agent()
            conversation = self.conversation(person, agent, topic, channel, created)
            age = self.now - created
            last = conversation[-1].at
            if len(conversation) == 1 and age < timedelta(days=14):
                status = "new"
            elif age > timedelta(days=21):
                status = "closed" if self.rng.random() < 0.85 else "resolved"
            else:
                status = self.rng.choice(("open", "waiting_on_customer", "resolved"))
            ticket = Ticket(
                requester_id=person.id,
                about_id=about.id if about else None,
                organisation_id=person.org.id if person.org else None,
                assignee_id=None if status == "new" else agent.account_id,
                channel=channel,
                status=status,
                priority=priority,
                subject=self.trade.topics[topic].subject,
                created_at=created,
                updated_at=last,
                last_activity_at=last,
                resolved_at=last if status in ("resolved", "closed") else None,
                closed_at=min(last + timedelta(days=7), self.now) if status == "closed" else None,
            )
            planned.append((ticket, (person, about, topic, agent, conversation)))
        planned.sort(key=lambda pair: pair[0].created_at)  # ticket numbers follow time
        tickets = [ticket for ticket, _plan in planned]
        plans = [plan for _ticket, plan in planned]
        self.save(tickets)
        messages: list[Message] = []
        events: list[TicketEvent] = []
        mentions: list[Mention] = []
        attachments: list[Attachment] = []
        for ticket, (person, about, topic, agent, conversation) in zip(tickets, plans, strict=True):
            self.tickets.append(
                _Ticket(ticket.id, person, topic, ticket.created_at, ticket.channel, agent)
            )
            if about is not None:
                mentions.append(
                    Mention(
                        person_id=about.id,
                        source_table="tickets",
                        row_id=str(ticket.id),
                        created_at=ticket.created_at,
                    )
                )
            for author, visibility, body, at, channel in conversation:
                message = Message(
                    id=new_id(),
                    ticket_id=ticket.id,
                    owner_id=person.id,
                    author_id=author,
                    visibility=visibility,
                    channel=channel,
                    body=body,
                    created_at=at,
                )
                messages.append(message)
                if author == person.id and self.rng.random() < 0.12:
                    attachments.append(self.attachment(message))
            events.extend(self.events(ticket, agent, conversation))
        self.save(messages)
        self.save(attachments)
        self.save(events)
        self.save(mentions)

    def conversation(
        self, person: _Person, agent: _Staff, topic: int, channel: str, created: datetime
    ) -> list[Said]:
        """1-6 messages: the request (logged by the agent when it came by phone), then
        replies, follow-ups and internal notes, minutes to a day or so apart."""
        _kind, _subject, opening, reply, follow_up, note, closing = self.trade.topics[topic]
        opening = opening.format(first=person.first, place=self.rng.choice(LOCATIONS))
        sign = f"\n\n{agent.first}" if agent.first else ""
        if channel == "phone":
            said = [
                Said(
                    agent.person_id,
                    "public",
                    f"Call from {person.first}: {opening}",
                    created,
                    channel,
                )
            ]
        else:
            said = [Said(person.id, "public", f"{opening}\n\n{person.first}", created, channel)]
        later = [
            (agent.person_id, "public", reply.format(first=person.first) + sign),
            (person.id, "public", self.rng.choice((follow_up, *FOLLOW_UPS))),
            (agent.person_id, "internal", self.rng.choice((note, *NOTES))),
            (agent.person_id, "public", closing + sign),
        ]
        n = self.rng.randint(1, 6)
        plan = later[: n - 1]
        if n == 6:
            plan.insert(2, (agent.person_id, "internal", self.rng.choice(NOTES)))
        at = created
        reply_channel = channel if channel in ("chat", "email") else "web"
        for author, visibility, body in plan:
            at += timedelta(minutes=self.rng.uniform(5, 8 if channel == "chat" else 60 * 30))
            if at >= self.now:
                break
            said.append(Said(author, visibility, body, at, reply_channel))
        return said

    def events(self, ticket: Ticket, agent: _Staff, conversation: list[Said]) -> list[TicketEvent]:
        if ticket.status == "new":
            return []
        at = (
            conversation[1].at
            if len(conversation) > 1
            else ticket.created_at + timedelta(minutes=20)
        )
        steps = [("assignee", None, agent.account_id, at), ("status", "new", "open", at)]
        previous = "open"
        if ticket.status == "waiting_on_customer":
            steps.append(("status", "open", "waiting_on_customer", ticket.last_activity_at))
        if ticket.status in ("resolved", "closed"):
            steps.append(("status", "open", "resolved", ticket.last_activity_at))
            previous = "resolved"
        if ticket.status == "closed" and ticket.closed_at is not None:
            steps.append(("status", previous, "closed", ticket.closed_at))
        return [
            TicketEvent(ticket_id=ticket.id, actor_id=agent.account_id, field=f, old=o, new=n, at=t)
            for f, o, n, t in steps
        ]

    def attachment(self, message: Message) -> Attachment:
        filename, content_type = self.rng.choice(ATTACHMENTS)
        data = (
            PNG
            if content_type == "image/png"
            else (
                f"{message.created_at:%Y-%m-%d %H:%M:%S} ERROR Spooler: job stalled\n"
                f"{message.created_at:%Y-%m-%d %H:%M:%S} INFO Service restarted\n"
            ).encode()
        )
        attachment = Attachment(
            id=new_id(),
            message_id=message.id,
            ticket_id=message.ticket_id,
            owner_id=message.owner_id,
            filename=filename,
            content_type=content_type,
            size=len(data),
            created_at=message.created_at,
        )
        self.store("attachments", attachment.id, attachment.owner_id, data)
        return attachment

    # --- calls and remote sessions ---------------------------------------------------------

    def calls(self) -> None:
        if not self.holds("user.communications.call"):
            return
        recorded = self.holds("user.communications.call_recording")
        audio = _tone()
        calls: list[Call] = []
        recordings: list[CallRecording] = []
        phoned = [t for t in self.tickets if t.channel == "phone"]
        extra = max(self.people - len(phoned), 0)
        plans: list[tuple[_Person, int | None, datetime, _Staff | None]]
        plans = [(t.requester, t.id, t.created_at, t.agent) for t in phoned]
        for _ in range(extra):
            person, _about = self.requester()
            at = self.between(person.created_at, self.now - timedelta(minutes=30))
            plans.append((person, None, at, self.agent()))
        for person, ticket_id, at, agent in plans:
            duration = self.rng.randint(30, 1500)
            noticed = self.rng.random() < 0.75
            call = Call(
                id=new_id(),
                person_id=person.id,
                ticket_id=ticket_id,
                agent_id=agent.account_id if agent else None,
                number=person.phone,
                direction="inbound" if ticket_id or self.rng.random() < 0.7 else "outbound",
                started_at=at,
                duration_seconds=duration,
                recording_notice_played=noticed,
                notes=self.rng.choice(self.trade.call_notes),
            )
            calls.append(call)
            if noticed and recorded:
                recording = CallRecording(
                    id=new_id(),
                    call_id=call.id,
                    owner_id=person.id,
                    content_type="audio/wav",
                    size=len(audio),
                    filename=f"call-{at:%Y%m%d-%H%M}.wav",
                    created_at=at + timedelta(seconds=duration),
                )
                self.store("recordings", recording.id, person.id, audio)
                recordings.append(recording)
        self.save(calls)
        self.save(recordings)

    def remote_sessions(self) -> None:
        if not self.holds("user.device.remote_session"):
            return
        rows: list[RemoteSession] = []
        for t in self.tickets:
            if self.trade.topics[t.topic].kind not in REMOTE_KINDS or self.rng.random() < 0.25:
                continue
            person = t.requester
            owned = person.org.devices if person.org else self.person_devices.get(person.id, [])
            device = next((d for d in owned if d.user is person), None) or (
                owned[0] if owned else None
            )
            kind = self.rng.choice(("hostname", "ip", "username", "alias"))
            identifier = {
                "hostname": device.hostname if device else f"{person.username.upper()}-PC",
                "ip": device.ip
                if device
                else f"10.0.{self.rng.randint(0, 9)}.{self.rng.randint(2, 254)}",
                "username": person.username,
                "alias": f"{person.first}'s computer",
            }[kind]
            started = t.created_at + timedelta(minutes=self.rng.uniform(20, 240))
            if started >= self.now:
                continue
            technician = t.agent or self.agent()
            rows.append(
                RemoteSession(
                    person_id=person.id,
                    ticket_id=t.id,
                    technician_id=technician.account_id,
                    consent_recorded_at=started - timedelta(minutes=self.rng.uniform(1, 3)),
                    identifier_kind=kind,
                    identifier=identifier,
                    started_at=started,
                    ended_at=min(started + timedelta(minutes=self.rng.uniform(5, 90)), self.now),
                )
            )
        self.save(rows)
