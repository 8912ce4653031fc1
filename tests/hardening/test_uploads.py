"""Nothing in the app takes a file: any multipart file part is a 400 before it is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from learners.models import Submission
from tests.factories import PASSWORD, ProjectFactory


@pytest.fixture
def upload_dir(settings, tmp_path):
    # Every byte of an accepted upload would land here, not in memory.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def a_file():
    return SimpleUploadedFile("payload.bin", b"x" * 4096, content_type="application/octet-stream")


def test_a_file_part_in_the_login_form_is_refused_unstored(client, learner, upload_dir):
    response = client.post(
        "/accounts/login/",
        {"username": learner.username, "password": PASSWORD, "attachment": a_file()},
    )

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_file_part_in_the_submit_form_is_refused_unstored(client_for, learner, upload_dir):
    project = ProjectFactory(slug="task-manager")
    assert client_for(learner).get(f"/projects/{project.slug}/submit/").status_code == 200

    response = client_for(learner).post(
        f"/projects/{project.slug}/submit/",
        {"repo_url": "https://github.com/ada/tasks", "notes": a_file()},
    )

    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_a_multipart_form_without_files_still_works(client, learner):
    response = client.post(
        "/accounts/login/", {"username": learner.username, "password": PASSWORD}
    )  # the test client sends multipart/form-data

    assert response.status_code == 302
