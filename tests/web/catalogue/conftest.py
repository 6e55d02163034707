"""Fixtures of the catalogue's web tests."""

import pytest

from marketplace import create_app
from marketplace.extensions import db


@pytest.fixture
def worker_b(app):
    """A second app on the same database (and the same shared store, if any): another
    worker process."""
    other = create_app({**app.config})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
