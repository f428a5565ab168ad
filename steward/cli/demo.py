"""`steward demo`: fill the database with a realistic demo business."""

import typer

app = typer.Typer(help="Demo data for a living desk.")
