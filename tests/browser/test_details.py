"""The details that cost users, as a browser shows them: a focus that stands out on every
background, an error summary that takes the focus, a phone's first screen that holds the
header, the price and the buy button, and touch targets of 44 px."""

import pytest
from playwright.sync_api import expect
from support.factories import PASSWORD

from marketplace.people.models import Role

YELLOW = "rgb(255, 221, 0)"
INK = "rgb(11, 12, 12)"
STYLE = """element => {
    element.focus();
    const style = getComputedStyle(element);
    return {background: style.backgroundColor, shadow: style.boxShadow,
            outline: style.outlineColor, outlineWidth: style.outlineWidth,
            focused: document.activeElement === element};
}"""


def focus_style(page, selector: str) -> dict:
    style = page.locator(selector).first.evaluate(STYLE)
    assert style["focused"], selector
    return style


@pytest.mark.browser
def test_links_and_controls_show_focus_on_every_background(page, shelf):
    page.goto(f"/courses/{shelf.webinar.slug}")
    # Links, in the blue header and on the white page: a yellow fill with a dark bar.
    for selector in ("a.brand", ".site-nav a", ".language-switch a", ".breadcrumbs a"):
        style = focus_style(page, selector)
        assert style["background"] == YELLOW, selector
        assert INK in style["shadow"], selector
    # Boxes and buttons: a yellow ring with a dark ring outside it.
    for selector in ("#header-q", ".header-search button", ".button--buy"):
        style = focus_style(page, selector)
        assert style["outline"] == YELLOW and style["outlineWidth"] == "3px", selector
        assert INK in style["shadow"], selector


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False])
def test_the_error_summary_takes_the_focus(new_context, live_server, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/login")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_title("Kesalahan: Masuk · Prakerja")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    style = summary.evaluate("e => getComputedStyle(e).outlineColor")
    assert style == YELLOW


@pytest.mark.browser
def test_a_phone_first_screen_holds_the_price_and_the_buy_button(phone_page, shelf):
    page = phone_page
    page.goto(f"/courses/{shelf.webinar.slug}")
    height = page.viewport_size["height"]
    buy = page.locator(".button--buy").bounding_box()
    price = page.locator(".buy-box__price").bounding_box()
    assert price["y"] < buy["y"] and buy["y"] + buy["height"] <= height, (price, buy)


@pytest.mark.browser
def test_a_signed_in_header_takes_little_of_a_phone_screen(phone_page, factory):
    email = factory.user(role=Role.PARTICIPANT).email
    page = phone_page
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/account")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= page.viewport_size["height"] * 0.22, header
    expect(page.locator("#header-q")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()


@pytest.mark.browser
def test_touch_targets_on_a_phone(phone_page, shelf):
    page = phone_page
    page.goto("/courses")
    small = page.evaluate(
        """() => [...document.querySelectorAll(
            '.site-nav a, .language-switch a, .filters-link a, .pagination a, .pagination span')]
            .map(e => [e.textContent.trim(), e.getBoundingClientRect().height,
                       e.getBoundingClientRect().width])
            .filter(([text, height, width]) => height < 44 || width < 44)"""
    )
    assert small == []
    titles = page.evaluate(
        """() => [...document.querySelectorAll('.course-card__title a')]
            .map(e => e.getBoundingClientRect().height)"""
    )
    assert titles and min(titles) >= 24
    # The Filter link comes before the results and jumps to the filters.
    page.locator(".filters-link a").click()
    expect(page.locator("#filters")).to_be_in_viewport()
