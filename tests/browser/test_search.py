"""Searching on a phone (360 px): an Indonesian word form finds its root, a typo is corrected
with a way back to the words as typed, a short unknown word gets "Maksud Anda …?", and a
synonym finds courses that only hold the other phrase. With SCREENSHOT_DIR set
(`SCREENSHOT_DIR=docs/screenshots`) the corrected page is written there too."""

import re

import pytest
import test_course_listing as listing
from playwright.sync_api import expect

shots = listing.shots  # fixture


def card_titles(page) -> list[str]:
    return page.locator(".course-card__title").all_inner_texts()


@pytest.mark.browser
def test_search_forgives_forms_typos_and_abbreviations_on_a_phone(
    new_context, live_server, shelf, factory, shots
):
    page = listing.phone(new_context, live_server)
    factory.course("Mengelola Media Sosial untuk Toko Online")
    factory.course("Foto Produk dengan Ponsel")

    # An affixed form finds the root's course ("memasarkan" -> "Pemasaran").
    page.goto("/courses?q=memasarkan")
    expect(page.get_by_role("link", name="Strategi Pemasaran Digital untuk UMKM")).to_be_visible()
    expect(page.locator(".search-note")).to_have_count(0)

    # A typo of five letters or more is corrected, said, and can be undone.
    page.goto("/courses")
    box = page.locator("form.filters").get_by_label("Cari pelatihan")
    box.fill("pemasarn digital")
    page.locator("form.filters").get_by_role("button", name="Tampilkan pelatihan").click()
    page.wait_for_url(re.compile(r"q=pemasarn"))
    note = page.locator(".search-note")
    expect(note).to_contain_text("Menampilkan hasil untuk pemasaran digital")
    assert "Strategi Pemasaran Digital untuk UMKM" in card_titles(page)
    listing.no_sideways_scroll(page)
    shots(page, "search-corrected")
    note.get_by_role("link").click()
    page.wait_for_url(re.compile(r"exact=1"))
    # The words as typed find nothing: no correction, only the offer of one that finds.
    expect(page.locator(".search-note")).not_to_contain_text("Menampilkan")
    expect(page.locator(".search-note")).to_contain_text("Maksud Anda pemasaran digital?")
    expect(page.locator(".results__count")).to_have_text(
        "Tidak ada pelatihan yang cocok dengan pencarian Anda"
    )

    # A short unknown word one edit from a catalogue word gets a suggestion that finds it.
    page.goto("/courses?q=fota")
    suggestion = page.locator(".search-note").get_by_role("link", name="foto")
    expect(page.locator(".search-note")).to_contain_text("Maksud Anda")
    suggestion.click()
    page.wait_for_url(re.compile(r"q=foto"))
    assert "Foto Produk dengan Ponsel" in card_titles(page)

    # A synonym: "medsos" finds the course that only says "media sosial".
    page.goto("/courses?q=medsos")
    assert card_titles(page) == ["Mengelola Media Sosial untuk Toko Online"]
    listing.no_sideways_scroll(page)
