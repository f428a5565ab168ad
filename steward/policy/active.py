"""The active policy as services meet it: carried by their session (`policy_of`), and where
a column's declared category sits in it (`resolve`)."""

from sqlalchemy.orm import Session

from steward.policy.schema import Policy


def policy_of(session: Session) -> Policy:
    """The active policy the session carries; a session without one is a programming error."""
    policy = session.info.get("policy")
    if not isinstance(policy, Policy):
        raise RuntimeError("personal data needs a session that carries the active policy")
    return policy


def resolve(policy: Policy, column_category: str) -> str | None:
    """The policy category holding a column's category: the same key, one it `includes`, or
    the closest declared ancestor of either (user.contact.email falls under user.contact)."""
    matches = [
        (len(covered), key)
        for key, category in policy.categories.items()
        for covered in (key, *category.includes)
        if column_category == covered or column_category.startswith(covered + ".")
    ]
    return max(matches)[1] if matches else None


ROLE_NAMES = {
    "customer": "Customer",
    "agent": "Support agent",
    "billing": "Billing",
    "call_reviewer": "Call reviewer",
    "privacy_officer": "Privacy officer",
    "admin": "Administrator",
    "system": "Steward (automatic)",
    "visitor": "Visitor",
}


class Words:
    """What a person reads for a policy key: a category's, purpose's or subject's own name
    in the policy, never the key (`user.account` reads "Your account")."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def category(self, key: str | None) -> str:
        if not key:
            return ""
        found = resolve(self.policy, key)
        return self.policy.categories[found].name if found else _plain(key)

    def purpose(self, key: str | None) -> str:
        if not key:
            return ""
        found = self.policy.purposes.get(key)
        return found.name if found else _plain(key)

    def subject(self, key: str | None) -> str:
        if not key:
            return ""
        found = self.policy.subjects.get(key)
        return found.name if found else _plain(key)

    @staticmethod
    def role(key: str | None) -> str:
        return ROLE_NAMES.get(key or "", _plain(key or ""))


def _plain(key: str) -> str:
    """A key no policy names, in words: user.device_info -> "Device info"."""
    return key.rsplit(".", 1)[-1].replace("_", " ").capitalize()
