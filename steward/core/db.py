"""Database engine, sessions, the declarative base and schema upgrades (Alembic)."""

import ast
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    DateTime,
    Dialect,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC moment on every backend (SQLite returns naive values otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: take time from steward.core.clock")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """The process's engine for a database: one per URL, as SQLAlchemy means it to be used.
    Its compiled statements are kept with it, so a second app, command or job on the same
    database does not compile every query again. Callers done with it `release` it."""
    url = normalise_url(url)
    if (engine := _ENGINES.get(url)) is None:
        if url.startswith("sqlite"):
            engine = create_engine(url)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        engine = _ENGINES.setdefault(url, engine)
    return engine


_ENGINES: dict[str, Engine] = {}


def release(engine: Engine) -> None:
    """Close the engine's idle connections, when an app, a command or a job is done with it.
    Connections still in use elsewhere in the process stay open and return to the pool as
    usual: `Engine.dispose` would cut them loose, to be closed by the garbage collector."""
    engine.pool.dispose()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def rows_by_id(session: Session, model: type[T], ids: Iterable[Any]) -> list[T]:
    """The rows of `model` with these primary keys, in no set order: those the session already
    holds come from it without a query (a request often reads back what it just wrote or
    read), the others in one SELECT."""
    held: list[T] = []
    missing: list[Any] = []
    for key in dict.fromkeys(ids):
        found = session.identity_map.get(Session.identity_key(model, key))
        if isinstance(found, model):
            held.append(found)
        else:
            missing.append(key)
    if missing:
        primary = model.__mapper__.primary_key[0]  # type: ignore[attr-defined]
        held.extend(session.scalars(select(model).where(primary.in_(missing))))
    return held


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error."""
    with factory() as session, session.begin():
        yield session


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; a database already there is only looked at
    (alembic is not even imported), which keeps every start and command quick."""
    with engine.connect() as connection:
        done = at_head(connection)
    if not done:
        _migrate(engine, "upgrade", "heads")


def at_head(connection: Connection) -> bool:
    """Whether the schema is at the newest migration this Steward carries."""
    current: set[str] = set()
    if inspect(connection).has_table("alembic_version"):
        current = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    return current == _heads()


@cache
def _heads() -> set[str]:
    """The newest revisions: those no migration revises. Read from the files' `revision` and
    `down_revision` rather than through alembic's ScriptDirectory, so that a server whose
    database is current never imports alembic, its templates and their syntax highlighter
    (0.2 s and 11 MB of every process)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign):  # `revision: str = "0016"`
                node = ast.Assign([node.target], node.value or ast.Constant(None))
            if not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Name):
                continue
            name = node.targets[0].id
            if name == "revision":
                revisions.add(ast.literal_eval(node.value))
            elif name == "down_revision" and (down := ast.literal_eval(node.value)):
                revised.update([down] if isinstance(down, str) else down)
    return revisions - revised


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` ("base" drops every table)."""
    _migrate(engine, "downgrade", revision)


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)
