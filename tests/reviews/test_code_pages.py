"""The code at a reviewed commit: the file view, line links, the changes view, comments added
from a line, and the review form's checks against the snapshot (issue 15)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from curriculum.models import Project
from learners.models import SnapshotFile, Submission
from reviews import code, selectors
from reviews.models import Review, ReviewComment
from tests.factories import (
    BugStoryFactory,
    IterationFactory,
    ReviewCommentFactory,
    ReviewFactory,
    ready_snapshot,
)

Status = Submission.Status
MAIN = "".join(f"value_{n} = {n}\n" for n in range(1, 41))  # 40 lines


def _file_url(submission, path, number=1):
    return f"/submissions/{submission.pk}/iterations/{number}/files/{path}"


def _changes_url(submission, number=2):
    return f"/submissions/{submission.pk}/iterations/{number}/changes/"


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def claimed(make_submission, mentor):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now()
    )
    ready_snapshot(
        submission.iterations.get(),
        {
            "app/main.py": MAIN,
            "README.md": "# Tasks\n\n<script>alert(1)</script>\n",
            "docs/shot.png": b"\x89PNG\x00",
        },
    )
    return submission


# --- The file view -------------------------------------------------------------------------


def test_file_view_shows_every_line_numbered_and_highlighted(client_for, mentor, claimed):
    response = client_for(mentor).get(_file_url(claimed, "app/main.py"))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('<tr id="L') == 40
    assert 'value_12 <span class="o">=</span> <span class="mi">12</span>' in content
    assert 'id="L40"' in content
    assert 'id="L41"' not in content


def test_learner_files_are_shown_escaped_never_raw(client_for, learner, claimed):
    response = client_for(learner).get(_file_url(claimed, "README.md"))

    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_line_numbers_of_the_claim_holder_open_the_review_form_at_that_line(
    client_for, mentor, claimed
):
    content = client_for(mentor).get(_file_url(claimed, "app/main.py")).content.decode()

    link = f"/mentor/submissions/{claimed.pk}/review/?path=app%2Fmain.py&amp;line=12#new-comment"
    assert f'href="{link}"' in content
    assert 'src="/static/js/line-comments.js"' in content


def test_the_learner_gets_plain_line_anchors_and_no_comment_box(client_for, learner, claimed):
    content = client_for(learner).get(_file_url(claimed, "app/main.py")).content.decode()

    # A row is its number and its code, no classes (the table's CSS styles both cells).
    assert (
        '<tr id="L12"><td><a href="#L12">12</a></td>'
        '<td>value_12 <span class="o">=</span> <span class="mi">12</span></td></tr>'
    ) in content
    assert "line-comment-link" not in content
    assert "inline-comment-template" not in content


def test_a_binary_file_is_named_not_shown(client_for, mentor, claimed):
    response = client_for(mentor).get(_file_url(claimed, "docs/shot.png"))

    assert response.status_code == 200
    assert 'id="not-text"' in response.content.decode()


@pytest.mark.parametrize("path", ["nope.py", "app", "../etc/passwd", "a%00b"])
def test_a_path_not_in_the_snapshot_is_404(client_for, mentor, claimed, path):
    assert client_for(mentor).get(_file_url(claimed, path)).status_code == 404


def test_an_iteration_that_does_not_exist_is_404(client_for, mentor, claimed):
    assert client_for(mentor).get(_file_url(claimed, "app/main.py", number=9)).status_code == 404


def test_file_view_refuses_post(client_for, mentor, claimed):
    assert client_for(mentor).post(_file_url(claimed, "app/main.py")).status_code == 405


def test_file_view_is_404_for_another_learner(client_for, other_learner, claimed):
    assert client_for(other_learner).get(_file_url(claimed, "app/main.py")).status_code == 404


def test_file_view_shows_the_published_comments_and_the_viewers_draft_under_their_lines(
    client_for, mentor, other_mentor, claimed
):
    iteration = claimed.iterations.get()
    draft = ReviewFactory(iteration=iteration, mentor=mentor)
    ReviewCommentFactory(review=draft, path="app/main.py", line=3, body="Mine, in draft.")
    someone_else = ReviewFactory(iteration=iteration, mentor=other_mentor)
    ReviewCommentFactory(review=someone_else, path="app/main.py", line=4, body="Not yours.")

    content = client_for(mentor).get(_file_url(claimed, "app/main.py")).content.decode()

    assert "Mine, in draft." in content
    assert "Your draft comment (not published yet)" in content
    assert "Not yours." not in content


@pytest.mark.parametrize("count", [1, 5])
def test_file_view_query_count_is_flat(
    client_for, mentor, claimed, django_assert_num_queries, count
):
    draft = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor)
    for line in range(1, count + 1):
        ReviewCommentFactory(review=draft, path="app/main.py", line=line)
    client = client_for(mentor)

    # session, user, roles; submission; iteration; the file; its comments; later iterations.
    with django_assert_num_queries(8):
        response = client.get(_file_url(claimed, "app/main.py"))
    assert response.status_code == 200


# --- Starting a comment from a line --------------------------------------------------------


def test_a_line_link_opens_the_review_form_with_the_draft_kept_and_the_line_filled(
    client_for, mentor, claimed
):
    draft = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor, summary="Kept.")
    ReviewCommentFactory(review=draft, path="README.md", line=1, body="Earlier comment.")

    response = client_for(mentor).get(
        f"/mentor/submissions/{claimed.pk}/review/?path=app/main.py&line=12"
    )

    content = response.content.decode()
    formset = response.context["formset"]
    assert [form.initial for form in formset.initial_forms] == [
        {"path": "README.md", "line": 1, "body": "Earlier comment."},
        {"path": "app/main.py", "line": 12},
    ]
    assert response.context["form"].initial["summary"] == "Kept."
    assert 'id="new-comment"' in content
    assert '<option value="app/main.py"></option>' in content


@pytest.mark.parametrize("line", ["twelve", "²", "１２"])
def test_a_line_link_with_a_bad_line_fills_only_the_path(client_for, mentor, claimed, line):
    response = client_for(mentor).get(
        f"/mentor/submissions/{claimed.pk}/review/?path=app/main.py&line={line}"
    )

    assert response.context["formset"].initial_forms[0].initial == {
        "path": "app/main.py",
        "line": None,
    }


def _review_post(path, line, body="Look here.", **extra):
    return {
        "summary": "",
        "verdict": "",
        "save_draft": "1",
        "comments-TOTAL_FORMS": "1",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "comments-0-path": path,
        "comments-0-line": line,
        "comments-0-body": body,
        **extra,
    }


def test_a_comment_past_the_end_of_the_file_is_a_form_error(client_for, mentor, claimed):
    response = client_for(mentor).post(
        f"/mentor/submissions/{claimed.pk}/review/", _review_post("app/main.py", "41")
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "line": ["“app/main.py” has 40 lines at this commit; line 41 is past its end."]
    }
    assert not Review.objects.exists()
    # Said at the top too: the row with the error may be far down the page.
    assert _messages(response) == [
        "Your draft was not saved: correct what is marked below. Everything you typed is still"
        " here."
    ]


def test_a_comment_on_a_file_not_in_the_snapshot_is_a_form_error(client_for, mentor, claimed):
    response = client_for(mentor).post(
        f"/mentor/submissions/{claimed.pk}/review/", _review_post("app/mian.py", "3")
    )

    assert response.context["formset"].forms[0].errors == {
        "path": ["There is no file “app/mian.py” at this commit."]
    }


def test_the_last_line_and_a_folder_are_accepted(client_for, mentor, claimed):
    client = client_for(mentor)
    client.post(f"/mentor/submissions/{claimed.pk}/review/", _review_post("app/main.py", "40"))
    client.post(f"/mentor/submissions/{claimed.pk}/review/", _review_post("app", ""))

    assert list(ReviewComment.objects.values_list("path", "line")) == [("app", None)]
    assert Review.objects.get().mentor == mentor


def test_a_line_on_a_binary_file_is_a_form_error(client_for, mentor, claimed):
    response = client_for(mentor).post(
        f"/mentor/submissions/{claimed.pk}/review/", _review_post("docs/shot.png", "1")
    )

    assert response.context["formset"].forms[0].errors == {
        "line": ["“docs/shot.png” is not a text file; leave the line empty."]
    }


def _inline_url(submission):
    return f"/mentor/submissions/{submission.pk}/review/comments/"


def test_the_inline_box_adds_the_comment_to_the_end_of_the_draft(client_for, mentor, claimed):
    draft = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor, summary="Kept.")
    ReviewCommentFactory(review=draft, path="README.md", line=1, order=0)

    response = client_for(mentor).post(
        _inline_url(claimed), {"path": "app/main.py", "line": "7", "body": "Name this."}
    )

    assert response.status_code == 302
    assert response["Location"] == _file_url(claimed, "app/main.py") + "#L7"
    draft.refresh_from_db()
    assert draft.summary == "Kept."
    assert draft.published_at is None
    assert list(draft.comments.values_list("path", "line", "body", "order")) == [
        ("README.md", 1, "Consider a smaller function here.", 0),
        ("app/main.py", 7, "Name this.", 1),
    ]


def test_the_inline_box_starts_a_draft_when_there_is_none(client_for, mentor, claimed):
    client_for(mentor).post(
        _inline_url(claimed), {"path": "app/main.py", "line": "1", "body": "First."}
    )

    review = Review.objects.get()
    assert (review.summary, review.verdict, review.published_at) == ("", "", None)
    assert list(review.comments.values_list("line", flat=True)) == [1]


def test_the_inline_box_refuses_a_line_past_the_end_and_shows_the_file_again(
    client_for, mentor, claimed
):
    response = client_for(mentor).post(
        _inline_url(claimed), {"path": "app/main.py", "line": "99", "body": "Here?"}
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "line 99 is past its end" in content
    assert 'id="rejected-comment"' in content
    assert "Here?" in content
    assert not Review.objects.exists()


def test_an_empty_inline_comment_is_refused_once_under_a_box_that_names_its_line(
    client_for, mentor, claimed
):
    client = client_for(mentor)
    page = client.get(_file_url(claimed, "app/main.py")).content.decode()

    response = client.post(_inline_url(claimed), {"path": "app/main.py", "line": "4", "body": " "})

    content = response.content.decode()
    assert response.status_code == 400
    template = page[page.index('<template id="inline-comment-template">') :]
    assert "required" in template[: template.index("</textarea>")]  # the browser asks first
    rejected = content[content.index('id="rejected-comment"') :]
    assert "Your comment on app/main.py, line 4" in rejected
    assert content.count("Write the comment before adding it.") == 1
    assert "clear its path and line" not in content
    assert not Review.objects.exists()


def test_the_inline_box_with_a_forged_path_sends_the_mentor_to_the_review_form(
    client_for, mentor, claimed
):
    response = client_for(mentor).post(
        _inline_url(claimed), {"path": "secret.py", "line": "1", "body": "x"}
    )

    assert response["Location"] == f"/mentor/submissions/{claimed.pk}/review/"
    assert _messages(response) == ["There is no file “secret.py” at this commit."]
    assert not Review.objects.exists()


def test_the_inline_box_needs_the_claim(client_for, mentor, claimed, staff):
    response = client_for(staff).post(
        _inline_url(claimed), {"path": "app/main.py", "line": "1", "body": "x"}
    )

    assert response["Location"] == f"/mentor/submissions/{claimed.pk}/review/"
    assert _messages(response) == ["Claim this submission before reviewing it; nothing was saved."]
    assert not Review.objects.exists()


def test_the_inline_box_refuses_get_and_learners(client_for, mentor, learner, claimed):
    assert client_for(mentor).get(_inline_url(claimed)).status_code == 405
    response = client_for(learner).post(
        _inline_url(claimed), {"path": "app/main.py", "line": "1", "body": "x"}
    )
    assert response.status_code == 404


# --- Changes since the review that asked for them ------------------------------------------

OLD_MAIN = (
    "import os\n\n\ndef load(path):\n    return open(path).read()\n\n\ndef save():\n    pass\n"
)
NEW_MAIN = (
    '"""Load and save."""\n'
    "import os\n\n\ndef load(path):\n    with open(path) as f:\n        return f.read()\n"
    "\n\ndef save():\n    pass\n"
)


@pytest.fixture
def resubmitted(make_submission, mentor):
    """Iteration 1 reviewed with changes requested (three line comments), iteration 2 claimed."""
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now(), iterations=2
    )
    first, second = submission.iterations.order_by("number")
    ready_snapshot(
        first,
        {
            "app/main.py": OLD_MAIN,
            "app/old_name.py": "x = 1\n",
            "notes.txt": "todo\n",
            "same.txt": "unchanged\n",
        },
    )
    ready_snapshot(
        second,
        {"app/main.py": NEW_MAIN, "app/new_name.py": "x = 1\n", "same.txt": "unchanged\n"},
    )
    review = ReviewFactory(
        iteration=first,
        mentor=mentor,
        verdict=Review.Verdict.REQUEST_CHANGES,
        published_at=timezone.now(),
    )
    ReviewCommentFactory(review=review, path="app/main.py", line=8, body="Save does nothing.")
    ReviewCommentFactory(review=review, path="app/main.py", line=5, body="Close the file.")
    ReviewCommentFactory(review=review, path="app/old_name.py", line=1, body="Bad name.")
    ReviewCommentFactory(review=review, path="notes.txt", line=1, body="Drop this.")
    return submission


def test_a_whole_file_comment_and_one_past_the_old_end_are_carried_without_a_line(
    client_for, mentor, resubmitted
):
    review = Review.objects.get(iteration__number=1)
    ReviewCommentFactory(review=review, path="same.txt", line=None, body="Name it better.")
    ReviewCommentFactory(review=review, path="app/main.py", line=99, body="Seed data.")
    ReviewCommentFactory(review=review, path="", line=None, body="General remark.")

    response = client_for(mentor).get(_changes_url(resubmitted))

    carried = {c.comment.body: (c.path, c.line, c.state) for c in response.context["carried"]}
    assert carried["Name it better."] == ("same.txt", None, "file")
    assert carried["Seed data."] == ("app/main.py", None, "no_line")
    assert "General remark." not in carried  # not about the code
    content = response.content.decode()
    assert "whole file" in content
    assert "line not in the file" in content
    assert "same.txt:None" not in content


def test_changes_list_each_changed_file_with_counts(client_for, mentor, resubmitted):
    response = client_for(mentor).get(_changes_url(resubmitted))

    changes = [
        (c.path, c.old_path, c.status, c.added, c.removed) for c in response.context["changes"]
    ]
    assert changes == [
        ("app/main.py", None, "modified", 3, 1),
        ("app/new_name.py", "app/old_name.py", "renamed", 0, 0),
        ("notes.txt", None, "removed", 0, 1),
    ]


def test_change_counts_show_a_sign_only_on_lines_that_were_added_or_removed(
    client_for, mentor, resubmitted
):
    content = client_for(mentor).get(_changes_url(resubmitted)).content.decode()

    table = content[content.index('id="changed-files"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', table)
    assert cells == ["+3", "−1", "0", "0", "0", "−1"]
    assert "· modified · +3 −1</span>" in content
    assert "· removed · −1</span>" in content
    assert "+0" not in content
    assert "−0" not in content


def test_a_file_past_the_diff_limit_is_listed_with_a_link_not_diffed(
    client_for, mentor, resubmitted, monkeypatch
):
    monkeypatch.setattr(code, "DIFF_MAX_LINES", 10)

    response = client_for(mentor).get(_changes_url(resubmitted))

    content = response.content.decode()
    changes = [(c.path, c.status, c.too_large, str(c.rows)) for c in response.context["changes"]]
    assert changes[0] == ("app/main.py", "modified", True, "")
    assert [c.too_large for c in response.context["changes"][1:]] == [False, False]
    assert content.count("Large diff not shown.") == 1
    assert (
        f'<a href="{_file_url(resubmitted, "app/main.py", number=2)}">Open the file</a>' in content
    )


def test_earlier_comments_are_carried_to_their_place_in_the_new_code(
    client_for, mentor, resubmitted
):
    response = client_for(mentor).get(_changes_url(resubmitted))

    carried = [(c.comment.body, c.path, c.line, c.state) for c in response.context["carried"]]
    assert carried == [
        # "def save():" moved down two lines; the line itself is unchanged.
        ("Save does nothing.", "app/main.py", 10, "moved"),
        ("Close the file.", "app/main.py", 6, "changed"),
        ("Bad name.", "app/new_name.py", 1, "moved"),
        ("Drop this.", None, None, "removed"),
    ]
    content = response.content.decode()
    assert "this line changed" in content
    assert "file removed" in content


def test_the_diff_rows_link_new_lines_to_a_comment_and_show_the_carried_comment_in_place(
    client_for, mentor, resubmitted
):
    content = client_for(mentor).get(_changes_url(resubmitted)).content.decode()

    link = f"/mentor/submissions/{resubmitted.pk}/review/?path=app%2Fmain.py&amp;line=6#new-comment"
    assert f'href="{link}"' in content
    # The comment on the changed line shows under the new line 6, inside the diff table.
    row = content.index('id="app/main.py-L6"')
    assert content.index("Earlier comment on app/main.py:5 — this line changed", row) > row


def test_a_changed_line_reads_removed_then_added_with_its_sign_for_screen_readers(
    client_for, learner, resubmitted
):
    content = client_for(learner).get(_changes_url(resubmitted)).content.decode()

    rows = [
        (kind, re.sub(r"<[^>]+>", "", html))
        for kind, html in re.findall(r'<tr class="diff-(add|del)"[^>]*>(.*?)</tr>', content)
    ]
    assert rows[:4] == [
        ("add", "1added: &quot;&quot;&quot;Load and save.&quot;&quot;&quot;"),
        ("del", "5removed:     return open(path).read()"),
        ("add", "6added:     with open(path) as f:"),
        ("add", "7added:         return f.read()"),
    ]
    assert '<td colspan="3">@@ -1,8 +1,10 @@</td>' in content


_LINES = st.lists(st.sampled_from(["a", "b", "c", "", "    return x", "}"]), max_size=40)


def _lcs_length(old, new):
    row = [0] * (len(new) + 1)
    for a in old:
        diagonal, row[0] = 0, 0
        for j, b in enumerate(new, start=1):
            diagonal, row[j] = row[j], diagonal + 1 if a == b else max(row[j], row[j - 1])
    return row[-1]


@given(old=_LINES, new=_LINES)
def test_line_opcodes_are_a_shortest_edit_that_rebuilds_the_new_text(old, new):
    opcodes = code.line_opcodes(old, new)

    rebuilt, previous, i, j = [], None, 0, 0
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (i, j)  # each opcode starts where the last one ended
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
            rebuilt += old[i1:i2]
        else:
            # A deletion beside an insertion is one "replace", never two opcodes in a row.
            assert previous not in ("insert", "delete", "replace")
            shape = {
                "insert": i1 == i2 and j1 < j2,
                "delete": j1 == j2 and i1 < i2,
                "replace": i1 < i2 and j1 < j2,
            }
            assert shape[tag]
            rebuilt += new[j1:j2]
        previous, i, j = tag, i2, j2
    assert rebuilt == new
    assert (i, j) == (len(old), len(new))
    kept = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in opcodes if tag == "equal")
    assert kept == _lcs_length(old, new)


def test_a_comment_in_a_rewritten_block_is_placed_at_the_blocks_new_start():
    old = ["a", "b", "c", "d", "e"]
    new = ["a", "x", "y", "z", "e"]
    opcodes = code.line_opcodes(old, new)

    assert opcodes == [("equal", 0, 1, 0, 1), ("replace", 1, 4, 1, 4), ("equal", 4, 5, 4, 5)]
    assert code.place_line(opcodes, 3, old_length=5) == (2, False)
    assert code.place_line(opcodes, 5, old_length=5) == (5, True)
    # A line deleted at the end of the file lands on the new last line's block end.
    tail = code.line_opcodes(["a", "b", "c"], ["a"])
    assert code.place_line(tail, 3, old_length=3) == (2, False)


def test_a_comment_on_a_file_past_the_diff_limit_keeps_its_line_without_a_comparison(
    client_for, mentor, resubmitted, monkeypatch
):
    monkeypatch.setattr(code, "DIFF_MAX_LINES", 10)
    compared, opcodes = [], code.line_opcodes

    def line_opcodes(old, new):
        compared.append(max(len(old), len(new)))
        return opcodes(old, new)

    monkeypatch.setattr(code, "line_opcodes", line_opcodes)

    response = client_for(mentor).get(_changes_url(resubmitted))

    carried = [(c.comment.body, c.path, c.line, c.state) for c in response.context["carried"]]
    assert carried[:2] == [
        ("Save does nothing.", "app/main.py", 8, "changed"),
        ("Close the file.", "app/main.py", 5, "changed"),
    ]
    # app/main.py (11 lines) is past the limit: never matched; notes.txt (1 line) is.
    assert compared == [1]


def test_changes_of_a_first_iteration_say_there_is_nothing_to_compare(client_for, mentor, claimed):
    response = client_for(mentor).get(_changes_url(claimed, number=1))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<li class="breadcrumb-item active text-break" aria-current="page">Changes</li>' in (
        content
    )
    assert '<h1 class="h4">Iteration 1: nothing to compare</h1>' in content
    assert 'id="nothing-to-compare"' in content


def test_changes_are_404_for_an_outsider_and_refuse_post(
    client_for, other_mentor, mentor, resubmitted
):
    assert client_for(other_mentor).get(_changes_url(resubmitted)).status_code == 404
    assert client_for(mentor).post(_changes_url(resubmitted)).status_code == 405


def test_the_learner_reads_the_changes_without_comment_links(client_for, learner, resubmitted):
    response = client_for(learner).get(_changes_url(resubmitted))

    assert response.status_code == 200
    assert "line-comment-link" not in response.content.decode()


def test_the_review_page_links_the_changes_since_the_reviewed_iteration(
    client_for, mentor, resubmitted
):
    content = client_for(mentor).get(f"/mentor/submissions/{resubmitted.pk}/review/")

    assert 'id="changes-link"' in content.content.decode()
    assert "Changes since iteration 1" in content.content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_changes_query_count_is_flat(
    client_for, mentor, make_submission, django_assert_num_queries, count
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now(), iterations=2
    )
    first, second = submission.iterations.order_by("number")
    ready_snapshot(first, {f"f{n}.py": f"a = {n}\n" for n in range(count)})
    ready_snapshot(second, {f"f{n}.py": f"a = {n + 1}\n" for n in range(count)})
    review = ReviewFactory(iteration=first, mentor=mentor, published_at=timezone.now())
    for n in range(count):
        ReviewCommentFactory(review=review, path=f"f{n}.py", line=1)
    client = client_for(mentor)

    # session, user, roles; submission; iteration and its snapshot; the review and its
    # comments; each snapshot's listing and the blobs shown; later iterations.
    with django_assert_num_queries(13):
        response = client.get(_changes_url(submission))
    assert len(response.context["changes"]) == count


def test_an_identical_tree_is_marked_on_the_review_and_changes_pages(
    client_for, mentor, make_submission
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now(), iterations=2
    )
    first, second = submission.iterations.order_by("number")
    ready_snapshot(first, {"a.py": "a = 1\n"})
    ready_snapshot(second, {"a.py": "a = 1\n"}, unchanged_since=1)
    ReviewFactory(iteration=first, mentor=mentor, published_at=timezone.now())
    client = client_for(mentor)

    review_page = client.get(f"/mentor/submissions/{submission.pk}/review/").content.decode()
    changes = client.get(_changes_url(submission)).content.decode()

    assert "No code changed since iteration 1" in review_page
    assert "The learner has been told." in review_page
    assert "No code changed since iteration 1" in changes
    assert 'id="no-changes"' in changes


def test_the_same_commit_on_purpose_is_marked_without_saying_the_learner_was_told(
    client_for, mentor, make_submission
):
    submission = make_submission(
        status=Status.IN_REVIEW, claimed_by=mentor, claimed_at=timezone.now(), iterations=2
    )
    first, second = submission.iterations.order_by("number")
    ready_snapshot(first, {"a.py": "a = 1\n"})
    ready_snapshot(second, {"a.py": "a = 1\n"}, unchanged_since=1, requested_sha="c" * 40)

    page = client_for(mentor).get(f"/mentor/submissions/{submission.pk}/review/")

    content = page.content.decode()
    assert "No code changed since iteration 1" in content
    assert "The learner has been told." not in content


def test_a_later_iteration_without_the_claim_gives_no_comment_links(
    client_for, mentor, resubmitted
):
    # The mentor holds the claim on iteration 2; iteration 1's files are history.
    content = client_for(mentor).get(_file_url(resubmitted, "app/main.py", 1)).content.decode()

    assert "line-comment-link" not in content


def test_a_review_of_a_later_iteration_is_the_one_to_compare_with(client_for, mentor, resubmitted):
    IterationFactory(submission=resubmitted, number=3)

    response = client_for(mentor).get(_changes_url(resubmitted, number=3))

    assert response.context["earlier_review"].iteration.number == 1


@pytest.mark.parametrize("button", ["save_draft", "publish"])
def test_a_review_form_rendered_before_an_inline_comment_keeps_that_comment(
    client_for, mentor, claimed, button
):
    draft = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor, summary="Kept.")
    ReviewCommentFactory(review=draft, path="README.md", line=1, body="Old.")
    client = client_for(mentor)
    page = client.get(f"/mentor/submissions/{claimed.pk}/review/")
    seen = page.context["form"].initial["comments_seen"]
    # Meanwhile, in another tab, the inline box of the file view adds a comment.
    client.post(_inline_url(claimed), {"path": "app/main.py", "line": "7", "body": "Later."})

    client.post(
        f"/mentor/submissions/{claimed.pk}/review/",
        _review_post(
            "README.md",
            "1",
            body="Old, edited.",
            comments_seen=str(seen),
            summary="Sum.",
            verdict="approve",
            confirm_publish="on",
            **{button: "1"},
        ),
    )

    assert list(
        ReviewComment.objects.order_by("order").values_list("path", "line", "body", "order")
    ) == [("README.md", 1, "Old, edited.", 0), ("app/main.py", 7, "Later.", 1)]


def test_a_line_of_a_file_too_large_to_store_is_accepted_a_symlinks_line_is_not(
    client_for, mentor, claimed
):
    snapshot = claimed.iterations.get().snapshot
    SnapshotFile.objects.create(
        snapshot=snapshot, path="data/big.csv", kind="too_large", size=10**8, blob_sha="e" * 40
    )
    SnapshotFile.objects.create(
        snapshot=snapshot, path="link", kind="symlink", size=6, blob_sha="f" * 40
    )
    client = client_for(mentor)

    refused = client.post(f"/mentor/submissions/{claimed.pk}/review/", _review_post("link", "1"))
    accepted = client.post(
        f"/mentor/submissions/{claimed.pk}/review/", _review_post("data/big.csv", "5000")
    )

    assert refused.context["formset"].forms[0].errors == {
        "line": ["“link” is not a text file; leave the line empty."]
    }
    assert accepted.status_code == 302
    assert list(ReviewComment.objects.values_list("path", "line")) == [("data/big.csv", 5000)]


def test_excerpts_split_each_commented_file_once(mentor, claimed, monkeypatch):
    review = ReviewFactory(iteration=claimed.iterations.get(), mentor=mentor)
    for line in (3, 7, 12):
        ReviewCommentFactory(review=review, path="app/main.py", line=line)
    ReviewCommentFactory(review=review, path="README.md", line=1)
    splits = []
    counted = selectors.source_lines
    monkeypatch.setattr(
        selectors, "source_lines", lambda text: splits.append(text[:7]) or counted(text)
    )
    review = Review.objects.prefetch_related("comments").get()

    selectors.attach_excerpts([review])

    assert sorted(splits) == ["# Tasks", "value_1"]
    assert [len(c.excerpt) > 0 for c in review.comments.all()] == [True, True, True, True]


# --- The files page, and the submission page's links to the code ----------------------------


def _files_url(submission, number=1):
    return f"/submissions/{submission.pk}/iterations/{number}/files/"


def _code_links(content):
    """Each iteration card's links to the code, newest iteration first."""
    return [
        re.findall(r'<a href="([^"]+)">([^<]+)', part.split("</p>", 1)[0])
        for part in content.split('<p class="mb-2 code-links">')[1:]
    ]


