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


# The gate's reason (how it starts) -> the sentence a page shows, filled in by in_plain_words.
SENTENCES = (
    ("only the privacy officer", "Only the privacy officer answers privacy requests."),
    (
        "the policy declares no purpose",
        "The privacy policy does not provide for this use of personal data.",
    ),
    (
        "the policy declares no category",
        "This business does not keep {what} under its privacy policy.",
    ),
    ("the policy does not use", "The privacy policy does not allow {who} to {verb} {what}{named}."),
    ("a customer may act only", "You can see and change only your own details."),
    ("the role", "The privacy policy does not allow {who} to use personal data{named}."),
    ("the person has not consented", "{You} did not agree to this use of {your} data{named}."),
    (
        "the person has restricted",
        "{You} asked us to restrict the use of {your} data, so it is kept only.",
    ),
    ("the person objects", "{You} objected to this use of {your} data."),
    ("the person limited", "{You} limited the use of {your} sensitive data to the service itself."),
    ("the person opted out", "{You} opted out of the sale and sharing of {your} data."),
)


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
    sentence = next((s for start, s in SENTENCES if reason.startswith(start)), None)
    if sentence is None:
        return "The privacy policy does not allow this."
    purpose = policy.purposes.get(purpose_key)
    you, your = ("you", "your") if own else ("this person", "their")
    return sentence.format(
        who=ROLE_WORDS.get(role, "your role"),
        what=data_words(categories),
        verb="see" if action == "read" else "change",
        named=f" for {purpose.name.lower()}" if purpose else "",
        You=you.capitalize(),
        your=your,
    )
