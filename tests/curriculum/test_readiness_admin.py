import pytest
from django.urls import reverse

from curriculum.models import ReadinessStatement
from learners.models import ReadinessTick
from tests.factories import InterviewAreaFactory, ReadinessStatementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _change(statement):
    return reverse("admin:curriculum_readinessstatement_change", args=[statement.pk])


def _form(statement, **changes):
    return {
        "order": statement.order,
        "text": statement.text,
        "evidence": statement.evidence,
        "automated_check": statement.automated_check,
        "interview_area": statement.interview_area_id or "",
        "is_published": "on",
        **changes,
    }


def test_staff_reword_a_statement_and_point_it_at_an_interview_area(client_for, staff):
    statement = ReadinessStatementFactory(text="You can write basic tests.")
    area = InterviewAreaFactory(name="Testing")

    response = client_for(staff).post(
        _change(statement),
        _form(
            statement,
            text="You can write and run basic tests.",
            evidence="mock-interview",
            interview_area=area.pk,
        ),
    )

    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.text, statement.evidence, statement.interview_area) == (
        "You can write and run basic tests.",
        "mock-interview",
        area,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"evidence": "automated-check"}, "Choose an automated check for automated-check"),
        ({"automated_check": "tests"}, "Choose an automated check for automated-check"),
        ({"interview_area": "AREA"}, "Only mock-interview evidence takes an interview area."),
    ],
)
def test_an_inconsistent_statement_is_a_form_error_not_a_500(client_for, staff, changes, message):
    if changes.get("interview_area") == "AREA":
        changes["interview_area"] = InterviewAreaFactory().pk
    statement = ReadinessStatementFactory()

    response = client_for(staff).post(_change(statement), _form(statement, **changes))

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_a_ticked_statement_cannot_be_deleted_only_unpublished(client_for, staff):
    statement = ReadinessStatementFactory()
    ReadinessTick.objects.create(learner=UserFactory(), statement=statement)

    client_for(staff).post(
        reverse("admin:curriculum_readinessstatement_delete", args=[statement.pk]),
        {"post": "yes"},
    )

    assert ReadinessStatement.objects.filter(pk=statement.pk).exists()
