"""The programme's words, explained once: what a NIK, a KK, a gelombang, a skema, a kuota,
daring and luring, a voucher code, a redeem code and mutasi saldo are, in plain words.

This is their one home. A page that uses one of these words for the first time explains it
there with the `term` macro (templates/_macros/glossary.html), which reads this module
through the `glossary_term` template global (registered by web/public/help.py); the public
page /glossary lists them all. Each term has:

- `word`: the word as the page shows it; in the English UI with the Indonesian word in
  brackets, because participants meet the Indonesian word on their KTP, in the news and in
  the providers' messages;
- `question`: the summary of its explanation ("Apa itu KK?"), a plain question;
- `explanation`: one or two short sentences, without figures that the code decides (those
  are on the pages that apply them and in the terms of use).

Which Indonesian word the site uses for each thing is in docs/words.md.
"""

from dataclasses import dataclass

from marketplace.web.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Term:
    """One word of the programme; its texts are lazy translations, shown in the page's
    language."""

    key: str  # also its anchor on /glossary
    word: object
    question: object
    explanation: object


# In the order a participant meets them: profile, batch, catalogue, order, statement.
TERMS: dict[str, Term] = {
    term.key: term
    for term in (
        Term(
            "nik",
            _l("NIK"),
            _l("What is a NIK?"),
            _l(
                "NIK (Nomor Induk Kependudukan) is your population number: the 16-digit number "
                "printed on your KTP, your identity card. Each NIK can have one Kartu Prakerja, "
                "ever."
            ),
        ),
        Term(
            "kk",
            _l("KK (family card)"),
            _l("What is a KK?"),
            _l(
                "KK (Kartu Keluarga) is the family card, which lists everyone in your "
                "household. Its number is the 16 digits at the top of the card; it is not the "
                "same as your NIK."
            ),
        ),
        Term(
            "gelombang",
            _l("Batch (gelombang)"),
            _l("What is a batch?"),
            _l(
                "A batch (gelombang) is one intake round of the programme, with its own dates "
                "and its own number of places. You join a batch while it is open; after it "
                "closes, the programme office selects participants from those who joined."
            ),
        ),
        Term(
            "kuota",
            _l("Quota (kuota)"),
            _l("What is a quota?"),
            _l(
                "The quota (kuota) is the number of places in a batch: how many people can be "
                "accepted. A batch may also give each province a quota of its own."
            ),
        ),
        Term(
            "skema",
            _l("Scheme (skema)"),
            _l("What is a scheme?"),
            _l(
                "A scheme (skema) is the set of amounts and rules a batch follows: the training "
                "balance on each card, the incentives, and how many days you have to buy your "
                "first course."
            ),
        ),
        Term(
            "daring",
            _l("Online and in person (daring, luring)"),
            _l("What do online and in person mean?"),
            _l(
                "Online (daring) means you take part over the internet: a self-paced video "
                "course on a digital platform, or a webinar at a set time. In person (luring) "
                "means you go to a training place at the time of the session."
            ),
        ),
        Term(
            "voucher",
            _l("Voucher code"),
            _l("What is a voucher code?"),
            _l(
                "The voucher code is the code of a self-paced video course. You enter it on the "
                "course's digital platform to start the course. It begins with VC."
            ),
        ),
        Term(
            "redeem",
            _l("Redeem code (kode redeem)"),
            _l("What is a redeem code?"),
            _l(
                "The redeem code (kode redeem) is the code of a webinar or an in-person course. "
                "You give it to the trainer at the session, who enters it to record that you "
                "took part. It begins with RD and works only around the start of the session."
            ),
        ),
        Term(
            "mutasi",
            _l("Balance movements (mutasi saldo)"),
            _l("What are balance movements?"),
            _l(
                "Balance movements (mutasi saldo) are the lines of your card statement: each "
                "amount added to or taken from your training balance, such as the balance you "
                "were given, a purchase or a refund, with the balance after it."
            ),
        ),
    )
}


def glossary_term(key: str) -> Term:
    """The term named `key` (a KeyError for a name that is not one: a template's mistake)."""
    return TERMS[key]
