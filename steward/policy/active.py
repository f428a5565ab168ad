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
