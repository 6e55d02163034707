"""Every user-facing message has an Indonesian translation and both catalogues compile."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "marketplace" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "marketplace"), method_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def test_every_message_has_an_indonesian_translation():
    catalogue = _catalogue("id")
    missing = []
    for msgid in sorted(_source_messages()):
        message = catalogue.get(msgid)
        if message is None:
            for candidate in catalogue:
                if isinstance(candidate.id, tuple) and candidate.id[0] == msgid:
                    message = candidate
                    break
        text = message.string if message else None
        if isinstance(text, tuple):
            text = text[0]
        if not text:
            missing.append(msgid)
    assert missing == [], f"untranslated into Indonesian: {missing}"


def test_placeholders_survive_translation():
    for message in _catalogue("id"):
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        for token in ("%(", ")s", ")d"):
            assert source.count(token) == target.count(token), source


def test_every_plural_form_is_translated():
    """A plural message with an empty or missing form shows that form in English (or empty):
    "20 minutes" on an Indonesian page."""
    untranslated = [
        message.id[0]
        for message in _catalogue("id")
        if isinstance(message.id, tuple)
        and (not isinstance(message.string, tuple) or not all(message.string))
    ]
    assert untranslated == []
