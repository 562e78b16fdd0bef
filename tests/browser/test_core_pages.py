"""The shared core's pages, as their users reach them, each checked with axe-core."""

import pytest

from dps.models import OutboundEmail
from dps.services.audit import audit_record

pytestmark = pytest.mark.browser


def test_an_org_admin_invites_a_colleague_and_manages_api_clients(ui, world):
    ui.sign_in(world.commissioner_a)
    ui.follow("Users")
    assert ui.heading() == "Users"

    ui.fill("Email address", "not-an-email")
    ui.submit("Send invitation")
    assert "There is a problem" in ui.page.locator(".govuk-error-summary").inner_text()

    ui.fill("Email address", "colleague@a.test")
    ui.page.get_by_label("Placement officer").check()
    ui.submit("Send invitation")
    assert "An invitation has been sent to colleague@a.test" in ui.page.inner_text("main")

    ui.follow("API clients")
    ui.fill("Name", "Case system")
    ui.submit("Create API client")
    assert ui.page.locator("#new-api-key").inner_text().startswith("dps_")


def test_a_consortium_admin_adds_a_borough_searches_the_audit_log_and_sees_failed_emails(ui, world):
    OutboundEmail.objects.create(
        to="x@a.test",
        subject="Undelivered",
        body_text="x",
        status=OutboundEmail.Status.FAILED,
        organisation=world.borough_a,
    )
    audit_record(user=world.officer_a, action="demo.event")
    ui.sign_in(world.admin)

    ui.follow("Boroughs")
    ui.fill("Borough name", "Southfield")
    ui.submit("Add borough")
    assert ui.heading() == "Invite a user"

    ui.follow("Audit log")
    ui.fill("Action", "demo")
    ui.submit("Search")
    assert "demo.event" in ui.page.inner_text("main")

    ui.follow("Emails")
    assert "Undelivered" in ui.page.inner_text("main")
    ui.submit("Retry email to x@a.test")
    assert "will be sent again" in ui.page.inner_text("main")
