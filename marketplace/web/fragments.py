"""Rendered parts of pages, kept and used again: page chrome and course cards.

Every page draws the same header and footer, and the catalogue the same popular course
cards, page after page. Drawing them costs the template calls inside (each translation,
each link); the result only depends on a few things, so it is kept under exactly those.

The kinds of kept parts, all in `RenderedParts` stores of the current app:

- `kept(...)`, a template global used as a call block::

      {% call kept('footer') %} ... {% endcall %}

  keeps what the block renders under the page's language, the site's path root and the
  names given. What such a block shows must depend on nothing else: no request data, no
  user, no database row. Translations, URL rules and static file versions are fixed for
  the life of a process (a deploy restarts it), so these parts never go stale. Whatever
  varies (the search words, the signed-in user's name, a CSRF token) stays outside the
  blocks or goes into their names. `tests/web/test_fragments.py` renders every page each
  role can reach, in both languages, with and without kept parts, and compares them.
- course cards (`web/catalogue/cards.py`), kept under the whole database row they show,
  and the catalogue's filter forms and whole pages (`web/catalogue/pages.py`), kept under
  what was asked, the reference data and the result rows they show, the pages only for a
  visitor who is not signed in and has no session (`a_visitor_without_session`); a course
  page's content under the catalogue's revision, and the whole page around it for such a
  visitor.
"""

from collections import OrderedDict
from threading import Lock

from flask import Flask, current_app, request, session
from markupsafe import Markup

from marketplace.web.auth.session import signed_in_user
from marketplace.web.i18n import page_locale

PARTS_KEPT = 4000  # a course card is about 2 KB: some 8 MB per worker at most
EXTENSION = "marketplace.rendered_parts"


class RenderedParts:
    """Rendered parts of one app, the least recently shown dropped first when full."""

    def __init__(self, size: int = PARTS_KEPT) -> None:
        self.size = size
        self.parts: OrderedDict = OrderedDict()
        self.lock = Lock()

    def get(self, key):
        """The part kept under `key` (rendered Markup, a page's bytes, or a tuple of what it
        was drawn under and the part), or None."""
        with self.lock:
            part = self.parts.get(key)
            if part is not None:
                self.parts.move_to_end(key)
            return part

    def put(self, key, part) -> None:
        """Keep a part, dropping the least recently shown one when the store is full."""
        with self.lock:
            self.parts[key] = part
            if len(self.parts) > self.size:
                self.parts.popitem(last=False)

    def drop(self, key) -> None:
        """Forget the part kept under `key` (gone stale), if any."""
        with self.lock:
            self.parts.pop(key, None)

    def clear(self) -> None:
        """Forget every part (tests and benchmarks compare pages drawn afresh)."""
        with self.lock:
            self.parts.clear()


class KeptParts:
    """An app's stores of rendered parts, one per kind, and whether they are used at all
    (config KEEP_RENDERED_PARTS, on unless a test or a benchmark's cold run says no)."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.stores: dict[str, RenderedParts] = {}
        self.lock = Lock()

    def store(self, kind: str, size: int = PARTS_KEPT) -> RenderedParts:
        """The store of one kind of part (made on first use, holding at most `size`)."""
        store = self.stores.get(kind)
        if store is None:
            with self.lock:
                store = self.stores.setdefault(kind, RenderedParts(size))
        return store


def kept_parts() -> KeptParts:
    """The current app's kept parts."""
    return current_app.extensions[EXTENSION]


def rendered_parts(kind: str, size: int = PARTS_KEPT) -> RenderedParts:
    """The current app's store of one kind of rendered part."""
    return kept_parts().store(kind, size)


def keeping_parts() -> bool:
    """Whether the current app uses kept parts."""
    return kept_parts().keep


def a_visitor_without_session() -> bool:
    """Whether the request comes from someone not signed in and with nothing in a session
    (no flash message waiting, nothing half-done): a page drawn for them shows nothing of
    who they are, and may be kept for the next such visitor."""
    return not session and signed_in_user() is None


def kept(*names, caller) -> Markup:
    """What the call block renders, kept under the language, the path root and `names`."""
    parts = kept_parts()
    if not parts.keep:
        return caller()
    store = parts.store("page")
    key = (page_locale(), request.script_root, *names)
    part = store.get(key)
    if part is None:
        part = caller()
        store.put(key, part)
    return part


def install(app: Flask) -> None:
    """The app's kept parts, and `kept` as a template global."""
    app.extensions[EXTENSION] = KeptParts(app.config.get("KEEP_RENDERED_PARTS", True))
    app.add_template_global(kept)
