"""A bulk write (the seed) widens its SQLite connection's page cache; serving ones keep 32 MB."""

import pytest
import sqlalchemy as sa

from marketplace.core.database import (
    BULK_CACHE_KIB,
    SERVING_CACHE_KIB,
    widen_cache_for_bulk_writes,
)
from marketplace.demo import seeding
from marketplace.extensions import db


class Stopped(Exception):
    """Raised right after the widening: only the setting is under test."""


def cache_size():
    return db.session.scalar(sa.text("PRAGMA cache_size"))


def stop():
    raise Stopped


def test_the_seed_widens_its_connections_cache_on_sqlite(app, monkeypatch):
    with app.app_context():
        if db.session.get_bind().dialect.name != "sqlite":
            widen_cache_for_bulk_writes()  # nothing to do, and no error, on PostgreSQL
            return
        assert cache_size() == SERVING_CACHE_KIB
        monkeypatch.setattr(seeding, "_upsert_provinces", stop)
        with pytest.raises(Stopped):
            seeding.seed(courses=0)
        assert cache_size() == BULK_CACHE_KIB
        db.session.rollback()
