"""The cold server of bench/certificate.py, for `gunicorn certificate_cold:app`.

bench/benchapp.py's app (started with BENCH_KEEP_PARTS=0: no rendered part kept) whose kept QR
drawings (the lru_cache of marketplace/web/certificates/views.py's `qr_svg`) are forgotten
before every request, so every certificate page draws its QR code afresh: what a page costs
the first time its address is asked for in a worker.
"""

from benchapp import app

from marketplace.web.certificates import views


@app.before_request
def forget_qr_drawings() -> None:
    views.qr_svg.cache_clear()
