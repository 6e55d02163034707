"""Flask commands. They call services and commit once at their boundary."""

import click
from flask import Flask
from flask.cli import with_appcontext

from marketplace.extensions import db


@click.command("seed")
@click.option("--seed", "seed_value", default=2020, show_default=True, help="Random seed.")
@click.option("--courses", default=1500, show_default=True, help="Approved courses to create.")
@with_appcontext
def seed_command(seed_value: int, courses: int) -> None:
    """Fill an empty database with the demo catalogue and accounts (safe to run twice)."""
    from marketplace.services import seeding

    try:
        report = seeding.seed(seed=seed_value, courses=courses)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.describe())


@click.command("is-empty")
@with_appcontext
def is_empty_command() -> None:
    """Exit 0 when the catalogue has no courses yet (used by `make run`), else 1."""
    from marketplace.services import catalogue

    raise SystemExit(0 if catalogue.is_empty() else 1)


@click.group("search")
def search_group() -> None:
    """Full-text search index."""


@search_group.command("rebuild")
@with_appcontext
def search_rebuild_command() -> None:
    """Rebuild the full-text index of approved courses."""
    from marketplace.services import search

    count = search.rebuild_index()
    db.session.commit()
    click.echo(f"Indexed {count} approved courses.")


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    app.cli.add_command(seed_command)
    app.cli.add_command(is_empty_command)
    app.cli.add_command(search_group)
