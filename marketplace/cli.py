"""Flask commands, and the periodic jobs the worker shares with them.

Commands call services and commit once at their boundary; a job commits at its end
(marketplace/core/tasks.py).
"""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask
from flask.cli import with_appcontext
from huey import crontab

from marketplace.core import tasks
from marketplace.core.base import utcnow
from marketplace.extensions import db


@click.command("seed")
@click.option("--seed", "seed_value", default=2020, show_default=True, help="Random seed.")
@click.option("--courses", default=1500, show_default=True, help="Approved courses to create.")
@with_appcontext
def seed_command(seed_value: int, courses: int) -> None:
    """Fill an empty database with the demo catalogue and accounts (safe to run twice)."""
    from marketplace.demo import seeding

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
    from marketplace.catalogue import listing

    raise SystemExit(0 if listing.is_empty() else 1)


@click.group("search")
def search_group() -> None:
    """Full-text search index."""


@search_group.command("rebuild")
@with_appcontext
def search_rebuild_command() -> None:
    """Rebuild the full-text index of approved courses."""
    from marketplace.catalogue import search

    count = search.rebuild_index()
    db.session.commit()
    click.echo(f"Indexed {count} approved courses.")


@search_group.command("forget-results")
@with_appcontext
def search_forget_results_command() -> None:
    """Start a catalogue revision no database has had: every result page and course page kept
    by any process, on any machine or in the shared store, is read again. Run it after
    restoring a backup of the database."""
    from marketplace.catalogue import search

    revision = search.start_new_revision(db.session.connection())
    db.session.commit()
    click.echo(f"The catalogue's revision is now {revision}: nothing kept before is used.")


@search_group.group("synonyms")
def search_synonyms_group() -> None:
    """The office's search synonyms (table search_synonym; /admin/search/synonyms)."""


@search_synonyms_group.command("load")
@click.argument(
    "path",
    metavar="[FILE]",
    required=False,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@with_appcontext
def search_synonyms_load_command(path: Path | None) -> None:
    """Add the groups of FILE (default: seed_data/search_synonyms.txt) not held yet: one group
    a line, phrases separated by commas. A line breaking a rule is left out and said."""
    from marketplace.catalogue import search, synonyms

    try:
        loaded = synonyms.load(path or search.DEFAULT_SYNONYMS)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for number, errors in loaded.refused:
        for error in errors:
            click.echo(f"Line {number} left out: {error.message % error.params}", err=True)
    click.echo(
        f"Added {loaded.added} synonym groups ({loaded.held} held already, "
        f"{len(loaded.refused)} left out)."
    )


@search_synonyms_group.command("export")
@with_appcontext
def search_synonyms_export_command() -> None:
    """Print every synonym group in the file's format (`load` reads it back)."""
    from marketplace.catalogue import synonyms

    click.echo(synonyms.export(), nl=False)


@click.group("catalogue")
def catalogue_group() -> None:
    """The catalogue's courses."""


# At 5, 15, 25 … past the hour: not at the same minutes as the payouts (SQLite has one writer).
@tasks.periodic(crontab(minute="5-59/10"))
def count_enrolments() -> int:
    """Count the purchases and refunds made since the last time into each course's number of
    participants; how many courses changed. The worker runs it every ten minutes;
    `flask catalogue count-enrolments` runs it by hand."""
    from marketplace.catalogue import enrolments

    return enrolments.fold()


@catalogue_group.command("count-enrolments")
@with_appcontext
def catalogue_count_enrolments_command() -> None:
    """Count recent purchases and refunds into each course's number of participants."""
    try:
        changed = count_enrolments()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Counted recent purchases and refunds; courses whose count changed: {changed}.")


@click.group("ledger")
def ledger_group() -> None:
    """The programme's books."""


@ledger_group.command("verify")
@with_appcontext
def ledger_verify_command() -> None:
    """Check that the books balance; exit 1 and list the problems when they don't."""
    from marketplace.money import ledger

    problems = ledger.verify()
    if problems:
        for problem in problems:
            click.echo(problem)
        raise SystemExit(1)
    transactions, accounts = ledger.size()
    click.echo(f"ledger ok: {transactions} transactions, {accounts} accounts")


@ledger_group.command("allocate")
@click.argument("amount", type=click.IntRange(min=1))
@click.option("--reference", required=True, help='What the money is, e.g. "APBN 2020".')
@click.option("--key", default=None, help="A one-time key: the same key never allocates twice.")
@with_appcontext
def ledger_allocate_command(amount: int, reference: str, key: str | None) -> None:
    """Allocate AMOUNT whole rupiah of state budget to the programme fund."""
    from marketplace.money import ledger

    try:
        ledger.allocate_budget(amount, reference[:60], idempotency_key=key)
        balance = ledger.balance_of(ledger.PROGRAMME_FUND)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Programme fund: {ledger.rupiah(balance)}")


@click.group("cards")
def cards_group() -> None:
    """Kartu Prakerja cards."""


@tasks.periodic(crontab(minute="15"))
def expire_cards() -> int:
    """Revoke the active cards whose first-purchase deadline has passed; how many.

    The worker runs it every hour (at a quarter past); `flask cards expire` runs it by hand.
    """
    from marketplace.money import cards

    return cards.expire_overdue(utcnow())


@cards_group.command("expire")
@with_appcontext
def cards_expire_command() -> None:
    """Revoke active cards whose first-purchase deadline has passed (safe to run twice)."""
    try:
        revoked = expire_cards()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Revoked {revoked} cards whose first-purchase deadline had passed.")


@click.group("batches")
def batches_group() -> None:
    """Batches and selection."""


@batches_group.command("select")
@click.argument("number", type=int)
@with_appcontext
def batches_select_command(number: int) -> None:
    """Run selection for batch NUMBER once it has closed, and print the result."""
    from marketplace.core import DomainError
    from marketplace.programme import batches

    batch = batches.by_number(number)
    if batch is None:
        raise click.ClickException(f"There is no batch {number}.")
    try:
        report = batches.select(batch, utcnow())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message % error.params) from None
    except Exception:
        db.session.rollback()
        raise
    click.echo(report.describe())


