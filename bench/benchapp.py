"""The app under benchmark: the real app plus one control page, for `gunicorn benchapp:app`.

`/_bench/password-hash` (POST) computes the same argon2id hash a sign-up does and nothing else:
the control of the registration benchmark.

`/_bench/control` answers a static HTML document of BENCH_CONTROL_BYTES bytes (the size of the
catalogue page being measured), built once at import. It goes through the same server, worker
and Flask request handling as the real pages, so the ratio of a page's throughput to the
control's says what the page itself costs, whatever the machine.

BENCH_KEEP_PARTS ("1", the default, or "0") says whether the app keeps rendered parts of
pages (course cards, filter forms, whole catalogue pages for visitors without a session; see
marketplace/web/fragments.py). With "0" it is created with KEEP_RENDERED_PARTS off and draws
every part afresh on every request: the cold server of bench/catalogue.py.
"""

import os

from control import control_document
from flask import Response, request

from marketplace import create_app
from marketplace.people import accounts

CONTROL_BODY = control_document(int(os.environ.get("BENCH_CONTROL_BYTES") or 0))

# The registration benchmark signs up thousands of people from one address: without this the
# per-address limit on /register would answer 429 after the first few.
app = create_app(
    {
        "RATELIMIT_ENABLED": os.environ.get("BENCH_RATE_LIMITS", "1") == "1",
        "KEEP_RENDERED_PARTS": os.environ.get("BENCH_KEEP_PARTS", "1") != "0",
    }
)


@app.route("/_bench/control")
def bench_control() -> Response:
    """The control page: a static document of the measured page's size."""
    return Response(CONTROL_BODY, mimetype="text/html")


@app.route("/_bench/password-hash", methods=["POST"])
def bench_password_hash() -> Response:
    """The registration control: only the password hash a sign-up computes (argon2id)."""
    accounts.hash_password(request.form.get("password", ""))
    return Response("ok", mimetype="text/plain")
