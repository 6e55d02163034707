"""The office's search synonyms: /admin/search/synonyms lists every group with its phrases and
adds one; /admin/search/synonyms/<id> changes a group; .../delete deletes it. Only the office;
bad input is a 400 with the form's error summary in the page's language and changes nothing;
the catalogue's search uses a change on the very next request. And the `flask search
synonyms` commands."""

import re
from html import unescape

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.catalogue import search
from marketplace.catalogue.models import SearchSynonym
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.people.models import Role, User

LIST = "/admin/search/synonyms"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _main(response) -> str:
    return _page(response).split("<main", 1)[1].split("</main>", 1)[0]


def _groups(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(SearchSynonym.id, SearchSynonym.phrases).order_by(SearchSynonym.id)
            )
        ]


def _group_id(app, first_phrase: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(SearchSynonym.id).where(SearchSynonym.phrases.startswith(first_phrase))
        )


def _found(client, query: str) -> str:
    response = client.get("/courses", query_string={"q": query})
    assert response.status_code == 200
    return _main(response)


# --- the list ------------------------------------------------------------------------------


def test_the_list_explains_groups_and_shows_each_with_its_phrases_in_indonesian(app, admin_client):
    medsos = _group_id(app, "medsos")
    html = _page(admin_client.get(LIST))
    assert '<h1 class="page-title">Sinonim pencarian</h1>' in html
    main = html.split("<main", 1)[1]
    assert "pencarian dengan frasa mana pun dari kelompok itu juga menemukan pelatihan" in main
    assert "Misalnya, dengan kelompok “medsos, media sosial, social media”" in main
    assert f"Daftar kelompok ({len(_groups(app))})" in main
    assert (
        '<ul class="synonym-phrases"><li>medsos</li><li>media sosial</li>'
        "<li>social media</li><li>sosmed</li></ul>"
    ) in main
    assert f'href="/admin/search/synonyms/{medsos}"' in main
    assert f'action="/admin/search/synonyms/{medsos}/delete"' in main
    assert 'name="phrases"' in main and "Tambahkan kelompok" in main
    # The office's navigation links to it, marked as the page shown.
    assert '<a href="/admin/search/synonyms" aria-current="page">Sinonim pencarian</a>' in html


def test_the_list_in_english(app, admin_client):
    admin_client.set_cookie("lang", "en")
    main = _main(admin_client.get(LIST))
    assert "Search synonyms" in main
    assert "a search for any phrase of a group also finds courses with the others" in main
    assert "For example, with the group “medsos, media sosial, social media”" in main
    assert "Add the group" in main and "Delete" in main


def test_the_navigation_of_other_office_pages_links_to_it(admin_client):
    html = _page(admin_client.get("/admin/batches"))
    assert '<a href="/admin/search/synonyms">Sinonim pencarian</a>' in html


# --- adding --------------------------------------------------------------------------------


def test_adding_a_group_saves_it_audits_it_and_says_so(app, admin_client):
    before = _groups(app)
    response = admin_client.post(LIST, data={"phrases": " Zumba,\nsenam  aerobik\r\n"})
    assert response.status_code == 302 and response.headers["Location"] == LIST
    after = _groups(app)
    assert after[:-1] == before and after[-1][1] == "Zumba, senam aerobik"
    html = _main(admin_client.get(LIST))
    assert "Kelompok ditambahkan: Zumba, senam aerobik." in html
    assert "<li>Zumba</li><li>senam aerobik</li>" in html
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "search.synonym_added")
        )
        office = db.session.get(User, event.actor_id)
    assert office.role is Role.ADMIN
    assert event.subject == f"search_synonym:{after[-1][0]}"


