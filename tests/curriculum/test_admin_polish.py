"""The admin's rough edges found by a new user: each objective's text once in the stage
editor, a way out of a refused delete, and the lockout tables under "Security"."""

import re
from pathlib import Path

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from curriculum.models import Project
from tests.factories import ObjectiveFactory, ProjectFactory, SubmissionFactory


def test_the_stage_editor_marks_the_objective_inline_whose_row_titles_the_css_hides(
    client_for, staff
):
    objective = ObjectiveFactory(text="Explain what a list comprehension does")

    html = client_for(staff).get(f"/admin/curriculum/stage/{objective.stage.pk}/change/").text

    fieldset = re.search(r'<fieldset class="module ([^"]*)"[^>]*aria-labelledby="objectives', html)
    assert fieldset is not None
    assert "objective-inline" in fieldset.group(1).split()
    css = (Path(settings.BASE_DIR) / "static/css/admin.css").read_text()
    assert ".objective-inline td.original p { display: none; }" in css


def test_a_refused_delete_offers_the_unpublish_action_which_archives_it(client_for, staff):
    project = ProjectFactory(title="Task manager")
    SubmissionFactory(project=project)
    client = client_for(staff)

    page = client.get(f"/admin/curriculum/project/{project.pk}/delete/").text
    form = re.search(
        r'<form method="post" action="([^"]+)" class="unpublish-instead">(.*?)</form>', page, re.S
    )
    assert form is not None
    assert form.group(1) == "/admin/curriculum/project/"
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(2)))
    assert fields["action"] == "unpublish"
    assert fields[ACTION_CHECKBOX_NAME] == str(project.pk)

    response = client.post(form.group(1), fields)

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.is_published is False


def test_a_refused_bulk_delete_offers_the_unpublish_action_for_the_same_rows(client_for, staff):
    first, second = ProjectFactory(), ProjectFactory()
    SubmissionFactory(project=first)
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}

    page = client_for(staff).post("/admin/curriculum/project/", data).text

    form = re.search(r'class="unpublish-instead">(.*?)</form>', page, re.S).group(1)
    selected = re.findall(rf'name="{ACTION_CHECKBOX_NAME}" value="(\d+)"', form)
    assert sorted(map(int, selected)) == sorted([first.pk, second.pk])
    assert Project.objects.count() == 2


def test_the_lockout_tables_are_headed_security_on_the_admin_index(client_for, staff):
    html = client_for(staff).get("/admin/").text

    assert "Security: failed log-ins and lockouts" in html
    assert ">Axes<" not in html
    assert 'href="/admin/axes/accessattempt/"' in html
