"""Course cards: the catalogue's result rows as the cards the page shows.

A card is the `course_card` macro (templates/_macros/course.html). The catalogue shows up
to twenty on every page, the busiest page of the site, and the same popular courses come
back on page after page; so each rendered card is kept (web/fragments.py), keyed by the
page's language, the site's path root and the whole result row the card is drawn from
(catalogue.listing's `ListedCourse`: title, price, rating, seats taken, provider,
category...). That row comes from the result page of the request (read from the database,
or kept under the catalogue's revision, which any change raises), so a course edited, rated
or bought shows at once in every worker: its row, and so its key, is different, and the old
card is never looked up again (the oldest cards are dropped once the store is full).
"""

from flask import get_template_attribute, request
from markupsafe import Markup

from marketplace.web.fragments import keeping_parts, rendered_parts
from marketplace.web.i18n import page_locale

# Cards kept per process: a day's searches show some thousands of distinct courses, the long
# tail of queries many more (at 150,000 courses the benchmark's mix of 1,500 paths shows
# about 15,000). A card is about 2 KB: some 32 MB per worker at most.
CARDS_KEPT = 16_000


def course_cards(rows) -> list[Markup]:
    """The rendered card of each catalogue result row, in order."""
    store = rendered_parts("course_cards", CARDS_KEPT)
    keep = keeping_parts()
    language = page_locale()
    root = request.script_root
    card_macro = None
    cards = []
    for row in rows:
        key = (language, root, row)
        card = store.get(key) if keep else None
        if card is None:
            if card_macro is None:
                card_macro = get_template_attribute("_macros/course.html", "course_card")
            card = card_macro(row).strip()  # Markup: the macro's output is autoescaped
            store.put(key, card)
        cards.append(card)
    return cards