def test_the_files_page_lists_the_files_at_the_commit_each_opening_the_file_view(
    client_for, learner, resubmitted
):
    response = client_for(learner).get(_files_url(resubmitted, number=2))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 class="h4">Files of iteration 2</h1>' in content
    base = f"/submissions/{resubmitted.pk}/iterations/2"
    assert re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', content) == [
        (f"{base}/files/app/main.py", "app/main.py"),
        (f"{base}/files/app/new_name.py", "app/new_name.py"),
        (f"{base}/files/same.txt", "same.txt"),
    ]
    assert f'id="changes-link" href="{base}/changes/">Changes since iteration 1</a>' in content
    assert '<li class="breadcrumb-item active text-break" aria-current="page">Files</li>' in (
        content
    )


def test_the_files_page_of_an_unread_repository_says_they_come_once_it_is_read(
    client_for, learner, make_submission
):
    submission = make_submission()

    response = client_for(learner).get(_files_url(submission))

    assert response.status_code == 200
    assert 'id="no-files"' in response.content.decode()


def test_the_files_page_is_404_for_an_outsider_a_missing_iteration_and_a_bug_story(
    client_for, other_learner, learner, cohort, resubmitted
):
    story = BugStoryFactory(
        iteration__number=1,
        iteration__submission__learner=learner,
        iteration__submission__cohort=cohort,
        iteration__submission__project__kind=Project.Kind.BUG_STORY,
    ).iteration.submission

    assert client_for(learner).get(_files_url(resubmitted)).status_code == 200
    assert client_for(other_learner).get(_files_url(resubmitted)).status_code == 404
    assert client_for(learner).get(_files_url(resubmitted, number=9)).status_code == 404
    assert client_for(learner).get(_files_url(story)).status_code == 404


