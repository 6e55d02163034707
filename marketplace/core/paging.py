"""Pages of lists: the one largest page number every list accepts."""

# A larger page number would only make the OFFSET overflow or crawl; every list (statements,
# the office's lists, the provider's sessions) and web/paging.py's `?page=` check use it.
MAX_PAGE = 100_000
