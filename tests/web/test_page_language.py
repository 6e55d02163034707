"""Every page a role can reach speaks the page's language: its title, headings, buttons and
labels hold no message of the other language.

Nothing here lists the site's pages: the test walks `app.url_map` (path variables filled with
real ids of the seeded demo), for every role, in both languages, and reads each HTML answer's
`<title>`, `<h1>`–`<h3>`, buttons, labels, legends and flash messages. In the Indonesian UI
none of their texts may be an English message of the catalogue whose Indonesian translation
differs (a message with values, like "Batch %(number)s", is matched as a pattern); in the
English UI none may be such an Indonesian translation. Course titles, provider names and the
like are data, Indonesian in both UIs, and are not messages of the catalogue, so they never
match.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from support import demo_world
from support.demo_world import fill, path_template, signed_in

from marketplace.people.models import Role

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "marketplace/translations/id/LC_MESSAGES/messages.po"
)
CHECKED_TAGS = {"title", "h1", "h2", "h3", "button", "label", "legend"}
# Pages worth reading beyond the rules themselves: the catalogue with results and with errors.
EXTRA_PAGES = ("/courses?q=excel", "/courses?min_price=x&category=nope", "/courses?page=2")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sd]")


class Messages:
    """The catalogue's messages whose Indonesian translation differs from the English id.

    `words(language)` answers whether a text is one of that language's messages: an exact
    message, or a message with values (e.g. "Batch %(number)s") matched as a pattern.
    """

    def __init__(self) -> None:
        with CATALOGUE.open("rb") as source:
            catalogue = read_po(source)
        self.exact = {"en": set(), "id": set()}
        patterns = {"en": [], "id": []}
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            forms = (
                list(zip(message.id, message.string, strict=False))
                if isinstance(message.id, tuple | list)
                else [(message.id, message.string)]
            )
            for english, indonesian in forms:
                if not indonesian or english == indonesian:
                    continue
                for language, text in (("en", english), ("id", indonesian)):
                    text = " ".join(text.split())
                    if PLACEHOLDER.search(text):
                        if self._distinctive(text):
                            patterns[language].append(self._pattern(text))
                    else:
                        self.exact[language].add(text)
        self.patterns = {
            language: re.compile("|".join(found)) if found else None
            for language, found in patterns.items()
        }

    @staticmethod
    def _distinctive(text: str) -> bool:
        """Whether a message with values can be told from data: "Batch %(number)s" can,
        "%(left)s of %(capacity)s" (a course title may hold "... dari ...") can't."""
        words = re.findall(r"[^\W\d_]+", PLACEHOLDER.sub(" ", text))
        enclosed = PLACEHOLDER.match(text) and re.search(r"(%\(\w+\)[sdif]|%[sd])$", text)
        return len(words) >= (2 if enclosed else 1) and sum(map(len, words)) >= 4

    @staticmethod
    def _pattern(text: str) -> str:
        parts = PLACEHOLDER.split(text)
        # re.split keeps the group's (the variable's name) between the fixed parts
        fixed = parts[0::2]
        return "(?:" + ".+?".join(re.escape(part) for part in fixed) + ")"

    def is_message(self, language: str, text: str) -> bool:
        if text in self.exact[language]:
            return True
        pattern = self.patterns[language]
        return pattern is not None and pattern.fullmatch(text) is not None


class TextReader(HTMLParser):
    """The texts of the checked elements of a page: each text node, and each element whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []  # [tag, pieces of its text]
        self.texts: list[tuple[str, str]] = []  # (tag, text)

    def handle_starttag(self, tag, attrs):
        if tag in CHECKED_TAGS:
            self.open.append([tag, []])
        elif tag == "div" and "notice" in (dict(attrs).get("class") or "").split():
            self.open.append([tag, []])  # a flash message: what a redirect came to tell
        elif tag == "input":
            attrs = dict(attrs)
            if (attrs.get("type") or "").lower() == "submit" and attrs.get("value"):
                self._add("input", attrs["value"])

    def handle_endtag(self, tag):
        if (tag in CHECKED_TAGS or tag == "div") and self.open and self.open[-1][0] == tag:
            name, pieces = self.open.pop()
            self._add(name, "".join(pieces))

    def handle_data(self, data):
        for element in self.open:
            element[1].append(data)
        if self.open:
            self._add(self.open[-1][0], data)

    def _add(self, tag: str, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self.texts.append((tag, text))
        if tag == "title":  # "Sign in · Prakerja": the page's own part, then the site's
            self.texts.extend((tag, part.strip()) for part in text.split(" · ") if part.strip())


def _pages(app, world: dict) -> list[str]:
    """Every GET rule of the app with its path variables filled, plus a few catalogue queries."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        template, names = path_template(rule)
        path = fill(template, {name: world.get(name, 1) for name in names})
        if path.startswith("/logout"):
            continue
        paths.append(path)
    return sorted(set(paths)) + list(EXTRA_PAGES)


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages()


def _client(app, factory, role: str):
    if role == "anonymous":
        return app.test_client()
    if role == "newcomer":  # verified, no profile yet
        return signed_in(app, factory.user(role=Role.PARTICIPANT).email)
    return signed_in(app, demo_world.DEMO_ACCOUNTS[role])


def test_the_catalogue_of_messages_is_read(messages):
    assert messages.is_message("en", "Sign in")
    assert messages.is_message("id", "Masuk")
    assert messages.is_message("en", "Batch 7")  # "Batch %(number)s"
    assert not messages.is_message("en", "Masuk")


@pytest.mark.parametrize("role", ["anonymous", "newcomer", "participant", "provider", "admin"])
def test_every_page_speaks_the_page_language(demo, factory, messages, role):
    client = _client(demo, factory, role)
    pages = _pages(demo, demo_world.world(demo))
    other = {"id": "en", "en": "id"}
    read, problems = 0, []
    for language in ("id", "en"):
        client.set_cookie("lang", language)
        for path in pages:
            response = client.get(path)
            if response.status_code >= 300 and response.status_code < 400:
                continue  # a redirect: its target is one of the pages
            assert response.status_code < 500, f"{role}/{language} {path}: {response.status}"
            if response.mimetype != "text/html":
                continue
            reader = TextReader()
            reader.feed(response.get_data(as_text=True))
            read += 1
            for tag, text in reader.texts:
                if messages.is_message(other[language], text):
                    problems.append(f"{role}/{language} {path} <{tag}> {text!r}")
    assert read > 20
    assert not problems, "\n".join(sorted(set(problems))[:60])
