"""The master gradebook in a database server (`grade --db postgresql://USER@HOST:PORT/DBNAME`).

nbgrader keeps its gradebook wherever SQLAlchemy can reach (its `CourseDirectory.db_url`
setting); the grade command passes --db there, so formgrader, `nbgrader export` and several
graders can share one PostgreSQL database. The password never goes in the URL (other users see
a command line): libpq reads it from PGPASSWORD, from the instructor's ~/.pgpass (mode 0600), or
from a service file (`postgresql:///?service=course` with PGSERVICEFILE); a URL that holds a
password is refused.

The workers still grade against a SQLite file of their own: `snapshot` copies into one the
rows they need (the course, its students, its assignments and their cells), not the grades.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import InterfaceError, OperationalError

DB_WAIT = 120  # seconds a SQLite gradebook another program holds locked is waited for (grade --db-wait)

# what a worker's gradebook needs from the master: no submissions, no grades
REGISTRATION = ("course", "student", "assignment", "notebook", "base_cell", "source_cell",
                "grade_cells", "solution_cells", "task_cells")


def check_url(url):
    """The --db URL (postgresql:// made postgresql+psycopg2://, the driver installed: SQLAlchemy
    2.1 would otherwise pick psycopg 3), or SystemExit when it is not a database URL or holds a
    password."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.scheme.split("+")[0].isalpha():
        raise SystemExit(f"grade: --db {url}: give a database URL such as postgresql://USER@HOST:PORT/DBNAME")
    if parts.password is not None:
        raise SystemExit("grade: --db: the URL holds a password, which other users of this machine can "
                         "see on the command line; put it in PGPASSWORD or ~/.pgpass instead")
    if parts.scheme in ("postgresql", "postgres"):
        url = "postgresql+psycopg2" + url[len(parts.scheme):]
    return url


def reachable(url):
    """SystemExit with a clear message if the database cannot be reached."""
    try:
        with create_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, InterfaceError) as exc:
        raise SystemExit(f"grade: cannot reach the gradebook database {url}: {lost_reason(exc)}") from None


def lost(exc):
    """Whether exc says the database connection failed (rather than a grade being refused)."""
    return isinstance(exc, (OperationalError, InterfaceError))


def lost_reason(exc):
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def snapshot(url, course_id, path):
    """A SQLite gradebook at path with the registration rows of the master at url."""
    from nbgrader.api import Base, Gradebook

    with Gradebook(f"sqlite:///{path}", course_id) as gb:  # nbgrader's schema and alembic stamp
        gb.db.execute(text("DELETE FROM course"))
        gb.db.commit()
    source, target = create_engine(url), create_engine(f"sqlite:///{path}")
    try:
        with source.connect() as src, target.begin() as dst:
            for table in Base.metadata.sorted_tables:
                if table.name in REGISTRATION:
                    rows = [dict(row._mapping) for row in src.execute(select(table))]
                    if rows:
                        dst.execute(insert(table), rows)
    finally:
        source.dispose()
        target.dispose()
