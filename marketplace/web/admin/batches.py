"""(being written)"""

from marketplace.web.admin import bp  # noqa: F401
