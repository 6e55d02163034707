"""Every page that shows an error says so first in its title, "Kesalahan: " / "Error: ",
once; every other page does not; an error summary takes the focus when the page loads.

Nothing here lists the site's pages: for every role, in both languages, the test opens every
GET rule of `app.url_map` (path variables filled from the seeded demo), and sends every
POST form it finds with its boxes emptied, as a person pressing the button too early would.
Each answer that is an error (4xx) or shows an error summary or a flashed error must have
the prefix; each other page must not. The rule has one home, base.html's title.
"""

from html.parser import HTMLParser

import pytest
from support import demo_world
from support.demo_world import fill, path_template, signed_in
from support.html_page import HtmlPage

from marketplace.people.models import Role

PREFIX = {"id": "Kesalahan: ", "en": "Error: "}
EXTRA_PAGES = ("/no-such-page", "/courses?min_price=x", "/courses?page=abc", "/courses/tidak-ada")
SKIPPED_ACTIONS = ("/logout",)  # would end the walk's session
# Each role's walk must have checked errors on these forms (paths the POST went to).
FORMS_WITH_ERRORS = {
    "anonymous": ("/login", "/register"),
    "newcomer": ("/account/profile",),
    "provider": ("/provider/redeem",),
    "admin": ("/admin/batches",),
}


class PostForms(HTMLParser):
    """The POST forms of a page: action, and each field as sent with its boxes emptied
    (hidden inputs keep their values: they are not the person's to fill)."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[tuple[str, dict]] = []
        self._post = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._post = (attrs.get("method") or "get").lower() == "post"
            if self._post:
                self.forms.append((attrs.get("action") or self.url, {}))
            return
        if not self._post or not attrs.get("name"):
            return
        fields = self.forms[-1][1]
        kind = (attrs.get("type") or "text").lower()
        if tag == "input" and kind == "hidden":
            fields[attrs["name"]] = attrs.get("value") or ""
        elif tag in ("input", "select", "textarea") and kind not in ("submit", "button"):
            fields.setdefault(attrs["name"], "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._post = False


def _pages(app, world: dict) -> list[str]:
    paths = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        template, names = path_template(rule)
        path = fill(template, {name: world.get(name, 1) for name in names})
        if not path.startswith(SKIPPED_ACTIONS):
            paths.add(path)
    return sorted(paths) + list(EXTRA_PAGES)


class Walk:
    def __init__(self, client, language: str) -> None:
        self.client = client
        self.language = language
        self.prefix = PREFIX[language]
        self.problems: list[str] = []
        self.errors_seen: set[tuple[str, int]] = set()  # (path, status) of error pages
        self.plain_seen = 0

    def check(self, method: str, path: str, response) -> None:
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            return
        html = response.get_data(as_text=True)
        title = HtmlPage(html).title
        shows_error = (
            response.status_code >= 400
            or 'class="error-summary"' in html
            or "notice--error" in html
        )
        where = f"{self.language} {method} {path} {response.status_code} {title!r}"
        if shows_error:
            self.errors_seen.add((path.split("?")[0], response.status_code))
            if not title.startswith(self.prefix):
                self.problems.append(f"no prefix: {where}")
            if title.startswith(self.prefix * 2) or title.count(self.prefix.strip()) > 1:
                self.problems.append(f"prefix twice: {where}")
            if 'class="error-summary"' in html and "js/error-summary.js" not in html:
                self.problems.append(f"no focus script: {where}")
        else:
            self.plain_seen += 1
            if title.startswith(self.prefix):
                self.problems.append(f"prefix without an error: {where}")

    def run(self, pages: list[str]) -> None:
        posted = set()
        for path in pages:
            response = self.client.get(path)
            self.check("GET", path, response)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            reader = PostForms(path)
            reader.feed(response.get_data(as_text=True))
            for action, fields in reader.forms:
                key = (action.split("?")[0], tuple(sorted(fields)))
                if action.startswith(SKIPPED_ACTIONS) or key in posted:
                    continue
                posted.add(key)
                self.check("POST", action, self.client.post(action, data=fields))


def _client(app, factory, role: str):
    if role == "anonymous":
        return app.test_client()
    if role == "newcomer":  # verified, no profile yet: the profile form is theirs
        return signed_in(app, factory.user(role=Role.PARTICIPANT).email)
    return signed_in(app, demo_world.DEMO_ACCOUNTS[role])


@pytest.mark.parametrize("role", ["anonymous", "newcomer", "participant", "provider", "admin"])
def test_every_error_page_says_so_first_in_its_title(demo, factory, role):
    client = _client(demo, factory, role)
    pages = _pages(demo, demo_world.world(demo))
    problems, seen = [], {}
    for language in ("id", "en"):
        client.set_cookie("lang", language)
        walk = Walk(client, language)
        walk.run(pages)
        problems += walk.problems
        seen[language] = walk.errors_seen
        assert walk.plain_seen > 5
    assert not problems, "\n".join(problems[:40])
    for language in ("id", "en"):
        paths = {path for path, _status in seen[language]}
        assert ("/no-such-page", 404) in seen[language]
        assert ("/courses", 400) in seen[language]
        for action in FORMS_WITH_ERRORS.get(role, ()):
            assert action in paths, f"{role}/{language}: no error seen on {action}: {paths}"


def test_the_error_summary_takes_the_focus(client):
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    page = HtmlPage(html)
    assert page.title == "Error: Sign in · Prakerja"
    summary = next(attrs for attrs in page.find_all("div") if attrs.get("class") == "error-summary")
    assert summary["tabindex"] == "-1" and "autofocus" in summary
    script = next(attrs for attrs in page.find_all("script"))
    assert script["src"].startswith("/static/js/error-summary.js?v=") and "defer" in script
    assert client.get(script["src"]).status_code == 200
    # No inline script: the page's CSP allows scripts from the site only.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html
    # A page without errors loads no script.
    assert "<script" not in client.get("/login").get_data(as_text=True)
