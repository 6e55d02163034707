"""Help and identity pages: contact, privacy notice, accessibility statement, terms of use,
and the programme's words (/glossary, from web/glossary.py).

Their text is the same for everyone in a language; the figures in it (ages, deadlines, the
schemes' amounts, the time a code is valid) are read from the code and the schemes' rows, so
the pages say what the site does. The contact channel is configuration (CONTACT_EMAIL,
CONTACT_PHONE).
"""

from datetime import date

from flask import render_template

from marketplace.orders import checkout, redemption
from marketplace.programme import batches
from marketplace.web import glossary
from marketplace.web.public.views import RULES, bp

# The `term` macro (templates/_macros/glossary.html) reads the words on any page.
bp.add_app_template_global(glossary.glossary_term)

# When the texts of these pages last changed (shown on each page).
UPDATED = date(2026, 12, 5)

TERMS = {
    **RULES,
    "code_digits": checkout.CODE_DIGITS,
    "code_minutes": int(checkout.CODE_VALID_FOR.total_seconds() // 60),
    "wrong_codes": checkout.MAX_WRONG_CODES,
    "redeem_hours": int(redemption.REDEEM_WINDOW.total_seconds() // 3600),
}


@bp.route("/contact")
def contact():
    """The complaint channel: where to write or call, when, what to say, and what happens."""
    return render_template("public/contact.html", updated=UPDATED)


@bp.route("/privacy")
def privacy():
    """The privacy notice: what is collected, why, for how long, who sees it, your rights."""
    return render_template("public/privacy.html", updated=UPDATED, rules=RULES)


@bp.route("/accessibility")
def accessibility():
    """The accessibility statement: the standard, what does not work yet, how to get help."""
    return render_template("public/accessibility.html", updated=UPDATED, terms=TERMS)


@bp.route("/terms")
def terms():
    """The terms of use: the balance, one card per NIK, deadlines, refunds, incentives."""
    return render_template(
        "public/terms.html", updated=UPDATED, terms=TERMS, schemes=batches.schemes()
    )


@bp.route("/glossary", endpoint="glossary")
def glossary_page():
    """The programme's words (NIK, KK, gelombang, skema, kuota...) in plain words."""
    return render_template(
        "public/glossary.html", updated=UPDATED, terms=list(glossary.TERMS.values())
    )
