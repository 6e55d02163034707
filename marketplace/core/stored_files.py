"""Files written for a row that a transaction adds: kept when it commits, removed when it does
not. An upload is written to disk before its row is committed (the row names the file); if
the commit then fails or the request is refused and rolled back, the file would be left
where nothing points at it. `written(path)` records it in the transaction; a rollback (or a
session closed without a commit) deletes it.
"""

import logging
from pathlib import Path

import sqlalchemy as sa

from marketplace.extensions import db

log = logging.getLogger(__name__)
_WRITTEN = "files_written"


def written(path: str | Path) -> None:
    """Note that `path` was written for a row of the current transaction."""
    db.session.info.setdefault(_WRITTEN, []).append(str(path))


@sa.event.listens_for(db.session, "after_commit")
def _keep_committed(session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the outer transaction decides
    session.info.pop(_WRITTEN, None)


@sa.event.listens_for(db.session, "after_transaction_end")
def _remove_uncommitted(session, transaction) -> None:
    """The outermost transaction ended without a commit: its files go too."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN, None) or ():
        try:
            Path(path).unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove %s, written for a transaction rolled back", path)
