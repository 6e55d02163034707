"""Course cards: the catalogue's result rows as the cards the page shows.

A card is the `course_card` macro (templates/_macros/course.html). The catalogue shows up
to twenty on every page, the busiest page of the site, and the same popular courses come
back on page after page; so each rendered card is kept, keyed by the page's language, the
site's path root and the whole result row the card is drawn from (catalogue.listing's
`ListedCourse`: title, price, rating, seats taken, provider, category...). That row is read
from the database on every request, so a course edited, rated or bought shows at once in
every worker: its row, and so its key, is different, and the old card is never looked up
again (the oldest cards are dropped once the store is full).
"""

from collections import OrderedDict
from threading import Lock

from flask import current_app, get_template_attribute, request
from markupsafe import Markup

from marketplace.web.i18n import page_locale

CARDS_KEPT = 4000  # about 2 KB each: some 8 MB per worker at most


class RenderedCards:
    """Rendered cards of one app, the least recently shown dropped first when full."""

    def __init__(self, size: int = CARDS_KEPT) -> None:
        self.size = size
        self.cards: OrderedDict = OrderedDict()
        self.lock = Lock()

    def get(self, key) -> Markup | None:
        """The card kept under `key`, or None."""
        with self.lock:
            card = self.cards.get(key)
            if card is not None:
                self.cards.move_to_end(key)
            return card

    def put(self, key, card: Markup) -> None:
        """Keep a card, dropping the least recently shown one when the store is full."""
        with self.lock:
            self.cards[key] = card
            if len(self.cards) > self.size:
                self.cards.popitem(last=False)


def rendered_cards() -> RenderedCards:
    """The current app's store of rendered cards (made on first use)."""
    return current_app.extensions.setdefault("marketplace.course_cards", RenderedCards())


def course_cards(rows) -> list[Markup]:
    """The rendered card of each catalogue result row, in order."""
    store = rendered_cards()
    language = page_locale()
    root = request.script_root
    card_macro = None
    cards = []
    for row in rows:
        key = (language, root, row)
        card = store.get(key)
        if card is None:
            if card_macro is None:
                card_macro = get_template_attribute("_macros/course.html", "course_card")
            card = card_macro(row).strip()  # Markup: the macro's output is autoescaped
            store.put(key, card)
        cards.append(card)
    return cards
