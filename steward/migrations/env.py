"""Alembic environment: runs on the connection Steward hands it (see core.db.upgrade)."""

from alembic import context

import steward.models  # noqa: F401  (registers every table)
from steward.core.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations through `steward init` or `steward serve`.")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
