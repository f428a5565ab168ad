"""`steward worker`: run the scheduled and queued jobs, polling until stopped or, with
`--once`, what is due now (for cron and tests)."""

from typing import Annotated

import typer

from steward.cli.common import database


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs due now, print a summary and exit.")
    ] = False,
    poll: Annotated[
        float,
        typer.Option(help="Seconds between looks for due jobs.", min=1, show_default=True),
    ] = 5,
) -> None:
    """Run scheduled and queued jobs: rights deadlines, erasures, notices to processors and
    the daily digest, audit checkpoints, retention sweeps, stale accounts.

    Jobs are kept in the database and retried with back-off; several workers may run on
    PostgreSQL (each job runs once), one on SQLite."""
    import logging

    from steward.jobs.worker import default_worker_id, run_due, serve

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    with database() as context:
        worker_id = default_worker_id()
        if once:
            typer.echo(str(run_due(context, worker_id)))
            return
        typer.echo(f"Steward worker {worker_id} polling every {poll:g} s (Ctrl+C to stop)")
        serve(context, poll, worker_id)
