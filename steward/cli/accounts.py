"""`steward accounts`: the first admin of a fresh installation."""

from typing import Annotated

import typer

from steward.cli.common import database, fail

app = typer.Typer(help="Manage sign-in accounts.", no_args_is_help=True)


@app.callback()
def accounts() -> None:
    """Manage sign-in accounts."""


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Argument(help="The admin's email address (their login).")],
    name: Annotated[str, typer.Option("--name", help="The admin's full name.")],
) -> None:
    """Create an active admin account; asks for the password twice, hidden. The admin sets up
    multi-factor authentication at the first sign-in."""
    from steward.core.errors import DomainError
    from steward.identity.bootstrap import create_admin as create

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database() as runtime, runtime.session() as session:
        try:
            account_id = create(session, email, name, password)
        except DomainError as error:
            fail(error.message)
    typer.echo(f"created admin account {account_id}; sign in to set up multi-factor authentication")
