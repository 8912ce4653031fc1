import pytest

from reviews.forms import COMMENT_PREFIX, CommentFormSet, QueueFilterForm, ReplyForm, ReviewForm
from tests.factories import StageFactory


def _formset_data(*rows, total=None):
    data = {
        f"{COMMENT_PREFIX}-TOTAL_FORMS": str(total if total is not None else len(rows)),
        f"{COMMENT_PREFIX}-INITIAL_FORMS": "0",
        f"{COMMENT_PREFIX}-MIN_NUM_FORMS": "0",
        f"{COMMENT_PREFIX}-MAX_NUM_FORMS": "1000",
    }
    for index, (path, line, body) in enumerate(rows):
        data[f"{COMMENT_PREFIX}-{index}-path"] = path
        data[f"{COMMENT_PREFIX}-{index}-line"] = line
        data[f"{COMMENT_PREFIX}-{index}-body"] = body
    return data


def _formset(*rows, **kwargs):
    return CommentFormSet(_formset_data(*rows, **kwargs), prefix=COMMENT_PREFIX)


def test_filled_rows_become_comments_in_order_and_blank_rows_are_ignored():
    formset = _formset(
        ("app/main.py", "12", "Split this."),
        ("", "", ""),
        ("", "", "General remark."),
        ("", "", ""),
    )

    assert formset.is_valid(), formset.errors
    assert formset.comments() == [
        {"path": "app/main.py", "line": 12, "body": "Split this."},
        {"path": "", "line": None, "body": "General remark."},
    ]


def test_a_line_without_a_path_is_an_error_on_that_row():
    formset = _formset(("app/ok.py", "1", "Fine."), ("", "7", "Where is this?"))

    assert not formset.is_valid()
    assert formset.errors == [{}, {"path": ["A line number needs a file path."]}]


@pytest.mark.parametrize("line", ["0", "-3"])
def test_a_line_below_one_is_an_error(line):
    formset = _formset(("app/main.py", line, "Hm."))

    assert not formset.is_valid()
    assert formset.errors == [{"line": ["Ensure this value is greater than or equal to 1."]}]


def test_a_path_without_a_comment_asks_for_the_comment():
    formset = _formset(("app/main.py", "3", ""))

    assert not formset.is_valid()
    assert formset.errors == [{"body": ["Write the comment, or clear its path and line."]}]


def test_a_leading_slash_and_surrounding_spaces_are_dropped_from_the_path():
    formset = _formset(("  /src/app.py ", "", "Rename."))

    assert formset.is_valid(), formset.errors
    assert formset.comments() == [{"path": "src/app.py", "line": None, "body": "Rename."}]


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("../etc/passwd", "A file path cannot contain “..” segments."),
        ("src/../../secret", "A file path cannot contain “..” segments."),
        ("src/a\x00b.py", "Null characters are not allowed."),
        ("src/a\x07b.py", "A file path cannot contain control or invisible formatting characters."),
        (
            "src/\u202eyp.niam",
            "A file path cannot contain control or invisible formatting characters.",
        ),
        (
            "src/a\u200bb.py",
            "A file path cannot contain control or invisible formatting characters.",
        ),
        ("x" * 301, "Ensure this value has at most 300 characters (it has 301)."),
    ],
)
def test_unsafe_or_overlong_paths_are_refused(path, error):
    formset = _formset((path, "", "Body."))

    assert not formset.is_valid()
    assert formset.errors == [{"path": [error]}]


def test_a_path_with_dots_inside_a_name_is_fine():
    formset = _formset(("src/my..module.py", "", "Odd name."))

    assert formset.is_valid(), formset.errors


def test_an_overlong_comment_is_refused():
    formset = _formset(("", "", "x" * 10001))

    assert formset.errors == [
        {"body": ["Ensure this value has at most 10000 characters (it has 10001)."]}
    ]


