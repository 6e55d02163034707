"""The profile's "check your answers" page: every answer that can still change has its own
"Change" button, which sends the answers back to the form at that answer's field."""

import pytest
from support.html_page import HtmlPage

EDITABLE = {
    "nik": "NIK",
    "kk": "Family card (KK) number",
    "full_name": "Full name",
    "birth_day": "Date of birth",
    "sex": "Sex",
    "phone": "Phone number",
    "province_id": "Province where you live now",
    "city": "City or regency where you live now",
    "education": "Last education completed",
    "employment": "Employment status",
}


@pytest.fixture
def answers(factory) -> dict:
    province = factory.province("32", "Jawa Barat").id
    return {
        "nik": "3201231708950004",  # Jawa Barat, 17 August 1995, male
        "kk": "3201230101100001",
        "full_name": "Budi Santoso",
        "birth_day": "17",
        "birth_month": "8",
        "birth_year": "1995",
        "sex": "male",
        "phone": "0812-3456-7890",
        "province_id": str(province),
        "city": "Kota Bandung",
        "education": "sma",
        "employment": "laid_off",
    }


def _change_buttons(page: HtmlPage) -> dict:
    """{field: the button's attributes} of the answers' Change buttons."""
    found = {}
    for attrs in page.find_all("button"):
        action = attrs.get("formaction", "")
        if attrs.get("name") == "change" and "#" in action:
            path, field = action.split("#")
            assert path == "/account/profile"
            found[field] = attrs
    return found


def test_every_answer_has_a_change_button_to_its_field(participant_client, answers):
    client = participant_client
    client.set_cookie("lang", "en")
    response = client.post("/account/profile", data=answers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = HtmlPage(html)
    assert page.title.startswith("Check your answers")
    buttons = _change_buttons(page)
    assert set(buttons) == set(EDITABLE)
    for field, key in EDITABLE.items():
        # "Change" and, for screen readers, which answer: "Change Full name".
        assert f'value="{field}">Change<span class="visually-hidden"> {key}</span>' in html
    # The buttons belong to the form that carries the answers.
    form = page.index_of("form", action="/account/profile/confirm")
    assert all(
        form < index
        for index, (tag, attrs) in enumerate(page.elements)
        if tag == "button" and attrs.get("name") == "change"
    )

    # Pressed, a Change button sends the answers back: the form shows them, at the field.
    hidden = {
        attrs["name"]: attrs.get("value", "")
        for attrs in page.find_all("input")
        if attrs.get("type") == "hidden" and attrs.get("name") != "csrf_token"
    }
    for field in EDITABLE:
        back = client.post("/account/profile", data={**hidden, "change": field})
        assert back.status_code == 200
        form_page = HtmlPage(back.get_data(as_text=True))
        assert form_page.title.startswith("Your profile")
        assert (
            form_page.index_of("input", id=field) > -1
            or form_page.index_of("select", id=field) > -1
        ), field
    back = HtmlPage(
        client.post("/account/profile", data={**hidden, "change": "city"}).data.decode()
    )
    city = next(attrs for attrs in back.find_all("input") if attrs.get("id") == "city")
    assert city["value"] == "Kota Bandung"


def test_in_indonesian_the_buttons_say_ubah(participant_client, answers):
    html = participant_client.post("/account/profile", data=answers).get_data(as_text=True)
    assert 'value="full_name">Ubah<span class="visually-hidden"> Nama lengkap</span>' in html
