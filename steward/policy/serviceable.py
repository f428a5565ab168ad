"""What the desk needs from a policy to do its core work (mail customers, show devices to
agents, let customers keep their preferences): each declaration that would stop it, as a
finding `policy check` reports with its line."""

from collections.abc import Iterator

from steward.policy.schema import Policy

Finding = tuple[tuple[str | int, ...], str]


def desk_findings(policy: Policy) -> Iterator[Finding]:
    """Declarations that leave a core desk function with no working path."""
    yield from ()