def test_a_formset_without_its_management_form_is_invalid_not_a_crash():
    formset = CommentFormSet({"comments-0-body": "Hello"}, prefix=COMMENT_PREFIX)

    assert not formset.is_valid()
    assert formset.non_form_errors() == [
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "comments-TOTAL_FORMS, comments-INITIAL_FORMS. You may need to file a bug report "
        "if the issue persists."
    ]


def test_the_formset_offers_one_blank_row_named_path_line_body():
    formset = CommentFormSet(prefix=COMMENT_PREFIX)

    assert len(formset.forms) == 1
    assert [field.html_name for field in formset.forms[0]] == [
        "comments-0-path",
        "comments-0-line",
        "comments-0-body",
    ]


def test_a_draft_may_leave_the_summary_and_the_verdict_blank():
    form = ReviewForm({"summary": "  ", "verdict": ""}, iteration=None, mentor=None)

    assert form.errors == {}
    assert form.cleaned_data == {
        "summary": "",
        "verdict": "",
        "confirm_publish": False,
        "comments_seen": None,
    }


def test_publishing_needs_a_summary_and_a_verdict():
    form = ReviewForm({"summary": "  ", "verdict": ""}, iteration=None, mentor=None, publish=True)

    assert form.errors == {
        "summary": ["Write a summary before publishing; a draft can do without one."],
        "verdict": ["Choose a verdict before publishing."],
        "confirm_publish": [
            "Tick this box to publish: a published review cannot be changed. "
            "Nothing was published; your text is kept below."
        ],
    }


def test_publishing_needs_the_confirmation_box_the_server_checks():
    data = {"summary": "Fine.", "verdict": "approve"}

    unconfirmed = ReviewForm(data, iteration=None, mentor=None, publish=True)
    confirmed = ReviewForm(
        {**data, "confirm_publish": "on"}, iteration=None, mentor=None, publish=True
    )
    draft = ReviewForm(data, iteration=None, mentor=None, publish=False)

    assert list(unconfirmed.errors) == ["confirm_publish"]
    assert confirmed.errors == {}
    assert draft.errors == {}


@pytest.mark.parametrize("publish", [False, True])
def test_an_unknown_verdict_is_refused_once_whether_drafting_or_publishing(publish):
    form = ReviewForm(
        {"summary": "Fine.", "verdict": "merge", "confirm_publish": "on"},
        iteration=None,
        mentor=None,
        publish=publish,
    )

    assert form.errors == {
        "verdict": ["Select a valid choice. merge is not one of the available choices."]
    }


def test_the_review_fields_carry_no_browser_required_attribute():
    # The browser cannot tell Save draft from Publish; the server checks what publish needs.
    html = str(ReviewForm(iteration=None, mentor=None))

    assert "required" not in html


def test_review_form_refuses_an_overlong_summary():
    form = ReviewForm({"summary": "x" * 20001, "verdict": "approve"}, iteration=None, mentor=None)

    assert form.errors == {
        "summary": ["Ensure this value has at most 20000 characters (it has 20001)."]
    }


def test_reply_form_needs_a_body_of_sane_length():
    def form(body):
        return ReplyForm({"body": body}, submission=None, author=None)

    assert form("  ").errors == {"body": ["This field is required."]}
    assert form("x" * 10001).errors == {
        "body": ["Ensure this value has at most 10000 characters (it has 10001)."]
    }


@pytest.mark.django_db
def test_queue_filter_keeps_the_valid_filters_and_reports_the_bad_ones():
    StageFactory(slug="testing")
    form = QueueFilterForm({"stage": "no-such-stage", "status": "approved", "learner": "ada"})

    form.is_valid()
    assert form.errors == {
        "stage": [
            "Select a valid choice. no-such-stage is not one of the available choices. "
            "This filter was ignored."
        ],
        "status": [
            "Select a valid choice. approved is not one of the available choices. "
            "This filter was ignored."
        ],
    }
    assert form.cleaned_data == {"kind": "", "learner": "ada"}


def test_queue_status_filter_is_worded_as_the_status_badges(db):
    assert QueueFilterForm().fields["status"].choices == [
        ("", "Any"),
        ("submitted", "Submitted"),
        ("in_review", "In review"),
    ]
