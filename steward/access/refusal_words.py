"""A refusal by the access gate in the words of the person who meets it.

The gate's reasons name the policy's keys ("the policy does not use 'user.device' for
'essential.service.support'"): precise, and kept as they are in the audit trail (the entry
names the purpose and categories), for the privacy officer. A customer or an agent is told
instead what cannot be done and why, with the policy's own names for purposes and plain
names for the data, never a key.
"""

from collections.abc import Sequence

from steward.policy.schema import Policy

ROLE_WORDS = {
    "customer": "customers",
    "agent": "agents",
    "billing": "billing staff",
    "admin": "administrators",
    "call_reviewer": "call reviewers",
    "privacy_officer": "the privacy officer",
    "system": "Steward's own jobs",
}
# Plain names for the data the desk's columns hold, most specific first.
DATA_WORDS = (
    ("user.communications.call_recording", "call recordings"),
    ("user.communications.call", "call details"),
    ("user.communications", "messages"),
    ("user.device.remote_session", "remote session details"),
    ("user.device", "device details"),
    ("user.financial", "billing records"),
    ("user.preferences", "notification preferences"),
    ("user.contact", "contact details"),
    ("user.name", "names"),
    ("user.job_title", "job titles"),
    ("user.demographic", "personal details"),
    ("user.authorization", "account details"),
    ("user.workplace", "workplace details"),
    ("user.behavior", "records of how our sites are used"),
    ("user.location", "location details"),
    ("system.print_job_metadata", "print job records"),
    ("system.runtime_log", "runtime logs"),
    ("system.service_record", "service records"),
    ("system", "equipment records"),
)


def data_words(categories: Sequence[str]) -> str:
    """'device details', 'messages and contact details': what the categories hold."""
    found: list[str] = []
    for category in categories:
        word = next(
            (w for key, w in DATA_WORDS if category == key or category.startswith(key + ".")),
            "this data",
        )
        if word not in found:
            found.append(word)
    if not found:
        return "this data"
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]


def in_plain_words(
    policy: Policy,
    role: str,
    own: bool,
    purpose_key: str,
    categories: Sequence[str],
    reason: str,
    action: str = "read",
) -> str:
    """The sentence a page shows for the gate's `reason`."""
    who = ROLE_WORDS.get(role, "your role")
    what = data_words(categories)
    verb = "see" if action == "read" else "change"
    purpose = policy.purposes.get(purpose_key)
    named = f" for {purpose.name.lower()}" if purpose else ""
    you, your = ("you", "your") if own else ("this person", "their")
    if reason.startswith("only the privacy officer"):
        return "Only the privacy officer answers privacy requests."
    if reason.startswith("the policy declares no purpose"):
        return "The privacy policy does not provide for this use of personal data."
    if reason.startswith("the policy declares no category"):
        return f"This business does not keep {what} under its privacy policy."
    if reason.startswith("the policy does not use"):
        return f"The privacy policy does not allow {who} to {verb} {what}{named}."
    if reason.startswith("a customer may act only"):
        return "You can see and change only your own details."
    if reason.startswith("the role"):
        return f"The privacy policy does not allow {who} to use personal data{named}."
    if reason.startswith("the person has not consented"):
        return f"{you.capitalize()} did not agree to this use of {your} data{named}."
    if reason.startswith("the person has restricted"):
        return (
            f"{you.capitalize()} asked us to restrict the use of {your} data, so it is kept only."
        )
    if reason.startswith("the person objects"):
        return f"{you.capitalize()} objected to this use of {your} data."
    if reason.startswith("the person limited"):
        return f"{you.capitalize()} limited the use of {your} sensitive data to the service itself."
    if reason.startswith("the person opted out"):
        return f"{you.capitalize()} opted out of the sale and sharing of {your} data."
    return "The privacy policy does not allow this."
