"""The public side of certificates: nobody signs in to check one.

- /certificates/<code>: the certificate in one glance, valid or revoked (with the date and
  the reason), then its facts, the programme as issuer, the code in its grouped form and a QR
  code of this page's address. The code is read in any case, with or without separators,
  from full-width characters too (`issuing.read_code`); typed in another form than the
  grouped one, the address redirects (301) to the one address of the certificate,
  /certificates/<GROUPED-CODE>, so that links, bookmarks and the QR code agree. An unknown or
  malformed code is a 404 page saying no certificate has this code and how to check one.
  Never the holder's NIK, email or phone: the page shows the certificate's own columns only.
- /certificates/<code>.pdf: the same facts on one A4 landscape page with the QR code and the
  address printed (certificates/document.py), REVOKED across a revoked one.
- /certificates/<code>.json: the signed Open Badges 3.0 credential (certificates/credential.py),
  /certificates/issuer the issuer's Profile with the public key that checks it, and
  /certificates/status/<n> the signed Bitstring Status List its credentialStatus points at.
- /verify: a form where a code is typed or a certificate's address pasted; found, it
  redirects to the certificate's page; not found, the form again with the reason (400 for
  what can't be a code, 404 for a code no certificate has).

/verify is a GET form, like the catalogue's search: a lookup changes nothing, so it needs no
CSRF token, and its answer can be bookmarked or sent on as a link. Guessing codes is limited
per visitor (`LOOKUPS`, one count shared by both pages): only lookups that find nothing
count, so a verifier checking many genuine certificates from one office is not stopped.
(A code carries 128 bits of randomness: guessing one is hopeless anyway; the limit keeps
the site from being used to try.)
"""

import json
from functools import lru_cache

import segno
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
from wtforms import Form, StringField

from marketplace.certificates import credential, document, issuing
from marketplace.certificates.models import Certificate
from marketplace.core.base import utcnow
from marketplace.extensions import limiter
from marketplace.orders.models import Order, OrderStatus
from marketplace.web.auth.links import external
from marketplace.web.certificates import bp, kept
from marketplace.web.errors import EXPLANATIONS, TITLES
from marketplace.web.formatting import long_date, wib
from marketplace.web.fragments import RenderedParts, keeping_parts
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l

# Lookups that find nothing, per visitor (the remote address, through TRUSTED_PROXIES):
# generous for a person mistyping, nothing for a guesser. One count for /verify and the
# certificate's page, so that neither is a way around the other.
LOOKUPS = "20 per minute;200 per day"
LOOKUP_SCOPE = "certificate-lookups"

# A certificate's page may change at any moment (a revocation must show at once), so every
# visit asks the server again: `no-cache` (a stored copy is used only after the server has
# been asked; the pages carry no validator, so it sends the page again). `private`: a
# signed-in visitor's copy holds their name in the header and a CSRF token, which no shared
# cache may keep. A short max-age would let a revoked certificate look valid for that long.
CACHE_CONTROL = "private, no-cache"
# The pages hold the holders' names: search engines must not index them (a certificate is
# found through its link or its QR code, never by searching a person's name). The header
# covers every answer of the blueprint, the 404 and the redirects too; the certificate's page
# says it in a <meta> as well.
ROBOTS = "noindex"

# The QR code: error correction M (15% of the modules may be lost: a creased or smudged print
# still scans), never a Micro QR, 4 px per module and the standard quiet zone of 4 modules.
# segno's SVG draws with attributes (stroke, transform) and no style attribute or <style>
# element, so it passes the site's CSP (style-src 'self').
QR_ERROR = "m"
QR_SVG = {"scale": 4, "border": 4, "svgclass": "certificate-qr__code", "lineclass": None}

# A PDF takes a good tenth of a second to draw: the latest ones drawn are kept, each under
# exactly what it prints that can change (the language, and the state line: revoked, with
# its date and reason, or valid when the copy was made, to the minute). Some 27 KB each.
PDFS_KEPT = 200
_pdfs = RenderedParts(PDFS_KEPT)
# A signed credential (its canonical form hashed and signed: some 20 ms) says nothing that can
# change: a revocation shows in the status list it points at, not in the credential. The
# latest ones signed are kept, so a credential downloaded twice is the same file. Some 3 KB.
CREDENTIALS_KEPT = 1000
_credentials = RenderedParts(CREDENTIALS_KEPT)

TOO_MANY = _l(
    "You have typed too many codes that match no certificate in a short while. Wait a few "
    "minutes, then try again. The QR code printed on a certificate opens its page directly."
)


class VerifyForm(Form):
    """The code or address typed on /verify, read from the query string (no CSRF: a lookup
    changes nothing)."""

    code = StringField(_l("Certificate code or address"))


