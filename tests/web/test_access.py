"""One decorator per role (web/access.py): sign-in first, then 403 for any other role."""

import pytest

from marketplace.people.models import Role

PARTICIPANT_PAGES = (
    "/account/statement",
    "/account/batches",
    "/account/test",
    "/account/profile",
    "/account/orders/1",
)


@pytest.mark.parametrize("path", PARTICIPANT_PAGES)
def test_participant_pages_send_a_visitor_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PARTICIPANT_PAGES)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVIDER])
def test_participant_pages_refuse_other_roles(login, factory, path, role):
    extra = {"provider": factory.provider()} if role is Role.PROVIDER else {}
    assert login(role, **extra).get(path).status_code == 403


@pytest.mark.parametrize("path", PARTICIPANT_PAGES[:4])
def test_participant_pages_open_for_a_participant(participant_client, path):
    assert participant_client.get(path).status_code == 200


def test_checkout_refuses_other_roles_before_the_course(admin_client, participant_client):
    # A participant is told the course is not found; any other role may not check out at all.
    assert participant_client.get("/checkout/no-such-course").status_code == 404
    assert admin_client.get("/checkout/no-such-course").status_code == 403


def test_the_office_and_the_provider_portal_keep_their_roles(
    admin_client, provider_client, participant_client, login
):
    assert admin_client.get("/admin/batches").status_code == 200
    assert participant_client.get("/admin/batches").status_code == 403
    assert provider_client.get("/provider").status_code == 200
    assert participant_client.get("/provider").status_code == 403
    # A provider account that belongs to no provider is refused too.
    assert login(Role.PROVIDER).get("/provider").status_code == 403
