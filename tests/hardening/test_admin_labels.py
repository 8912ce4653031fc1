"""The admin's table-shaped forms name every input (Django gives them no <label>), and its
stylesheet underlines links in running text. The browser journeys scan these pages with
axe-core; these tests say exactly what makes them pass."""

import pytest

from tests.factories import ObjectiveFactory, StageFactory


@pytest.fixture
def stage(db):
    stage = StageFactory(number=1, title="Basics")
    ObjectiveFactory(stage=stage, order=1, text="Write a function")
    return stage


def test_a_tabular_inline_names_each_input_after_its_field_and_row(client_for, staff, stage):
    html = client_for(staff).get(f"/admin/curriculum/stage/{stage.pk}/change/").content.decode()

    assert 'aria-label="Order (Write a function)"' in html
    assert 'aria-label="Delete (Write a function)"' in html
    assert 'aria-label="Order (new row 2)"' in html


def test_a_split_date_time_input_names_both_parts(client_for, staff, learner, cohort):
    html = client_for(staff).get(f"/admin/learners/cohort/{cohort.pk}/change/").content.decode()

    membership = str(learner.memberships.get())
    assert f'aria-label="Joined at ({membership}), date"' in html
    assert f'aria-label="Joined at ({membership}), time"' in html


def test_a_list_editable_cell_is_named_after_its_row(client_for, staff, stage):
    html = client_for(staff).get("/admin/curriculum/stage/").content.decode()

    assert 'aria-label="Number (1. Basics)"' in html


def test_admin_pages_load_the_link_underlining_stylesheet(client_for, staff):
    html = client_for(staff).get("/admin/").content.decode()

    assert '<link rel="stylesheet" href="/static/css/admin.css">' in html
    assert "<title>Site administration | bootcamp admin</title>" in html
