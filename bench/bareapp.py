"""The bare Flask control: a minimal Flask app outside the project, for `gunicorn bareapp:app`.

No extension, no configuration, nothing of the marketplace: `/_bench/control` answers the
same static document as the in-app control (bench/benchapp.py, BENCH_CONTROL_BYTES bytes),
under the same gunicorn settings. A page's throughput divided by this one's says what the
page costs against the least a Flask page can cost on this machine.
"""

import os

from control import control_document
from flask import Flask, Response

CONTROL_BODY = control_document(int(os.environ.get("BENCH_CONTROL_BYTES") or 0))

app = Flask(__name__)


@app.route("/_bench/control")
def bench_control() -> Response:
    """The control page: a static document of the measured page's size."""
    return Response(CONTROL_BODY, mimetype="text/html")


@app.route("/healthz")
def healthz() -> dict:
    """Answers once gunicorn serves the app (the benchmark waits for it)."""
    return {"status": "ok"}