def _wib(value: str) -> datetime:
    """A "YYYY-MM-DD HH:MM" time in WIB as naive UTC."""
    try:
        local = datetime.strptime(value, "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter('write it as "YYYY-MM-DD HH:MM" (WIB)') from None
    return local.replace(tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC).replace(tzinfo=None)


@batches_group.command("create")
@click.option("--number", type=int, required=True)
@click.option("--opens", required=True, help='Opening time in WIB, "YYYY-MM-DD HH:MM".')
@click.option("--closes", required=True, help='Closing time in WIB, "YYYY-MM-DD HH:MM".')
@click.option("--quota", type=int, required=True)
@click.option("--scheme", default="2020", show_default=True)
@with_appcontext
def batches_create_command(number: int, opens: str, closes: str, quota: int, scheme: str) -> None:
    """Create a batch (the schemes are added first when missing)."""
    from marketplace.core import DomainError
    from marketplace.programme import batches

    opens_at, closes_at = _wib(opens), _wib(closes)
    try:
        batches.ensure_schemes()
        batches.create_batch(number, opens_at, closes_at, quota, scheme, None, actor=None)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        errors = getattr(error, "errors", [error])
        raise click.ClickException(
            " ".join(each.message % each.params for each in errors)
        ) from None
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Batch {number} created.")


@click.group("certificates")
def certificates_group() -> None:
    """Certificates of completed courses."""


@certificates_group.command("verify")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--status-list",
    "status_list",
    type=click.File("rb"),
    default=None,
    help="A status list credential (downloaded from the credential's statusListCredential "
    "address): read the revocation bit from it, verified, instead of from the database.",
)
@with_appcontext
def certificates_verify_command(file, status_list) -> None:
    """Check a downloaded certificate credential (FILE.json) offline, as an independent
    verifier would: its Data Integrity signature over the canonical document with this
    programme's key, its issuer, and whether the certificate is revoked: its bit in the
    signed status list given with --status-list, or else the database.
    Exit 0 when it holds and is not revoked, else 1."""
    from flask import current_app

    from marketplace.certificates import credential

    document = _json_file(file, "the file")
    base_url = current_app.config.get("PUBLIC_URL") or ""
    expected = credential.issuer_id(base_url) if base_url else None
    ok, reasons = credential.verify(document, expected_issuer=expected)
    if ok:
        click.echo("Signature: valid (eddsa-rdfc-2022), made with this programme's issuer key.")
    else:
        click.echo("Signature: INVALID")
        for reason in reasons:
            click.echo(f"  - {reason}")
    if status_list is not None:
        revoked = _revoked_in_list(document, _json_file(status_list, "the status list"))
    else:
        revoked = _revoked_in_database(document)
    raise SystemExit(0 if ok and not revoked else 1)


