"""`steward accounts`: the first admin of a fresh installation."""

from typing import Annotated

import typer

from steward.cli.common import current_settings, fail

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
    from steward.core.db import make_engine, make_sessionmaker, upgrade
    from steward.core.errors import DomainError
    from steward.identity.bootstrap import create_admin as create
    from steward.policy.loader import PolicyInvalid
    from steward.policy.service import read_active
    from steward.vault.keyring import Keyring
    from steward.vault.service import Vault

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = current_settings()
    try:
        policy = read_active(settings.policy).policy
        vault = Vault(Keyring.load(settings.key_file))
    except PolicyInvalid:
        fail(f"{settings.policy} is not a valid policy; run `steward policy check`")
    except DomainError as error:
        fail(error.message)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            vault.attach(session)
            session.info["policy"] = policy
            account_id = create(session, email, name, password)
    except DomainError as error:
        fail(error.message)
    finally:
        engine.dispose()
    typer.echo(f"created admin account {account_id}; sign in to set up multi-factor authentication")
