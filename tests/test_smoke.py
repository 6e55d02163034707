"""The app starts, pages render, health check answers."""


def test_healthz_round_trips_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_landing_page_renders_in_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="id"' in response.get_data(as_text=True)


def test_catalogue_lists_an_approved_course(client, factory):
    factory.course("Microsoft Excel untuk Pemula", price=250_000)
    response = client.get("/courses")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Microsoft Excel untuk Pemula" in html
    assert "Rp250.000" in html