def _json_file(file, what: str):
    """The JSON document in an open file; exit 1 saying so when it holds none."""
    import json

    from marketplace.certificates import credential

    try:
        return json.loads(file.read(credential.LARGEST_FILE + 1)[: credential.LARGEST_FILE])
    except (UnicodeDecodeError, ValueError):
        click.echo(f"INVALID: {what} is not a JSON document (or is too large).")
        raise SystemExit(1) from None


def _revoked_in_database(document) -> bool:
    """The certificate the credential names, looked up: revoked, or unknown, is True."""
    from marketplace.certificates import issuing

    named = document.get("id") if isinstance(document, dict) else None
    found = issuing.by_code(named if isinstance(named, str) else None)
    if found is None:
        click.echo("Status: no certificate with this code in the database.")
        return True
    if found.revoked:
        click.echo(
            f"Status: REVOKED on {found.revoked_at:%Y-%m-%d %H:%M} UTC: {found.revoked_reason}"
        )
        return True
    click.echo(f"Status: not revoked (certificate {issuing.shown(found.code)}).")
    return False


def _revoked_in_list(document, status_list) -> bool:
    """The credential's revocation bit in the given signed status list (the list checked:
    its proof with this programme's key, its issuer the credential's, and its address the
    one the credential's entry names). Revoked, or not readable, is True."""
    from marketplace.certificates import credential

    entry = document.get("credentialStatus") if isinstance(document, dict) else None
    entries = entry if isinstance(entry, list) else [entry]
    entry = next(
        (
            one
            for one in entries
            if isinstance(one, dict)
            and one.get("type") == credential.STATUS_ENTRY_TYPE
            and one.get("statusPurpose") == credential.STATUS_PURPOSE
        ),
        None,
    )
    if entry is None:
        click.echo("Status: UNKNOWN: the credential has no revocation status list entry.")
        return True
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not index.isascii() or not index.isdigit():
        click.echo(f"Status: UNKNOWN: the status list index {index!r} is not a number.")
        return True
    where = status_list.get("id") if isinstance(status_list, dict) else None
    if where != entry.get("statusListCredential"):
        click.echo(
            f"Status: UNKNOWN: the status list given is {where!r}, but the credential's "
            f"status is in {entry.get('statusListCredential')!r}."
        )
        return True
    issuer = credential.issuer_of(document)
    try:
        revoked = credential.revoked_in(
            status_list, int(index), expected_issuer=issuer, now=utcnow()
        )
    except credential.StatusListError as error:
        click.echo(f"Status: UNKNOWN: the status list is not usable: {error}")
        return True
    made = status_list.get("validFrom")
    if revoked:
        click.echo(f"Status: REVOKED (bit {index} is set in the status list of {made}).")
        return True
    click.echo(f"Status: not revoked (bit {index} is clear in the status list of {made}).")
    return False


@click.group("incentives")
def incentives_group() -> None:
    """Incentives and survey payments: paying them through the payout gateway."""


