"""Alembic environment: runs on the connection Steward hands it (see core.db.upgrade)."""

from alembic import context

from steward.core.db import Base
from steward.policy import models as _policy_models  # noqa: F401  (registers tables)

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations through `steward init` or `steward serve`.")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
