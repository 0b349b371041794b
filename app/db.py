"""Engine, session and declarative base.

One scoped session per request (removed at teardown); services receive it and only flush.
The view commits once. Schema changes go through Alembic only (migrations/).
"""
from collections.abc import Sequence
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import DateTime, MetaData, String, TypeDecorator, any_, bindparam, create_engine, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

# Stable constraint names, so Alembic migrations can drop them by name on both engines.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both engines (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give the time zone")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AppSession(Session):
    """Bound to the current app's engine, unless a test binds it to a connection."""

    def get_bind(self, mapper=None, clause=None, **kwargs):
        if self.bind is not None:
            return self.bind
        return current_app.extensions["sqlalchemy_engine"]


session = scoped_session(sessionmaker(class_=AppSession, expire_on_commit=False))


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite opens transactions on its own and breaks SAVEPOINT; let SQLAlchemy do it
        # (the documented recipe), so nested transactions behave as on PostgreSQL.
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def init_app(app) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["sqlalchemy_engine"] = engine

    @app.teardown_appcontext
    def remove_session(_exc=None):
        session.remove()


def get_engine(app) -> Engine:
    return app.extensions["sqlalchemy_engine"]


def any_of(session: Session, column: ColumnElement, values: Sequence) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL one array parameter (`= ANY`) instead of one parameter
    per value: a statement whose text changes with the number of values (a search's ring of
    hundreds of communes, a deduplication's 5,000 ids) is converted, parsed and planned afresh
    every time and never prepared (psycopg prepares a statement on its fifth run); converting
    5,000 placeholders cost a deduplication more client time than the rows it read. Same rows,
    same plans (PostgreSQL turns IN into `= ANY`)."""
    if session.get_bind().dialect.name == "postgresql":
        # Text without its length: a cast to varchar(n)[] would cut longer values and match wrongly.
        item_type = String() if isinstance(column.type, String) else column.type
        return column == any_(bindparam(None, list(values), type_=ARRAY(item_type)))
    return column.in_(values)


def upsert(session: Session, table, rows: list[dict], key: list[str], batch_size: int = 2000) -> None:
    """Insert rows, or update them where the key exists (ON CONFLICT on both engines)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        statement = insert(table)
        updates = {name: statement.excluded[name] for name in batch[0] if name not in key}
        if updates:
            statement = statement.on_conflict_do_update(index_elements=key, set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=key)
        session.execute(statement, batch)
