"""The template environment: one compiled template per language, Jinja's semantics kept."""

from flask import render_template, render_template_string
from flask_babel import force_locale
from jinja2 import pass_context


def test_constant_messages_are_translated_when_the_template_is_compiled(app):
    with app.test_request_context("/"):
        environment = app.jinja_env.language_environment()
        source, _, _ = environment.loader.get_source(environment, "base.html")
        code = environment.compile(source, "base.html", raw=True)
    assert "Masuk" in code and "Sign in" not in code


def test_each_language_has_its_own_compiled_templates(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        english = render_template("base.html")
        english_environment = app.jinja_env.language_environment()
    with app.test_request_context("/"):
        indonesian = render_template("base.html")
        assert app.jinja_env.language_environment() is not english_environment
    assert "All courses" in english and "Semua pelatihan" in indonesian


def test_a_forced_locale_renders_in_that_language(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            forced = render_template("base.html")
        after = render_template("base.html")
    assert "All courses" in forced and "Semua pelatihan" in after


def test_messages_in_variables_and_with_values_are_translated_when_shown(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{{ _(message) }}|{{ _('Showing %(first)s–%(last)s, sorted by: %(sort)s',"
            " first='<1>', last=2, sort='x') }}",
            message="Courses",
        )
    assert html.startswith("Pelatihan|")
    assert "&lt;1&gt;" in html  # values are escaped, the message is not


def test_functions_that_ask_for_the_context_still_get_it(app):
    @pass_context
    def page_name(context):
        return context["name"]

    def plain(value):
        return value * 2

    app.jinja_env.globals.update(page_name=page_name, plain=plain)
    with app.test_request_context("/"):
        assert render_template_string("{{ page_name() }} {{ plain(2) }}", name="x") == "x 4"