def _missed(response) -> bool:
    """Only lookups that found nothing count against LOOKUPS."""
    return response.status_code in (400, 404)


def _unknown(response) -> bool:
    """On a certificate's page, a code no certificate has counts."""
    return response.status_code == 404


def _nothing_typed() -> bool:
    """/verify opened without a code: the empty form, not a lookup."""
    return "code" not in request.args


@bp.after_request
def public_and_fresh(response):
    """Every answer: asked again on every visit, and not indexed (see CACHE_CONTROL, ROBOTS)."""
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["X-Robots-Tag"] = ROBOTS
    return response


@lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """The QR code of `url` as segno draws it inline (kept: the same address always gives the
    same drawing, and drawing one takes milliseconds)."""
    return segno.make(url, error=QR_ERROR, micro=False).svg_inline(**QR_SVG)


def qr_code(url: str, label: str) -> Markup:
    """The QR code of `url` for the page: an image with its accessible name."""
    opening = Markup('<svg role="img" aria-label="%s" ') % label
    # segno's drawing: path data and numbers only (the address is in the modules, not text)
    drawing = qr_svg(url).replace("<svg ", str(opening), 1)
    return Markup(drawing)  # noqa: S704  # nosec B704


def shown_path(code: str) -> str:
    """The one address of a certificate: /certificates/<GROUPED-CODE>."""
    return url_for("certificates.show", code=issuing.shown(code))


@bp.app_template_global("certificate_path")
def certificate_path(certificate: Certificate) -> str:
    return shown_path(certificate.code)


@bp.app_template_global("certificate_of")
def certificate_of(order: Order) -> Certificate | None:
    """A completed order's certificate (one query; pages listing many orders are given theirs
    by their view, certificates/holdings.py)."""
    if order.status is not OrderStatus.COMPLETED:
        return None
    return issuing.of_order(order)


def _not_found(typed: str):
    return (
        render_template("certificates/not_found.html", typed=typed[: issuing.LONGEST_TYPED]),
        404,
    )


def _found(code: str, endpoint: str):
    """(the certificate, its grouped code, None) for a code in its one grouped form, else
    (None, None, the answer): a 404 page for what names no certificate, a 301 to the grouped
    form of `endpoint` for another form of a real code's spelling."""
    canonical = None if "/" in code else issuing.read_code(code)
    if canonical is None:
        return None, None, _not_found(code)
    grouped = issuing.shown(canonical)
    if code != grouped:
        return None, None, redirect(url_for(endpoint, code=grouped), 301)
    certificate = issuing.by_code(canonical)
    if certificate is None:
        return None, None, _not_found(code)
    return certificate, grouped, None


@bp.route("/certificates/<path:code>")
@limiter.shared_limit(LOOKUPS, LOOKUP_SCOPE, deduct_when=_unknown)
def show(code: str):
    """The certificate's page; another form of its code redirects to the grouped one."""
    # A path converter, so that "a/../b" and the like get this page's 404 too; a code never
    # holds a slash (read_code would read a pasted address by its last part: not here).
    certificate, grouped, answer = _found(code, "certificates.show")
    if answer is not None:
        return answer
    url = external("certificates.show", code=grouped)
    label = gettext("QR code of this certificate's address, %(address)s", address=url)
    kept.keep_answer(certificate.code, certificate.revoked_at)
    return render_template(
        "certificates/show.html",
        certificate=certificate,
        code=grouped,
        url=url,
        qr=qr_code(url, label),
    )


def _read_typed(typed: str) -> str | None:
    """A typed code, or a pasted address (its query and fragment dropped), in stored form."""
    return issuing.read_code(typed.split("#", 1)[0].split("?", 1)[0])


@bp.route("/verify")
@limiter.shared_limit(LOOKUPS, LOOKUP_SCOPE, deduct_when=_missed, exempt_when=_nothing_typed)
def verify():
    """The form; with a code, its certificate's page (302) or the form with the reason."""
    form = VerifyForm(request.args)
    if "code" not in request.args:
        return render_template("certificates/verify.html", form=form)
    typed = (form.code.data or "")[: issuing.LONGEST_TYPED]
    form.code.data = typed
    if not typed.strip():
        form.code.errors = [gettext("Enter the code of the certificate, or paste its address.")]
        return render_template("certificates/verify.html", form=form), 400
    code = _read_typed(typed)
    if code is None:
        form.code.errors = [
            gettext(
                "This is not a certificate code: a certificate's code has 28 letters and "
                "digits, in seven groups of four."
            )
        ]
        return render_template("certificates/verify.html", form=form), 400
    if issuing.by_code(code) is None:
        form.code.errors = [
            gettext(
                "No certificate has this code. Check each letter and digit against the "
                "certificate, or scan its QR code."
            )
        ]
        return render_template("certificates/verify.html", form=form), 404
    return redirect(shown_path(code))


