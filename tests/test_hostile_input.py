"""Hostile input on every route and every form, for every role: never a 5xx, never the
text of a database error.

Nothing here lists the site's pages. The test walks `app.url_map` (every rule, its path
variables filled with real ids of the seeded demo, then with hostile values), opens every
page a role can reach, reads every form on it, and sends each field a list of hostile
values (unicode digits and signs, huge numbers, NUL and other control characters,
overlong text, mixed scripts, emoji, duplicated parameters, a file where text belongs).
A route or a form added later is walked the same way without anyone adding it here.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from support import demo_world
from support.demo_world import fill, path_template, signed_in
from support.programme_rows import make_participant

from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.money import cards
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Education, Employment, Participant, Role, Sex, User
from marketplace.programme.models import Batch

HOSTILE = (
    "²",
    "٣",
    "--5",
    "-1",
    "+7",
    "0",
    "9" * 400,
    "1e309",
    "1.5",
    "0x1F",
    " 12 ",
    "\x00",
    "ab\x00cd",
    "\x1b[31m",
    "\x7f\x85",
    "\u202eevil",
    "\ufeff",
    "x" * 5000,
    "Ελληνικά кириллица 中文 العربية",
    "😀🇮🇩" * 40,
    "' OR 1=1 --",
    '"><script>alert(1)</script>',
    "../../etc/passwd",
    "%00%ff",
    "",
    " ",
)
# For path variables and the generic query names: the values most likely to break a read.
SHARP = ("²", "--5", "9" * 400, "\x00", "x" * 5000, "😀", "' OR 1=1 --", "%2e%2e%2f")
GENERIC_QUERY_NAMES = ("page", "q", "next", "done", "session", "sort")
DATABASE_ERRORS = re.compile(
    r"Traceback|sqlite3|psycopg|OperationalError|IntegrityError|DataError|"
    r"ProgrammingError|StatementError|\[SQL:",
)
# What a person would type into a blank field, so that a form sent "as rendered" gets past
# its checks and the form that follows it (a check-your-answers step) is walked too.
PLAUSIBLE = {
    "nik": "3201231708950099",  # Jawa Barat; a man born 17 August 1995
    "kk": "3201230101200099",
    "full_name": "Budi Santoso",
    "birth_day": "17",
    "birth_month": "8",
    "birth_year": "1995",
    "sex": "male",
    "phone": "0812-3456-0099",
    "city": "Kota Bandung",
}
# Forms that end the role's session: walked with the role signed in would sign it out.
SKIPPED_ACTIONS = ("/logout",)


@dataclass
class Form:
    """A form as a browser would submit it: where, how, and its fields' current values."""

    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name -> value sent by default
    buttons: set = field(default_factory=set)  # names of submit buttons


class FormReader(HTMLParser):
    """Collects the forms of a page and the query names of its links."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.link_queries: set[str] = set()
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "?" in (attrs.get("href") or ""):
            self.link_queries.update(name for name, _ in parse_qsl(urlsplit(attrs["href"]).query))
        if tag == "form":
            action = attrs.get("action") or self.page_url
            self.forms.append(Form((attrs.get("method") or "get").lower(), action))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], attrs.get("name")
        if tag == "option" and self._select:
            if form.fields.get(self._select) == "" or "selected" in attrs:
                form.fields[self._select] = attrs.get("value", "")
            return
        if not name:
            return
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image", "button"):
                form.buttons.add(name)
            elif kind in ("radio", "checkbox"):
                if name not in form.fields or "checked" in attrs:
                    form.fields[name] = attrs.get("value", "on")
            else:
                form.fields.setdefault(name, attrs.get("value") or "")
        elif tag == "button":
            form.buttons.add(name)
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            form.fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


class Walk:
    """One role's walk: every request it sends and every problem it meets."""

    def __init__(self, client, role: str):
        self.client = client
        self.role = role
        self.problems: list[str] = []
        self.requests = 0
        self.pages: set[str] = set()  # pages answered 200
        self.posted_forms: set[str] = set()  # actions of the POST forms walked

    def send(self, method: str, url: str, **kwargs):
        """One request; a 5xx, an exception or a database error's text is a problem."""
        self.requests += 1
        try:
            response = self.client.open(url, method=method.upper(), **kwargs)
        except Exception as error:  # noqa: BLE001 - every exception is a finding
            self.problems.append(f"{self.role} {method} {url!r} {kwargs}: raised {error!r}")
            return None
        body = response.get_data(as_text=True)
        if response.status_code >= 500 or DATABASE_ERRORS.search(body):
            found = DATABASE_ERRORS.search(body)
            self.problems.append(
                f"{self.role} {method} {url[:200]!r} {str(kwargs)[:300]}: "
                f"{response.status_code} {found.group() if found else ''}"
            )
        return response


