"""How many SQL statements a request costs: pages must not grow a query per result."""
from sqlalchemy import event

from app import db as app_db


def statements_of(client, url: str):
    """(statements executed, response) for a GET of `url`; the test transaction's own
    savepoints are not counted."""
    executed = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            executed.append(statement)

    engine = app_db.session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(executed), response
