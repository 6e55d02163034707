"""The control page of the benchmark: a static, valid HTML document of a given byte size, or
the very bytes of the page measured."""

import os
from pathlib import Path

_HEAD = (
    '<!doctype html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
    "<title>Kontrol tolok ukur</title>\n</head>\n<body>\n"
    "<h1>Halaman kontrol</h1>\n<p>"
)
_TAIL = "</p>\n</body>\n</html>\n"
_FILLER = "Halaman statis untuk pembanding tolok ukur katalog. "


def control_document(size: int) -> bytes:
    """The control's body: the file BENCH_CONTROL_FILE names, when set (the measured page's
    own bytes, saved by its benchmark), else a valid HTML document of exactly `size` bytes
    (or the shortest one, if size is smaller)."""
    saved = os.environ.get("BENCH_CONTROL_FILE")
    if saved:
        return Path(saved).read_bytes()
    room = max(0, size - len(_HEAD) - len(_TAIL))
    text = (_FILLER * (room // len(_FILLER) + 1))[:room]
    return (_HEAD + text + _TAIL).encode("ascii")
