"""The one place where nbgrader is changed at run time (nbgrader 0.9.6 offers no hook for either).

`nbgrader.api.Gradebook` calls the module-level functions `get_alembic_version` (when it creates
a gradebook) and `create_engine` (every time one is opened), so the only way to change them is
to replace those two names in `nbgrader.api`. Both replacements give the same results as the
originals:

- A new gradebook gets its alembic revision from an `alembic heads` subprocess, which imports
  nbgrader again (3-5 s here); alembic's own ScriptDirectory gives the same answer in-process.
- nbgrader opens a Gradebook, i.e. a new SQLAlchemy engine, a dozen times per submission,
  losing the engine's compiled-statement cache each time; every one is the same SQLite file
  here, so one engine per URL is kept.
- A worker's scratch gradebook (its copy of the master) is opened without waiting for the disk
  on each commit: the master and the ledger are what must survive a crash.
"""

from __future__ import annotations

import nbgrader.api as api
from alembic.config import Config
from alembic.script import ScriptDirectory
from nbgrader.dbutil import _temp_alembic_ini
from sqlalchemy import event

ORIGINAL_CREATE_ENGINE = api.create_engine


def alembic_version():
    """nbgrader's `get_alembic_version`, without the `alembic heads` subprocess."""
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        return ScriptDirectory.from_config(Config(ini)).get_current_head()


def patch_nbgrader(scratch_db=None):
    """Install the replacements in this process; scratch_db: the file to open without fsync.
    Calling it again (a forked worker) starts a fresh set of shared engines."""
    engines = {}
    scratch_url = f"sqlite:///{scratch_db}" if scratch_db else None

    def create_engine(url, **kwargs):
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = ORIGINAL_CREATE_ENGINE(url, **kwargs)
            if str(url) == scratch_url:
                skip_fsync(engines[key])
        return engines[key]

    api.get_alembic_version = alembic_version
    api.create_engine = create_engine


def skip_fsync(engine):
    """Commits to this engine's SQLite file do not wait for the disk (nbgrader commits once per
    cell)."""
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.close()