def _sqlite_path() -> str | None:
    """The SQLite database file's path, or None on PostgreSQL."""
    url = db.engine.url
    return url.database if url.get_backend_name() == "sqlite" else None


def disburse_due(limit: int | None = None) -> str:
    """One disbursement run (incentives/disbursement.py); a line saying what it did."""
    from flask import current_app

    from marketplace.incentives import disbursement
    from marketplace.incentives.gateway import Gateway

    gateway = Gateway.of(current_app.config)
    settings = disbursement.Settings.of(current_app.config)
    with disbursement.exclusive_run(_sqlite_path()):
        done = disbursement.run(gateway, settings, limit=limit)
    return (
        f"run {done.id}: {done.claimed} claimed, {done.accepted} accepted by the gateway, "
        f"{done.failed} not, {done.reconciled} reconciled"
    )


@tasks.periodic(crontab(minute="*/10"))
def disburse_periodically() -> str:
    """Every ten minutes the worker pays what is due (`flask incentives disburse` by hand)."""
    from marketplace.incentives.disbursement import AnotherDisburser
    from marketplace.incentives.gateway import GatewayUnavailable

    try:
        return disburse_due()
    except (AnotherDisburser, GatewayUnavailable) as reason:
        return f"not run: {reason}"


@incentives_group.command("disburse")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Claim at most N.")
@with_appcontext
def incentives_disburse_command(limit: int | None) -> None:
    """Pay every due incentive and survey payment; ask the gateway about stuck ones."""
    from marketplace.incentives.disbursement import AnotherDisburser
    from marketplace.incentives.gateway import GatewayUnavailable

    try:
        click.echo(disburse_due(limit))
    except AnotherDisburser as holder:
        click.echo(f"Another disburser is running ({holder}): on SQLite one runs at a time.")
        raise SystemExit(75) from None
    except GatewayUnavailable as reason:
        click.echo(f"The payout gateway can't be used: {reason}")
        raise SystemExit(1) from None


@click.command("payout-sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port to listen on (default: PAYOUT_GATEWAY_URL's port).",
)
@click.option(
    "--db", "db_path", default=None, help="Its SQLite record [instance/payout-sandbox.db]."
)
@click.option("--webhook-url", default=None, help="Where webhooks go [PUBLIC_URL/payouts/webhook].")
@click.option(
    "--accounts",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="CSV of accounts to register: channel,account_number,holder_name[,rejected].",
)
@click.option("--settle-after", default=0.3, show_default=True, help="Seconds before settling.")
@click.option("--seed", default=None, type=int, help="Random seed for the faults.")
@with_appcontext
def payout_sandbox_command(host, port, db_path, webhook_url, accounts, settle_after, seed) -> None:
    """Serve the sandbox payout gateway (the other side of incentive payouts) until stopped."""
    import logging
    import os
    import signal
    import threading
    import urllib.parse

    from flask import current_app

    from marketplace.incentives.sandbox import PayoutSandbox

    config = current_app.config
    secret = config.get("PAYOUT_GATEWAY_SECRET")
    if not secret:
        raise click.ClickException(
            "PAYOUT_GATEWAY_SECRET is not set (env or instance/payout_gateway_secret)"
        )
    if port is None:
        port = urllib.parse.urlsplit(config.get("PAYOUT_GATEWAY_URL") or "").port or 5010
    if webhook_url is None and config.get("PUBLIC_URL"):
        webhook_url = config["PUBLIC_URL"].rstrip("/") + "/payouts/webhook"
    db_path = db_path or os.path.join(current_app.instance_path, "payout-sandbox.db")
    logger = logging.getLogger("payout_sandbox")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s payout-sandbox %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    sandbox = PayoutSandbox(
        secret,
        db_path,
        webhook_url=webhook_url,
        seed=seed,
        settle_after=settle_after,
        webhook_delays=(0.5, 2, 10, 30, 120),  # a restarting site still gets its events
    )
    if accounts:
        click.echo(f"Registered {sandbox.load_accounts(accounts)} accounts from {accounts}.")
    url = sandbox.start(host, port)
    click.echo(f"Payout sandbox listening on {url} (record: {db_path})")
    click.echo(f"Webhooks go to {webhook_url or 'nowhere: no PUBLIC_URL or --webhook-url'}")
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(0.2):
        pass
    sandbox.stop()
    click.echo("Payout sandbox stopped.")


