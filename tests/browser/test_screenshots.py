"""Screenshots of key pages for a person to look at (written under var/screenshots/)."""

import pytest

pytestmark = pytest.mark.browser


def test_screenshots_of_the_sign_in_and_home_pages(ui, world):
    ui.visit("/accounts/login/")
    assert ui.screenshot("login").stat().st_size > 0

    ui.sign_in(world.commissioner_a)
    assert ui.heading() == "Commissioning dashboard"
    assert ui.screenshot("home-commissioner").stat().st_size > 0
