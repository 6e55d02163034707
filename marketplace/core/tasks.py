"""The task queue: work done after a request, or on a schedule, by a worker process (Huey).

A job is a function declared with `@tasks.job(...)` (run when enqueued, retried with
backoff when it raises) or `@tasks.periodic(schedule)` (run by the worker on a crontab).
Declaring one changes nothing else about the function: `job.enqueue(*args)` hands it to
the current app's queue, and calling it runs it here, as `flask` commands do.

Each app has its own queue, built from its settings on first use (`queue_of`):

- TASK_QUEUE_URL `sqlite:///instance/tasks.db` (the default): Huey's SQLite storage, one
  machine, nothing else to run;
- `redis://host:6379/1`: Huey's Redis storage, for web servers and workers on several
  machines;
- TASK_QUEUE_IMMEDIATE (by default on when TESTING): every job runs in the enqueuing
  process at the moment it is enqueued, so tests need no worker.

The worker is `flask worker` (marketplace/cli.py). A job runs in an app context of its
own and commits once at its end, or rolls back when it raises: it is a boundary, like a
request or a command. Arguments travel through the queue, so they are plain values (ids),
never rows.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from marketplace.extensions import db

QUEUE_NAME = "marketplace"
EXTENSION = "task_queue"


@dataclass(frozen=True)
class Job:
    """A function the worker runs: when enqueued (`schedule` None) or on its schedule."""

    function: Callable
    name: str
    retries: int = 0
    retry_delay: int = 0  # seconds before the first retry
    retry_backoff: float = 1.0  # each further retry waits this many times longer
    schedule: Callable | None = None  # a huey.crontab(...) for a periodic job

    def __call__(self, *args):
        """Run the job here and now, in the caller's transaction (a `flask` command's)."""
        return self.function(*args)

    def enqueue(self, *args) -> None:
        """Hand the job to the current app's queue (run at once in immediate mode)."""
        queue_of(current_app).enqueue(self, args)


_declared: dict[str, Job] = {}


def job(*, retries: int = 0, retry_delay: int = 0, retry_backoff: float = 1.0):
    """Declare a function as a job run when enqueued, tried `retries` more times if it raises."""

    def declare(function: Callable) -> Job:
        return _declare(Job(function, _name_of(function), retries, retry_delay, retry_backoff))

    return declare


def periodic(schedule: Callable):
    """Declare a function as a job the worker runs on `schedule` (a huey.crontab)."""

    def declare(function: Callable) -> Job:
        return _declare(Job(function, _name_of(function), schedule=schedule))

    return declare


def declared() -> list[Job]:
    """Every job declared so far, by name."""
    return [_declared[name] for name in sorted(_declared)]


def _name_of(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def _declare(declared_job: Job) -> Job:
    _declared[declared_job.name] = declared_job
    return declared_job


class TaskQueue:
    """One app's Huey instance and the jobs registered on it."""

    def __init__(self, app: Flask) -> None:
        # `app` may be the current_app proxy; keep the app itself, for tasks the worker runs
        # outside any context (an app context's `app` is the object behind the proxy).
        self.app = app.app_context().app
        self.huey = _huey_for(app.config, immediate=_immediate(app))
        self._tasks: dict[str, TaskWrapper] = {}
        self._lock = threading.Lock()

    @property
    def immediate(self) -> bool:
        return self.huey.immediate

    def enqueue(self, queued_job: Job, args: tuple) -> None:
        """Put one run of `queued_job` with `args` on the queue."""
        self.task_for(queued_job)(*args)

    def register_declared(self) -> None:
        """Register every declared job, as the worker must before it reads the queue."""
        for each in declared():
            self.task_for(each)

    def task_for(self, declared_job: Job) -> TaskWrapper:
        """The Huey task of a job, registered on first use."""
        with self._lock:
            task = self._tasks.get(declared_job.name)
            if task is None:
                task = self._tasks[declared_job.name] = self._register(declared_job)
            return task

    def _register(self, declared_job: Job) -> TaskWrapper:
        app = self.app

        def run(*args):
            with app.app_context():
                try:
                    result = declared_job.function(*args)
                    db.session.commit()
                except BaseException:
                    db.session.rollback()
                    raise
            return result

        # Huey names a task "<its function's module>.<name>": the job's own module and
        # name, so the worker's log says "marketplace.core.mail.deliver_message".
        run.__module__ = declared_job.function.__module__
        name = declared_job.function.__qualname__
        if declared_job.schedule is not None:
            return self.huey.periodic_task(declared_job.schedule, name=name)(run)
        return self.huey.task(
            retries=declared_job.retries,
            retry_delay=declared_job.retry_delay,
            retry_backoff=declared_job.retry_backoff,
            name=name,
        )(run)


_building = threading.Lock()


def queue_of(app: Flask) -> TaskQueue:
    """The app's task queue, built from its settings the first time it is asked for."""
    queue = app.extensions.get(EXTENSION)
    if queue is None:
        with _building:
            queue = app.extensions.get(EXTENSION)
            if queue is None:
                queue = app.extensions[EXTENSION] = TaskQueue(app)
    return queue


def _immediate(app: Flask) -> bool:
    setting = app.config.get("TASK_QUEUE_IMMEDIATE")
    return app.testing if setting is None else bool(setting)


def _huey_for(config, *, immediate: bool) -> Huey:
    """A Huey instance for TASK_QUEUE_URL (results are not kept: nobody waits for them)."""
    if immediate:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    url = config.get("TASK_QUEUE_URL") or ""
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "unix"}:
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), results=False)
    raise RuntimeError(
        f"TASK_QUEUE_URL must be sqlite:///path or redis://host:port/db, not {url!r}"
    )
