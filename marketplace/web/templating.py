"""The Jinja environment of the site: templates compiled once per language, run lean.

Flask's `render_template` asks `app.jinja_env` for a template; here that environment hands
the request to the environment of the page's language, an overlay sharing the loader,
globals and filters, so each template is compiled once per language with its constant
messages already translated (see LanguageEnvironment). Its contexts and templates are
Jinja's own with two of their per-call costs taken out (see PageContext, PageTemplate);
they behave the same.
"""

from types import FunctionType

import flask_babel
from flask import has_app_context
from flask.templating import Environment as FlaskEnvironment
from jinja2 import nodes
from jinja2.environment import Template
from jinja2.runtime import Context
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from marketplace.web.i18n import page_locale


class PageContext(Context):
    """Jinja's context with a shorter path for calling a plain function.

    Jinja checks every callable a template calls for `pass_context` and friends through
    several attribute look-ups; a page calls dozens of plain functions (link, static_url,
    …). A function without `jinja_pass_arg` is called directly; anything else goes the
    usual way.
    """

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        if type(__obj) is FunctionType and "jinja_pass_arg" not in __obj.__dict__:
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class PageTemplate(Template):
    """Jinja's template; importing macros from it compares global names at C speed."""

    def _get_default_module(self, ctx=None):
        if ctx is not None and ctx.globals_keys.difference(self.globals):
            return super()._get_default_module(ctx)
        if self._module is None:
            self._module = self.make_module()
        return self._module


class LanguageEnvironment(FlaskEnvironment):
    """Flask's Jinja environment, compiling each template once per language.

    The catalogue page holds some thirty constant messages; looking each up on every
    request is a tenth of the page's cost. Here `render_template` asks the environment of
    the page's language (an overlay sharing the loader, globals and filters), and that one
    compiles `_("constant")` into its translation, `_("… %(x)s …", x=value)` into the
    translation %-formatted with the escaped value, and `page_locale()` into the code. Any
    other `_()` call (a message in a variable) still translates at run time. Extraction
    with pybabel sees the same `_()` calls as before.
    """

    language: str | None = None
    context_class = PageContext
    template_class = PageTemplate

    def language_environment(self) -> "LanguageEnvironment":
        """The environment for the page's current language (made on first use)."""
        code = page_locale()
        languages = self.__dict__.setdefault("_languages", {})
        environment = languages.get(code)
        if environment is None:
            environment = self.overlay()
            environment.language = code
            languages[code] = environment
        return environment

    def get_template(self, name, parent=None, globals=None):
        if self.language is None and has_app_context():
            return self.language_environment().get_template(name, parent, globals)
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):
        if self.language is None and has_app_context():
            return self.language_environment().select_template(names, parent, globals)
        return super().select_template(names, parent, globals)

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        if self.language is not None:
            with flask_babel.force_locale(self.language):
                translations = flask_babel.get_translations()
            _ConstantMessages(self.language, translations).visit(tree)
        return tree


class _ConstantMessages(NodeTransformer):
    """Replaces constant `_()`/`gettext()` calls and `page_locale()` in a template tree."""

    def __init__(self, language: str, translations) -> None:
        self.language = language
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if not isinstance(node.node, nodes.Name) or node.dyn_args or node.dyn_kwargs:
            return node
        name = node.node.name
        if name == "page_locale" and not node.args and not node.kwargs:
            return nodes.Const(self.language, lineno=node.lineno)
        if name not in ("_", "gettext") or len(node.args) != 1:
            return node
        message = node.args[0]
        if not isinstance(message, nodes.Const) or not isinstance(message.value, str):
            return node
        translated = nodes.Const(
            Markup(self.translations.ugettext(message.value)),  # noqa: S704  # nosec B704  # a constant message from our own catalogue
            lineno=node.lineno,
        )
        if not node.kwargs:
            return translated
        variables = nodes.Dict(
            [nodes.Pair(nodes.Const(item.key), item.value) for item in node.kwargs],
            lineno=node.lineno,
        )
        return nodes.Mod(translated, variables, lineno=node.lineno)