def _refundable_order(app) -> int:
    """A paid order (the office's refund form is walked on its page)."""
    with app.app_context():
        return db.session.scalar(
            sa.select(Order.id).order_by(Order.status != OrderStatus.PAID, Order.id).limit(1)
        )


def _walk_forms(walk: Walk, forms: list[Form], seen: set, depth: int = 0) -> None:
    """Every field of every form, one hostile value at a time, the rest left as rendered.

    Each POST form is first sent as rendered (following redirects): a form that only
    appears in the answer (the purchase code after "send me a code", the profile's check
    step, a test question after "start") is walked the same way.
    """
    for form in forms:
        action = form.action
        key = (form.method, action.split("?")[0], tuple(sorted(form.fields)))
        if key in seen or any(action.startswith(skipped) for skipped in SKIPPED_ACTIONS):
            continue
        seen.add(key)
        if form.method == "post":
            walk.posted_forms.add(action.split("?")[0])
            filled = {name: value or PLAUSIBLE.get(name, "") for name, value in form.fields.items()}
            answer = walk.send("POST", action, data=filled, follow_redirects=True)
            if answer is not None and answer.status_code in (200, 400) and depth < 3:
                reader = FormReader(answer.request.path)
                reader.feed(answer.get_data(as_text=True))
                _walk_forms(walk, reader.forms, seen, depth + 1)
        names = list(form.fields) + sorted(form.buttons)
        for name in names:
            for value in HOSTILE:
                data = {**form.fields, name: value}
                if form.method == "get":
                    walk.send("GET", f"{action.split('?')[0]}?{urlencode(data)}")
                else:
                    walk.send("POST", action, data=data)
            if form.method == "post":
                # duplicated parameter, and a file where text belongs
                walk.send("POST", action, data={**form.fields, name: ["1", "²"]})
                upload = (io.BytesIO(b"\x00\xff" * 64), "../../x.php")
                walk.send(
                    "POST",
                    action,
                    data={**form.fields, name: upload},
                    content_type="multipart/form-data",
                )
                for wrong in (5, ["1"], None, {"a": 1}):  # JSON of the wrong type
                    walk.send("POST", action, json={**form.fields, name: wrong})
            else:
                walk.send("GET", f"{action.split('?')[0]}?{urlencode({name: ['1', '²']}, True)}")


def _walk_headers(walk: Walk) -> None:
    """Hostile headers and cookies on a few pages: the Host, proxies' headers, the language."""
    for path in ("/", "/courses", "/account"):
        for value in SHARP:
            walk.send("GET", path, headers={"Host": value[:200] or "x"})
            walk.send("GET", path, headers={"X-Forwarded-For": value, "X-Forwarded-Host": value})
            walk.send("GET", path, headers={"Accept-Language": value})
            walk.send("GET", path, headers={"Cookie": f"lang={quote(value)}"})


def _walk(app, client, role: str) -> Walk:
    walk = Walk(client, role)
    world = demo_world.world(app)
    if not role.startswith("participant/"):  # she walks her own course's learning pages
        world["order_id"] = _refundable_order(app)
    seen_forms: set = set()
    _walk_headers(walk)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    for rule in rules:
        template, names = path_template(rule)
        url = fill(template, {name: world.get(name, "1") for name in names})
        if any(url.startswith(skipped) for skipped in SKIPPED_ACTIONS):
            continue
        for name in names:  # hostile path variables
            for value in SHARP:
                for method in sorted(rule.methods & {"GET", "POST"}):
                    walk.send(method, fill(template, {**world, name: value}))
        if "GET" not in rule.methods:
            for name in GENERIC_QUERY_NAMES:
                walk.send("POST", url, data={name: "²"})
            continue
        response = walk.send("GET", url)
        if response is None or response.status_code != 200:
            continue
        walk.pages.add(url)
        reader = FormReader(url)
        reader.feed(response.get_data(as_text=True))
        query_names = set(GENERIC_QUERY_NAMES) | reader.link_queries
        for name in sorted(query_names):  # hostile query parameters
            for value in SHARP:
                walk.send("GET", f"{url}?{urlencode({name: value})}")
        _walk_forms(walk, reader.forms, seen_forms)
    return walk


