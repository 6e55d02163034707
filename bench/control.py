"""The control page of the benchmark: a static, valid HTML document of a given byte size."""

_HEAD = (
    '<!doctype html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
    "<title>Kontrol tolok ukur</title>\n</head>\n<body>\n"
    "<h1>Halaman kontrol</h1>\n<p>"
)
_TAIL = "</p>\n</body>\n</html>\n"
_FILLER = "Halaman statis untuk pembanding tolok ukur katalog. "


def control_document(size: int) -> bytes:
    """A valid HTML document of exactly `size` bytes (or the shortest one, if size is smaller)."""
    room = max(0, size - len(_HEAD) - len(_TAIL))
    text = (_FILLER * (room // len(_FILLER) + 1))[:room]
    return (_HEAD + text + _TAIL).encode("ascii")
