"""`steward mail`: turn inbound mail into tickets and replies (D7)."""

import typer

app = typer.Typer(help="Inbound mail: ingest a message, or listen for mail on a local port.")
