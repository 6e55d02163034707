"""The axe-core check of the browser tests finds what it should (tests/browser/accessibility.py)."""

from browser import accessibility


def test_a_page_with_serious_problems_is_reported(app, browser, live_server):
    @app.route("/_test/unlabelled")
    def unlabelled():
        return "<!doctype html><html><body><input type=text><img src=x.png></body></html>"

    context = browser.new_context(base_url=live_server)
    checked = accessibility.watch(context)
    page = context.new_page()
    page.goto("/_test/unlabelled")
    page.goto("/courses")  # the next page does not hide the first one's problems
    accessibility.finish(context)
    context.close()
    found = {(url.rsplit("/", 1)[-1], rule) for url, rule in _rules(checked)}
    assert ("unlabelled", "html-has-lang") in found
    assert ("unlabelled", "label") in found
    assert ("unlabelled", "image-alt") in found
    assert not [url for url, _rule in _rules(checked) if url.endswith("/courses")]
    assert len(checked.pages) == 2


def _rules(checked):
    return [(url, found["id"]) for url, found in checked.violations]