def register(app: Flask) -> None:
    """Add the commands to `flask`."""
    app.cli.add_command(seed_command)
    app.cli.add_command(is_empty_command)
    app.cli.add_command(search_group)
    app.cli.add_command(catalogue_group)
    app.cli.add_command(ledger_group)
    app.cli.add_command(cards_group)
    app.cli.add_command(batches_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(certificates_group)
    app.cli.add_command(incentives_group)
    app.cli.add_command(payout_sandbox_command)


@click.command("worker")
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="How many tasks run at once.",
)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Leave the periodic jobs to another worker (with several machines, one worker runs them).",
)
@with_appcontext
def worker_command(threads: int, no_periodic: bool) -> None:
    """Run the task queue's worker until stopped: mail delivery and the periodic jobs.

    It starts by enqueuing the resend of mail a killed worker may have left unsent. Ctrl-C
    (SIGINT) lets running tasks finish; SIGTERM stops at once (the outbox keeps what was not
    sent).
    """
    import logging

    from flask import current_app

    from marketplace.core import mail

    queue = tasks.queue_of(current_app)
    if queue.immediate:
        raise click.ClickException(
            "TASK_QUEUE_IMMEDIATE is on: jobs run where they are enqueued, not in a worker."
        )
    queue.register_declared()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    mail.resend_unsent.enqueue()
    consumer = queue.huey.create_consumer(workers=threads, periodic=not no_periodic)
    click.echo(
        f"Worker on {current_app.config['TASK_QUEUE_URL']} with {threads} thread(s); "
        + (
            "periodic jobs off."
            if no_periodic
            else "periodic jobs: " + ", ".join(job.name for job in tasks.declared() if job.schedule)
        )
    )
    consumer.run()


@click.group("mail")
def mail_group() -> None:
    """Mail the site sends (the outbox)."""


@mail_group.command("outbox")
@click.option("--to", "recipient", default=None, help="Only messages to this email address.")
@click.option(
    "--last",
    default=10,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many of the most recent messages.",
)
@with_appcontext
def mail_outbox_command(recipient: str | None, last: int) -> None:
    """Print the most recent messages of the outbox, oldest first, with their bodies."""
    from flask import current_app

    from marketplace.core import mail

    messages = mail.recent(recipient=recipient, last=last)
    if not messages:
        click.echo("The outbox is empty." if recipient is None else f"No mail to {recipient}.")
        return
    for message in messages:
        if message.sent_at is not None:
            state = f"sent {message.sent_at:%Y-%m-%d %H:%M:%S} UTC"
        elif message.error:
            state = f"not sent: {message.error}"
        elif current_app.config.get("MAIL_SERVER"):
            state = "not sent yet (queued for the worker)"
        else:
            state = "not sent (no MAIL_SERVER)"
        click.echo(f"--- #{message.id} {message.created_at:%Y-%m-%d %H:%M:%S} UTC, {state}")
        click.echo(f"To: {message.recipient}")
        click.echo(f"Subject: {message.subject}")
        click.echo("")
        click.echo(message.body.rstrip("\n"))
        click.echo("")


@mail_group.command("retry")
@click.option(
    "--hours",
    default=48,
    show_default=True,
    type=click.IntRange(1, 24 * 30),
    help="Only messages made in the last HOURS hours.",
)
@with_appcontext
def mail_retry_command(hours: int) -> None:
    """Send again now, not through the queue, the messages whose delivery failed (needs
    MAIL_SERVER). The worker does the same every hour."""
    from datetime import timedelta

    from marketplace.core import mail

    try:
        sent, failing = mail.retry_failed(since=utcnow() - timedelta(hours=hours))
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Sent {sent}; {failing} still failing.")
