"""The runtime: the database's sessions, the settings, the vault and the active policy, built
once by each entry point (the web app, the CLI, the worker) and passed on, so no service
reassembles them. Its follower keeps the policy and the vault's keys those every other
process has (core.shared): each session it opens carries what is current. Core imports nothing of Steward's, so the vault and the policy are type
parameters here; the domains name them as `Runtime[Vault, Policy]`.
"""

from dataclasses import dataclass, field, replace
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from steward.core.settings import Settings
from steward.core.shared import Follower


class Attaches(Protocol):
    """What the vault offers a session: its keys, for as long as the session lives."""

    def attach(self, session: Session) -> Session: ...


V = TypeVar("V", bound=Attaches)
P = TypeVar("P")


@dataclass
class Runtime(Generic[V, P]):
    sessions: sessionmaker[Session]
    vault: V
    settings: Settings
    policy: P  # replaced in place when another process publishes a policy
    follower: Follower | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        bind = self.sessions.kw["bind"]
        if not isinstance(bind, Engine):
            raise RuntimeError("the runtime's sessions are bound to no engine")
        return bind

    def session(self) -> Session:
        """A new session carrying the vault and the active policy, as the domain services
        expect; the caller closes it (`with runtime.session() as session:`)."""
        self.follow()
        session = self.sessions()
        self.vault.attach(session)
        session.info["policy"] = self.policy
        return session

    def follow(self) -> None:
        """Take up what other processes changed (at most one look per second)."""
        if self.follower is not None:
            self.follower.follow(self.sessions)

    def under(self, policy: P) -> "Runtime[V, P]":
        """The same runtime under another policy (one being published), which stays put."""
        return replace(self, policy=policy, follower=None)
