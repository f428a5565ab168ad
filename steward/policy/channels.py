"""Which ways of checking identity each channel of the policy can use, in one table that the
intake and `steward policy check` share, and each channel's way in, in plain words.

A channel serves a right when at least one of the right's `verification` methods works
through it: the privacy center (web form and API) can use any of them, but someone signed out
needs a code to their address, data points or a document; the portal and account settings
are for a signed-in person (session, password again, or a code to the account's address); a
mail, a call, a letter or a visit is checked by a code mailed to the address given, by
details matched to what is held, or by documents the privacy officer sees.
"""

from collections.abc import Sequence

from steward.policy.schema import Policy

REMOTE = frozenset({"email_code", "data_points", "document"})  # no session needed
SIGNED_IN = frozenset({"session", "password", "email_code"})
CHANNEL_VERIFICATION: dict[str, frozenset[str]] = {
    "privacy_center": frozenset({"session", "password"}) | REMOTE,
    "portal": SIGNED_IN,
    "account_settings": SIGNED_IN,
    "email": REMOTE,
    "phone": REMOTE,
    "post": REMOTE,
    "in_person": REMOTE,
}
SIGNED_OUT = REMOTE  # what the privacy center can use for someone who is not signed in
OFFICER_LOGGED = ("phone", "post", "in_person")  # the privacy officer logs these at /dpo
NAMES = {
    "privacy_center": "in the privacy center",
    "portal": "in the portal",
    "account_settings": "in the account settings",
    "email": "by email",
    "phone": "by phone",
    "post": "by post",
    "in_person": "in person",
}


def usable(channel: str, verification: Sequence[str], signed_in: bool = True) -> list[str]:
    """The right's verification methods that work through `channel`, in the policy's order."""
    allowed = CHANNEL_VERIFICATION.get(channel, frozenset())
    if not signed_in:
        allowed = allowed & SIGNED_OUT
    return [m for m in verification if m in allowed]


def servable(channel: str, verification: Sequence[str]) -> bool:
    """Whether Steward can take a request through `channel` for a right verified by one of
    `verification`."""
    return bool(usable(channel, verification))


def way_in(policy: Policy, channel: str) -> str:
    """How a person asks through `channel`, in plain words: 'Write to privacy@...'."""
    controller = policy.controller
    if channel == "email":
        return f"Write to {controller.privacy_contact}"
    if channel == "phone":
        if controller.phone:
            return f"Call {controller.phone}"
        return "Call us"
    if channel == "post":
        return f"Write to {controller.legal_name}, {_one_line(controller.address)}"
    if channel == "in_person":
        return f"Visit us at {_one_line(controller.address)}"
    if channel == "portal":
        return "In the portal, once signed in"
    if channel == "account_settings":
        return "In your account settings, once signed in"
    return "In our privacy center"


def _one_line(address: str) -> str:
    return ", ".join(line.strip(" ,") for line in address.splitlines() if line.strip())
