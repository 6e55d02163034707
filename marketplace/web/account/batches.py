"""(being written)"""

from marketplace.web.account import bp  # noqa: F401
