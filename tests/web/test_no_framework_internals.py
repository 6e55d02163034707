"""The site uses only the public API of Flask, Jinja, Flask-Babel and WTForms.

Private names of a framework can change in any release without notice; overriding or
reading them made the site's speed depend on internals (and one such override left every
page's title in English). This test greps marketplace/ for the known private names and
for underscore attributes reached through the frameworks' modules.
"""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"
FORBIDDEN = re.compile(
    r"_cv_app|_cv_request|flask\.globals\._|from flask\.globals import|"
    r"jinja2\.runtime|jinja2\.environment|jinja2\.nodes|jinja2\.visitor|jinja2\.compiler|"
    r"from jinja2 import nodes|Context\.call|_get_default_module|NodeTransformer|"
    r"\b_parse\(|_flask_babel|babel_locale|babel_translations|flask_babel\.\w*\._|"
    r"flask_babel\._|from flask_babel\.\w+ import|"
    r"(?:flask|jinja2|flask_babel|wtforms|flask_wtf)(?:\.\w+)*\._\w|"
    r"from (?:flask|jinja2|flask_babel|wtforms|flask_wtf)(?:\.\w+)* import [^\n]*\b_[a-z]\w*|"
    r"jinja_environment\s*="
)
# The catalogue's SQL goes through SQLAlchemy (text() and Core) with bound parameters, not
# the driver's cursor (core/database.py's SQLite BEGIN is SQLAlchemy's documented recipe).
RAW_DRIVER = re.compile(r"raw_connection|driver_connection|\.cursor\(|paramstyle|%\(\\1\)s")
# One exception, said here: the catalogue's revision, read at the start of every catalogue
# request on a connection of its own (search.catalogue_revision), is one constant statement
# without parameters, run on the pool's DBAPI connection through SQLAlchemy's public
# `raw_connection()`: a sixth of the cost of a Core connection and statement, which on SQLite
# also sends BEGIN and ROLLBACK around it. Its connection goes back to the pool, or is
# invalidated when the read fails.
RAW_REVISION_READ = {
    "catalogue/search.py: own = db.engine.raw_connection()",
    "catalogue/search.py: cursor = own.cursor()",
}


def offending_lines(root: Path = PACKAGE, pattern: re.Pattern = FORBIDDEN) -> list[str]:
    """`path:line: text` for every line under `root` that matches `pattern`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()}")
    return found


def test_no_private_names_of_the_frameworks_in_the_package():
    assert offending_lines() == []


def test_the_catalogue_reads_through_sqlalchemy_not_the_driver():
    found = offending_lines(PACKAGE / "catalogue", RAW_DRIVER)
    by_text = {re.sub(r":\d+:", ":", line) for line in found}
    assert by_text - RAW_REVISION_READ == set(), found
    assert by_text == RAW_REVISION_READ, "the exception names lines that are gone: drop it"


def test_the_grep_finds_what_it_looks_for(tmp_path):
    samples = [
        "from flask.globals import _cv_app",
        "context = _cv_app.get().g",
        "from jinja2.runtime import Context",
        "class PageTemplate(Template):\n    def _get_default_module(self, ctx=None): ...",
        "g._flask_babel = SimpleNamespace()",
        "from flask_babel.speaklater import LazyString",
        "wtforms.fields.core._unset_value",
        "from wtforms.utils import _unset_value",
        "app.jinja_environment = LanguageEnvironment",
    ]
    for number, sample in enumerate(samples):
        (tmp_path / f"sample_{number}.py").write_text(sample + "\n")
    files = {line.split(":")[0] for line in offending_lines(tmp_path)}
    assert len(files) == len(samples)
    (tmp_path / "raw.py").write_text("connection = db.engine.raw_connection()\n")
    assert offending_lines(tmp_path, RAW_DRIVER) != []
