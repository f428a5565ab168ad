"""`steward incident`: the breach register from the command line (X6).

Each part of the response keeps its commands in its own module (`incident_<part>.py`),
which adds them to `app` and is imported at the end of this one. What is printed names
references, counts and category keys, never a person."""

import typer

app = typer.Typer(
    help="Incidents: the breach register, the people affected, containment and notices.",
    no_args_is_help=True,
)

# The parts' modules register their commands on `app` when imported (keep this list last).
from steward.cli import (  # noqa: E402, F401
    incident_contain,
    incident_impact,
    incident_notices,
    incident_register,
    incident_watch,
)
