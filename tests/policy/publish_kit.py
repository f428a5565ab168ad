"""Making a changed policy file for the publishing tests: version 1.1 of the default example
that adds a processor abroad (a material change: more recipients, a transfer)."""

from pathlib import Path

NEW_PROCESSOR = """processors:
  mailgun:
    name: Mailgun Technologies, Inc.
    service: Sends our service mail.
    categories: [user.account]
    purposes: [essential.service]
    location: US
    transfer_safeguard: scc
    contract_date: 2026-10-01
    vetted_date: 2026-10-15
    contact: privacy@mailgun.example
"""


OLD_HEAD = 'version: "1.0"\neffective_date: 2026-11-01\nchangelog:\n'
NEW_HEAD = (
    'version: "1.1"\neffective_date: 2026-12-01\nchangelog:\n'
    '  - version: "1.1"\n    date: 2026-12-01\n    summary: {summary}\n'
)


def _bump(text: str, summary: str) -> str:
    if OLD_HEAD not in text:
        raise AssertionError("the example's version header moved")
    return text.replace(OLD_HEAD, NEW_HEAD.format(summary=summary), 1)


def material_change(active: Path, to: Path) -> Path:
    """Version 1.1 of the active policy with a new processor in the US."""
    text = active.read_text(encoding="utf-8")
    text = _bump(text, "Mailgun sends our service mail.")
    text = text.replace("processors:\n", NEW_PROCESSOR, 1)
    to.write_text(text, encoding="utf-8")
    return to


def wording_change(active: Path, to: Path) -> Path:
    """Version 1.1 whose only change is the description of a processor's service."""
    text = active.read_text(encoding="utf-8")
    text = _bump(text, "Wording.")
    text = text.replace(
        "Encrypted off-site backups.", "Encrypted off-site backups, kept in Ireland.", 1
    )
    to.write_text(text, encoding="utf-8")
    return to
