import pytest


@pytest.mark.django_db
def test_the_home_page_sends_anonymous_users_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_role_sees_its_own_dashboard(client, world):
    for user, heading in [
        (world.admin, "Consortium dashboard"),
        (world.commissioner_a, "Commissioning dashboard"),
        (world.officer_a, "Placements dashboard"),
        (world.bidder_a, "Provider dashboard"),
    ]:
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 200
        assert heading in response.content.decode()


def test_the_banner_names_the_signed_in_persons_organisation_and_role(client, world):
    client.force_login(world.officer_a)
    body = client.get("/").content.decode()
    assert "Signed in as officer@a.test, Alpha Borough (placement officer)." in body