@bp.errorhandler(429)
def too_many_lookups(_error):
    """Too many lookups that found nothing: the error page, saying what to do."""
    return (
        render_template(
            "errors/error.html",
            code=429,
            title=TITLES[429],
            explanation=EXPLANATIONS[429],
            description=str(TOO_MANY),
        ),
        429,
    )


@bp.route("/certificates/<code>.pdf")
@limiter.shared_limit(LOOKUPS, LOOKUP_SCOPE, deduct_when=_unknown)
def pdf(code: str):
    """The certificate as one A4 landscape PDF page, in the page's language, naming its page's
    address; another form of the code redirects to the grouped one."""
    certificate, grouped, answer = _found(code, "certificates.pdf")
    if answer is not None:
        return answer
    url = external("certificates.show", code=grouped)
    facts = [
        (gettext("Training provider"), certificate.provider_name),
        (gettext("Digital platform"), certificate.platform_name),
        (gettext("Length of the course"), gettext("%(hours)s hours", hours=certificate.hours)),
        (gettext("Completed on"), long_date(certificate.completed_at)),
    ]
    if certificate.score is not None:
        facts.append(
            (gettext("Post-test score"), gettext("%(score)s of 100", score=certificate.score))
        )
    if certificate.revoked:
        state = gettext(
            "This certificate was revoked on %(date)s. It no longer proves that the course "
            "was completed.",
            date=wib(certificate.revoked_at),
        )
        if certificate.revoked_reason:
            state += " " + gettext("The reason: %(reason)s", reason=certificate.revoked_reason)
    else:
        # Paper can't change: it says when it was valid, and where to see whether it still is.
        state = gettext(
            "Valid when this copy was made, on %(date)s. Only the address below says whether "
            "it still is.",
            date=wib(utcnow()),
        )
    key = (url, page_locale(), state)
    drawn = _pdfs.get(key) if keeping_parts() else None
    if drawn is None:
        drawn = document.pdf(certificate, url, _words(certificate, facts, state))
        if keeping_parts():
            _pdfs.put(key, drawn)
    response = make_response(drawn)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="sertifikat-{grouped}.pdf"'
    return response


def _words(certificate: Certificate, facts: list, state: str) -> document.Words:
    """The PDF's words in the page's language."""
    return document.Words(
        issuer=gettext("The Kartu Prakerja programme office (Manajemen Pelaksana)"),
        title=gettext("Certificate of completion"),
        certifies=gettext("This certifies that"),
        completed=gettext("completed the course"),
        facts=facts,
        code_label=gettext("Certificate code"),
        check=gettext("Check whether it is valid at"),
        state=state,
        revoked_mark=gettext("REVOKED") if certificate.revoked else None,
    )


@bp.route("/certificates/<code>.json")
@limiter.shared_limit(LOOKUPS, LOOKUP_SCOPE, deduct_when=_unknown)
def credential_json(code: str):
    """The certificate as a signed Open Badges 3.0 credential (certificates/credential.py),
    downloaded as a file; another form of the code redirects to the grouped one."""
    certificate, grouped, answer = _found(code, "certificates.credential_json")
    if answer is not None:
        return answer
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    key = (base, certificate.code)
    document_text = _credentials.get(key) if keeping_parts() else None
    if document_text is None:
        signed = credential.sign(credential.credential(certificate, base), utcnow(), base)
        document_text = json.dumps(signed, ensure_ascii=False, indent=2)
        if keeping_parts():
            _credentials.put(key, document_text)
    response = make_response(document_text)
    response.headers["Content-Type"] = "application/ld+json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="sertifikat-{grouped}.json"'
    return response


@bp.route("/certificates/issuer")
def issuer():
    """The programme as issuer: its Profile with the Multikey public key that checks every
    credential's proof (a stable address, named by each credential's verificationMethod)."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    response = make_response(json.dumps(credential.issuer_profile(base), indent=2))
    response.headers["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


@bp.route("/certificates/status/<int:number>")
def status_list(number: int):
    """Revocation status list `number` (1, then 2 once ids pass 131,072): the signed
    BitstringStatusListCredential that every credential's credentialStatus names, so that
    any verifier sees a revocation. Built at each request and asked again on every visit
    (the blueprint's `no-cache`): a revocation must show at once. A list no certificate id
    reaches is a 404."""
    if not 1 <= number <= credential.status_list_count():
        abort(404)
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    signed = credential.status_list_credential(number, base, utcnow())
    response = make_response(json.dumps(signed, indent=2))
    response.headers["Content-Type"] = "application/ld+json; charset=utf-8"
    return response
