"""Templates translate through Flask-Babel's public API: the page's language, a forced
locale, messages in variables and with escaped values."""

from flask import render_template, render_template_string
from flask_babel import force_locale

from marketplace.web.i18n import page_locale


def test_each_language_renders_its_own_messages(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        english = render_template("base.html")
    with app.test_request_context("/"):
        indonesian = render_template("base.html")
    assert "All courses" in english and "Semua pelatihan" in indonesian
    assert '<html lang="en">' in english and '<html lang="id">' in indonesian


def test_a_forced_locale_renders_in_that_language(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            forced = render_template("base.html")
            assert page_locale() == "en"
        after = render_template("base.html")
        assert page_locale() == "id"
    assert "All courses" in forced and "Semua pelatihan" in after
    assert '<html lang="en">' in forced and '<html lang="id">' in after


def test_messages_in_variables_and_with_values_are_translated_when_shown(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{{ _(message) }}|{{ _('Showing %(first)s–%(last)s, sorted by: %(sort)s',"
            " first='<1>', last=2, sort='x') }}",
            message="Courses",
        )
    assert html.startswith("Pelatihan|")
    assert "&lt;1&gt;" in html  # values are escaped, the message is not


def test_page_links_fill_path_variables_and_keep_the_rest_as_the_query(app):
    """The pagination macro's links: a batch's or a ledger account's later pages (endpoints
    with path variables) were a BuildError, so a 500 once the list had a second page."""
    from marketplace.web.formatting import link

    with app.test_request_context("/"):
        assert link("admin.batch", batch_id=7, page=2) == "/admin/batches/7?page=2"
        assert link("admin.ledger_account", code="provider:3", page=3, q=None) == (
            "/admin/ledger/accounts/provider:3?page=3"
        )
        assert link("catalogue.index", q="excel", page=None) == "/courses?q=excel"