def test_the_files_page_refuses_post(client_for, learner, resubmitted):
    assert client_for(learner).post(_files_url(resubmitted)).status_code == 405


def test_the_submission_page_links_each_read_iteration_to_its_files_and_changes_not_a_story(
    client_for, learner, cohort, resubmitted
):
    IterationFactory(submission=resubmitted, number=3)  # its repository not read yet
    story = BugStoryFactory(
        iteration__submission__learner=learner,
        iteration__submission__cohort=cohort,
        iteration__submission__project__kind=Project.Kind.BUG_STORY,
    ).iteration
    ready_snapshot(story, {"a.py": "a = 1\n"})  # never a bug story's, but none would be shown
    client = client_for(learner)

    content = client.get(f"/submissions/{resubmitted.pk}/").content.decode()
    story_page = client.get(f"/submissions/{story.submission_id}/").content.decode()

    base = f"/submissions/{resubmitted.pk}/iterations"
    assert _code_links(content) == [
        [
            (f"{base}/2/files/", "Browse the files"),
            (f"{base}/2/changes/", "Changes since iteration 1"),
        ],
        [(f"{base}/1/files/", "Browse the files")],  # no earlier review to compare with
    ]
    assert _code_links(story_page) == []
    assert "Browse the files" not in story_page


@pytest.mark.parametrize("count", [1, 5])
def test_the_files_page_query_count_is_flat(
    client_for, learner, make_submission, django_assert_num_queries, count
):
    submission = make_submission()
    ready_snapshot(submission.iterations.get(), {f"f{n}.py": f"a = {n}\n" for n in range(count)})
    client = client_for(learner)

    # session, user, roles; submission; iteration; its files; the review to compare with.
    with django_assert_num_queries(7):
        response = client.get(_files_url(submission))
    assert len(response.context["files"]) == count
