"""Who is acting: a signed-in account with its role, a visitor, or Steward itself."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    role: str  # a policy role (customer, agent, billing, ...), "visitor" or "system"
    account_id: str | None = None
    person_id: str | None = None
    request_id: str | None = None

    @property
    def label(self) -> str:
        """How the audit trail names the actor: an id, never a name or an email."""
        return self.account_id or self.role


SYSTEM = Actor(role="system")
VISITOR = Actor(role="visitor")