@pytest.mark.parametrize(
    ("language", "phrases", "says"),
    [
        (
            "id",
            "zumba",
            "Tulis paling sedikit dua frasa yang bermakna sama, dipisahkan dengan koma",
        ),
        (
            "en",
            "zumba",
            "Write at least two phrases that mean the same, separated by commas",
        ),
        ("id", "zumba, senam-aerobik", "“senam-aerobik”: gunakan hanya huruf, angka, dan spasi."),
        ("en", "zumba, senam-aerobik", "“senam-aerobik”: use only letters, digits and spaces."),
        (
            "id",
            "zumba, satu dua tiga empat lima",
            "“satu dua tiga empat lima” terdiri atas 5 kata: satu frasa paling banyak 4 kata.",
        ),
        ("id", "zumba, Zumba", "“Zumba” ditulis dua kali dalam kelompok ini."),
        ("en", "zumba, Zumba", "“Zumba” is written twice in this group."),
        (
            "id",
            "zumba, " + "x" * 41,
            f"“{'x' * 40}…” terlalu panjang: satu frasa paling banyak 40 karakter.",
        ),
        (
            "en",
            ", ".join(f"kata{n}" for n in range(21)),
            "The group has 21 phrases: a group has at most 20.",
        ),
        (
            "id",
            "zumba, Medsos",
            "“Medsos” sudah ada di kelompok lain: medsos, media sosial, social media, sosmed.",
        ),
        (
            "en",
            "zumba, Medsos",
            "“Medsos” is already in another group: medsos, media sosial, social media, sosmed.",
        ),
        ("en", "a, " * 1000, "Write at most 2000 characters."),
    ],
)
def test_a_refused_group_is_a_400_with_the_error_summary_and_changes_nothing(
    app, admin_client, language, phrases, says
):
    before = _groups(app)
    admin_client.set_cookie("lang", language)
    response = admin_client.post(LIST, data={"phrases": phrases})
    assert response.status_code == 400
    html = _page(response)
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert says in summary
    assert ("Ada masalah" if language == "id" else "There is a problem") in summary
    # The page is the list again, with what was typed kept in the box.
    assert 'id="phrases-error"' in html and f">{phrases}</textarea>" in html
    assert _groups(app) == before


def test_a_post_without_the_form_changes_nothing(app, admin_client):
    before = _groups(app)
    assert admin_client.post(LIST).status_code == 400
    assert _groups(app) == before


# --- changing and deleting -----------------------------------------------------------------


def test_changing_a_group(app, admin_client):
    group_id = _group_id(app, "wa,")
    page = admin_client.get(f"{LIST}/{group_id}")
    assert page.status_code == 200
    html = _page(page)
    assert '<h1 class="page-title">Ubah kelompok sinonim</h1>' in html
    assert ">wa, whatsapp</textarea>" in html
    assert '<a href="/admin/search/synonyms" aria-current="page">Sinonim pencarian</a>' in html
    response = admin_client.post(f"{LIST}/{group_id}", data={"phrases": "wa, whatsapp, WA Bisnis"})
    assert response.status_code == 302 and response.headers["Location"] == LIST
    assert dict(_groups(app))[group_id] == "wa, whatsapp, WA Bisnis"
    assert "Kelompok diubah: wa, whatsapp, WA Bisnis." in _main(admin_client.get(LIST))


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("id", "“ig” sudah ada di kelompok lain: ig, instagram."),
        ("en", "“ig” is already in another group: ig, instagram."),
    ],
)
def test_a_refused_change_is_a_400_in_the_page_language_and_changes_nothing(
    app, admin_client, language, says
):
    group_id = _group_id(app, "wa,")
    before = _groups(app)
    admin_client.set_cookie("lang", language)
    response = admin_client.post(f"{LIST}/{group_id}", data={"phrases": "wa, whatsapp, ig"})
    assert response.status_code == 400
    html = _page(response)
    assert says in html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert ">wa, whatsapp, ig</textarea>" in html
    assert _groups(app) == before


def test_deleting_a_group(app, admin_client):
    group_id = _group_id(app, "fb,")
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(f"{LIST}/{group_id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == LIST
    assert group_id not in dict(_groups(app))
    html = _main(admin_client.get(LIST))
    assert "The group has been deleted: fb, facebook." in html
    assert f'href="/admin/search/synonyms/{group_id}"' not in html


def test_an_unknown_group_is_a_404(admin_client):
    for path, method in (
        (f"{LIST}/999999", "get"),
        (f"{LIST}/999999", "post"),
        (f"{LIST}/999999/delete", "post"),
    ):
        assert getattr(admin_client, method)(path, data={"phrases": "a, b"}).status_code == 404


# --- who may --------------------------------------------------------------------------------


def test_only_the_office_opens_the_pages(app, client, participant_client, provider_client):
    group_id = _group_id(app, "medsos")
    before = _groups(app)
    pages = [LIST, f"{LIST}/{group_id}"]
    posts = [LIST, f"{LIST}/{group_id}", f"{LIST}/{group_id}/delete"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for path in posts:
        assert client.post(path, data={"phrases": "a, b"}).status_code == 302
    for other in (participant_client, provider_client):
        for path in pages:
            assert other.get(path).status_code == 403
        for path in posts:
            refused = other.post(path, data={"phrases": "medsos, sosmed, kata baru"})
            assert refused.status_code == 403
        assert "/admin/search/synonyms" not in _page(other.get("/courses"))
    assert _groups(app) == before


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], ids=["csrf-on"])
def test_the_forms_carry_a_csrf_token_and_a_post_without_one_is_refused(
    app, client, factory, app_config
):
    email = factory.user(role=Role.ADMIN).email
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    signed = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 302
    group_id = _group_id(app, "medsos")
    before = _groups(app)
    html = client.get(LIST).get_data(as_text=True)
    add_form = html.split(f'action="{LIST}"', 1)[1].split("</form>", 1)[0]
    delete_form = html.split(f'action="{LIST}/{group_id}/delete"', 1)[1].split("</form>", 1)[0]
    assert TOKEN.search(add_form) and TOKEN.search(delete_form)
    assert TOKEN.search(client.get(f"{LIST}/{group_id}").get_data(as_text=True))
    assert client.post(LIST, data={"phrases": "zumba, senam"}).status_code == 400
    assert client.post(f"{LIST}/{group_id}/delete").status_code == 400
    assert _groups(app) == before
    added = client.post(
        LIST, data={"phrases": "zumba, senam", "csrf_token": TOKEN.search(add_form).group(1)}
    )
    assert added.status_code == 302
    assert _groups(app)[-1][1] == "zumba, senam"


