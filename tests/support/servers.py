"""Servers the tests start in processes of their own (gunicorn): is one answering yet?"""

import contextlib
import http.client


def answers_healthz(host: str, port: int) -> bool:
    """Whether a server on host:port answers GET /healthz with 200 right now."""
    with contextlib.suppress(OSError, http.client.HTTPException):
        connection = http.client.HTTPConnection(host, port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        finally:
            connection.close()
    return False