def _applicant(app, factory):
    """A participant whose profile is complete (a NIK that agrees with her birth date and
    sex) and who has not taken the test: her profile's check step and the online test's
    questions are reachable."""
    email = factory.user(role=Role.PARTICIPANT).email
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        db.session.add(
            Participant(
                user_id=user.id,
                nik="3201235708950077",  # Jawa Barat; a woman born 17 August 1995
                kk="3201230101200077",
                full_name="Rina Wulandari",
                birth_date=date(1995, 8, 17),
                sex=Sex.FEMALE,
                phone="+6281234560077",
                province_id=db.session.scalar(sa.select(Province.id).where(Province.code == "32")),
                city="Kota Bandung",
                education=Education.SMA,
                employment=Employment.JOB_SEEKER,
            )
        )
        db.session.commit()
    return signed_in(app, email)


def _buyer(app, factory):
    """A participant holding a card of the demo's selected batch, with no course yet: the
    checkout's forms are reachable (the demo participant is in the middle of a course, and
    her scheme allows one unfinished course at a time)."""
    email = factory.user(role=Role.PARTICIPANT).email
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        batch = db.session.scalar(
            sa.select(Batch).where(Batch.selected_at.is_not(None)).order_by(Batch.number)
        )
        cards.issue(make_participant(user=user), batch, utcnow())
        db.session.commit()
    return signed_in(app, email)


ROLES = {
    "anonymous": None,
    "newcomer": None,  # verified, no profile yet
    "applicant": None,  # a profile, no test yet
    "participant": "peserta@example.com",
    "buyer": None,  # a card holder with no course yet: checkout's forms
    "provider": "lembaga@example.com",
    "admin": "admin@example.com",
}
# What each role's walk must have reached: its own pages (signed in to the end) and the
# POST forms the outside attack named (path prefixes).
REACHED = {
    "newcomer": ("/account/profile", "/account/profile/confirm"),
    "applicant": ("/account/test/",),
    # The demo participant is in the middle of a course (her scheme allows one unfinished
    # course, so she can't buy another): the learning pages' forms.
    "participant": ("/learn/",),
    "buyer": ("/checkout/", "/checkout/confirm"),
    "provider": ("/provider/redeem", "/provider/sessions/", "/provider/certificates/"),
    "admin": ("/admin/batches", "/admin/orders/", "/admin/certificates/"),
}
HOME = {
    "newcomer": "/account",
    "applicant": "/account",
    "participant": "/account",
    "buyer": "/account",
    "provider": "/provider",
    "admin": "/admin/batches",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_no_input_makes_a_server_error(demo, factory, role):
    if role == "anonymous":
        client = demo.test_client()
    elif role == "newcomer":
        client = signed_in(demo, factory.user(role=Role.PARTICIPANT).email)
    elif role == "applicant":
        client = _applicant(demo, factory)
    elif role == "buyer":
        client = _buyer(demo, factory)
    else:
        client = signed_in(demo, ROLES[role])
    posted = set()
    for language in ("id", "en"):
        client.set_cookie("lang", language)
        walk = _walk(demo, client, f"{role}/{language}")
        assert walk.requests > 300
        assert not walk.problems, "\n".join(walk.problems[:40])
        posted |= walk.posted_forms
        if role in HOME:  # still signed in after everything it sent
            assert client.get(HOME[role]).status_code == 200
    for prefix in REACHED.get(role, ()):  # (a test once started is not offered again)
        assert any(action.startswith(prefix) for action in posted), (
            f"{role}: no POST form under {prefix} was walked: {sorted(posted)}"
        )