# --- the search uses it at once ------------------------------------------------------------


def test_the_catalogue_search_uses_a_new_group_on_the_next_request(app, admin_client, factory):
    factory.course("Senam Aerobik untuk Instruktur Kebugaran")
    factory.course("Microsoft Excel untuk Administrasi Kantor")
    visitor = app.test_client()
    assert "Senam Aerobik" not in _found(visitor, "zumba")  # kept under this revision
    assert admin_client.post(LIST, data={"phrases": "zumba, senam aerobik"}).status_code == 302
    found = _found(visitor, "zumba")
    assert "Senam Aerobik untuk Instruktur Kebugaran" in found
    assert "Microsoft Excel" not in found
    search.forget_known()


def test_the_catalogue_search_drops_a_changed_or_deleted_group_on_the_next_request(
    app, admin_client, factory
):
    factory.course("Senam Aerobik untuk Instruktur Kebugaran")
    visitor = app.test_client()
    admin_client.post(LIST, data={"phrases": "zumba, senam aerobik"})
    assert "Senam Aerobik" in _found(visitor, "zumba")
    # Changed: the group's new phrase finds it, the old one no longer does.
    group_id = _group_id(app, "zumba")
    admin_client.post(f"{LIST}/{group_id}", data={"phrases": "pilates, senam aerobik"})
    try:
        assert "Senam Aerobik" in _found(visitor, "pilates")
        assert "Senam Aerobik" not in _found(visitor, "zumba")
        # Deleted: nothing finds it through the group any more.
        admin_client.post(f"{LIST}/{group_id}/delete")
        assert "Senam Aerobik" not in _found(visitor, "pilates")
    finally:
        search.forget_known()


# --- flask search synonyms -----------------------------------------------------------------


def test_load_adds_the_missing_groups_of_the_file_and_says_how_many(app, runner, tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text(
        "# groups\nzumba, senam aerobik\nmedsos, sosmed\nwa, whatsapp\n", encoding="utf-8"
    )
    result = runner.invoke(args=["search", "synonyms", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added 1 synonym groups (1 held already, 1 left out)." in result.output
    assert "Line 3 left out: “medsos” is already in another group" in result.output
    assert _groups(app)[-1][1] == "zumba, senam aerobik"  # committed
    again = runner.invoke(args=["search", "synonyms", "load", str(path)])
    assert "Added 0 synonym groups (2 held already, 1 left out)." in again.output


def test_load_reads_the_default_file_when_no_file_is_named(app, runner):
    with app.app_context():
        db.session.execute(sa.delete(SearchSynonym).where(SearchSynonym.phrases.startswith("ig,")))
        db.session.commit()
    result = runner.invoke(args=["search", "synonyms", "load"])
    assert result.exit_code == 0, result.output
    assert "Added 1 synonym groups" in result.output
    assert "ig, instagram" in dict((phrases, 1) for _id, phrases in _groups(app))


def test_load_refuses_a_missing_file(runner, tmp_path):
    result = runner.invoke(args=["search", "synonyms", "load", str(tmp_path / "none.txt")])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_export_prints_the_groups_in_the_file_format(app, admin_client, runner):
    admin_client.post(LIST, data={"phrases": "zumba, senam aerobik"})
    result = runner.invoke(args=["search", "synonyms", "export"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("#")
    assert lines[-1] == "zumba, senam aerobik"
    assert "medsos, media sosial, social media, sosmed" in lines
    assert len([line for line in lines if not line.startswith("#")]) == len(_groups(app))
