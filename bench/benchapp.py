"""The app under benchmark: the real app plus one control page, for `gunicorn benchapp:app`.

`/_bench/control` answers a static HTML document of BENCH_CONTROL_BYTES bytes (the size of the
catalogue page being measured), built once at import. It goes through the same server, worker
and Flask request handling as the real pages, so the ratio of a page's throughput to the
control's says what the page itself costs, whatever the machine.
"""

import os

from control import control_document
from flask import Response

from marketplace import create_app

CONTROL_BODY = control_document(int(os.environ.get("BENCH_CONTROL_BYTES") or 0))

app = create_app()


@app.route("/_bench/control")
def bench_control() -> Response:
    """The control page: a static document of the measured page's size."""
    return Response(CONTROL_BODY, mimetype="text/html")
