from django import forms
from django.db.models import Q, Value
from django.db.models.functions import Concat

from bootcamp.forms import MarkdownTextarea
from bootcamp.markdown import validate_markdown
from curriculum.models import InterviewArea, Stage
from learners.links import has_hidden_characters
from learners.models import Submission
from reviews.models import MockInterviewRating, Review
from reviews.overview import DEFAULT_SORT, SORTS, STAGE_SORT
from reviews.services import (
    comment_reply_create,
    mock_interview_save,
    readiness_sign_off,
    reply_create,
    review_publish,
    review_save_draft,
)


class ReviewForm(forms.Form):
    # Neither is required of a draft, which may be partial (comments first, verdict later);
    # clean() asks for both when the mentor publishes. No `required` attribute in the page,
    # then: the browser cannot tell which button will be pressed.
    summary = forms.CharField(
        max_length=20000,
        required=False,
        widget=MarkdownTextarea(attrs={"rows": 8}),
        help_text="Markdown. What works, what to change, and why. Needed to publish.",
        validators=[validate_markdown],
    )
    verdict = forms.ChoiceField(
        choices=Review.Verdict.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Needed to publish; a draft can leave it open.",
    )
    # Publishing cannot be undone, so it is confirmed by the server too, not by a JavaScript
    # dialog alone (issue 16): the box is checked only when the mentor presses "Publish".
    confirm_publish = forms.BooleanField(
        required=False,
        label="I have read this review through: publish it to the learner",
        help_text="A published review cannot be changed or withdrawn. Not needed for a draft.",
    )

    # The highest comment id of the draft when the form was rendered: comments added after
    # that from the file view are not in this form, and saving it must not delete them.
    comments_seen = forms.IntegerField(
        required=False, min_value=0, max_value=2_147_483_647, widget=forms.HiddenInput
    )

    def __init__(self, *args, iteration, mentor, publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.iteration = iteration
        self.mentor = mentor
        self.publish = publish

    def clean(self):
        cleaned = super().clean()
        if self.publish:
            if not cleaned.get("summary") and "summary" not in self.errors:
                self.add_error(
                    "summary", "Write a summary before publishing; a draft can do without one."
                )
            if not cleaned.get("verdict") and "verdict" not in self.errors:
                self.add_error("verdict", "Choose a verdict before publishing.")
            if not cleaned.get("confirm_publish"):
                self.add_error(
                    "confirm_publish",
                    "Tick this box to publish: a published review cannot be changed. "
                    "Nothing was published; your text is kept below.",
                )
        return cleaned

    def save(self, *, comments) -> Review:
        service = review_publish if self.publish else review_save_draft
        return service(
            iteration=self.iteration,
            mentor=self.mentor,
            summary=self.cleaned_data["summary"],
            verdict=self.cleaned_data["verdict"],
            comments=comments,
            seen_upto=self.cleaned_data.get("comments_seen"),
        )


class CommentForm(forms.Form):
    path = forms.CharField(
        max_length=300,
        required=False,
        help_text="File in the repository, e.g. app/main.py.",
        # The page's <datalist> of the snapshot's files (templates/reviews/includes/).
        widget=forms.TextInput(attrs={"list": "snapshot-files", "autocomplete": "off"}),
    )
    # The column is a PostgreSQL integer; a larger number must be a form error, not a crash.
    line = forms.IntegerField(min_value=1, max_value=2_147_483_647, required=False)
    body = forms.CharField(
        label="Comment",
        max_length=10000,
        required=False,
        widget=MarkdownTextarea(attrs={"rows": 3}),
        help_text="Markdown.",
        validators=[validate_markdown],
    )

    def __init__(self, *args, files: dict | None = None, anchored: bool = True, **kwargs):
        # files: the snapshot's paths -> the highest line a comment may name (None for a
        # file without lines: binary, symlink, submodule), selectors.comment_line_limits;
        # None or empty when there is no snapshot to check against (pending, failed).
        # anchored=False: the work has no files (a bug story), so a comment has no path or line.
        super().__init__(*args, **kwargs)
        self.files = files or {}
        if not anchored:
            del self.fields["path"], self.fields["line"]

    def clean_path(self):
        path = self.cleaned_data["path"]
        # Format characters too: U+202E would show "main.py" for a path that is "yp.niam".
        if has_hidden_characters(path):
            raise forms.ValidationError(
                "A file path cannot contain control or invisible formatting characters."
            )
        # Paths are relative to the repository root; a leading slash is harmless, drop it.
        path = path.strip().lstrip("/")
        if ".." in path.split("/"):
            raise forms.ValidationError("A file path cannot contain “..” segments.")
        return path

    def clean(self):
        cleaned = super().clean()
        path, line, body = cleaned.get("path"), cleaned.get("line"), cleaned.get("body")
        if line is not None and not path and "path" not in self.errors:
            self.add_error("path", "A line number needs a file path.")
        if (path or line is not None) and not body and "body" not in self.errors:
            self.add_error("body", "Write the comment, or clear its path and line.")
        if self.files and path and "path" not in self.errors and "line" not in self.errors:
            self._check_against_snapshot(path, line)
        return cleaned

    def _check_against_snapshot(self, path: str, line: int | None) -> None:
        if path not in self.files:
            directory = path.rstrip("/") + "/"
            if line is None and any(name.startswith(directory) for name in self.files):
                return  # a comment on a folder
            self.add_error("path", f"There is no file “{path}” at this commit.")
            return
        count = self.files[path]
        if line is None:
            return
        if count is None:
            self.add_error("line", f"“{path}” is not a text file; leave the line empty.")
        elif line > count:
            lines = f"{count} line{'s' if count != 1 else ''}"
            self.add_error(
                "line", f"“{path}” has {lines} at this commit; line {line} is past its end."
            )

    @property
    def is_blank(self) -> bool:
        # An untouched extra row skips validation and has empty cleaned_data.
        data = self.cleaned_data
        return not (data.get("path") or data.get("line") is not None or data.get("body"))


class BaseCommentFormSet(forms.BaseFormSet):
    def comments(self) -> list[dict]:
        """The filled rows in page order; blank rows are left out."""
        return [
            {
                "path": form.cleaned_data.get("path", ""),  # no path field: a general comment
                "line": form.cleaned_data.get("line"),
                "body": form.cleaned_data.get("body"),
            }
            for form in self.forms
            if not form.is_blank
        ]


# One blank row: "Add another comment" (js/review.js) adds rows; without JavaScript,
# "Save draft" brings the page back with the saved comments and a new blank row. Each row is
# three crispy fields, about 7,000 function calls (docs/PERFORMANCE.md).
CommentFormSet = forms.formset_factory(
    CommentForm,
    formset=BaseCommentFormSet,
    extra=1,
    max_num=100,
    validate_max=True,
)
COMMENT_PREFIX = "comments"


class InlineCommentForm(CommentForm):
    """One comment on one line, from the box under a line of the file or changes view."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_inline_%s")
        super().__init__(*args, **kwargs)
        self.fields["path"].widget = forms.HiddenInput()
        self.fields["line"].widget = forms.HiddenInput()
        self.fields["body"].widget.attrs["rows"] = 3
        # The box is only for a comment: the browser refuses an empty one before it is sent.
        self.fields["body"].required = True
        self.fields["body"].error_messages["required"] = "Write the comment before adding it."

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("path") and "path" not in self.errors:
            self.add_error("path", "A line comment needs a file.")
        if cleaned.get("line") is None and "line" not in self.errors:
            self.add_error("line", "A line comment needs a line.")
        return cleaned


class CommentReplyForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        max_length=10000,
        # The box opens because its link was followed: the focus goes straight to it (browsers
        # skip autofocus on a page opened at a #fragment: static/js/autofocus.js does it).
        widget=MarkdownTextarea(attrs={"rows": 2, "autofocus": True}),
        help_text="Markdown.",
        validators=[validate_markdown],
    )
    # Where the answer was written, to go back there: the learner's page or the review page.
    back = forms.ChoiceField(
        choices=[("submission", "submission"), ("review", "review")],
        required=False,
        widget=forms.HiddenInput(),
    )

    # A rejected answer comes back in its box, with its errors: the reply view parks it in the
    # session (one per comment) and sends the page its `?answer=`.
    SESSION_KEY = "reviews:rejected-answer:{comment_pk}"
    KEPT_CHARACTERS = 20000

    def __init__(self, *args, comment, author, **kwargs):
        kwargs.setdefault("auto_id", f"id_thread_{comment.pk}_%s")
        super().__init__(*args, **kwargs)
        self.comment = comment
        self.author = author

    def save(self):
        return comment_reply_create(
            comment=self.comment, author=self.author, body=self.cleaned_data["body"]
        )

    def keep_rejected(self, session) -> None:
        body = self.data.get("body", "")[: self.KEPT_CHARACTERS]
        session[self.SESSION_KEY.format(comment_pk=self.comment.pk)] = {"body": body}

    @staticmethod
    def posted_in(query) -> int | None:
        """The id of the answer the reply view has just posted (`?posted=`): the page confirms
        it beside the answer, where the redirect lands, not at its top."""
        posted = query.get("posted", "")
        return int(posted) if posted.isascii() and posted.isdigit() and len(posted) < 10 else None

    @classmethod
    def for_answer_link(
        cls, query, *, reviews, author, back, session=None
    ) -> "CommentReplyForm | None":
        """The box the "Answer in this thread" link (`?answer=<comment id>`) opened, for a
        comment of one of `reviews` (comments prefetched); None for anything else. A page
        shows one box at a time: a crispy form under every comment was most of its cost. A
        rejected answer parked in `session` for that comment comes back bound, with its
        errors."""
        wanted = query.get("answer", "")
        # isascii: "²" is a digit to str.isdigit() but not to int().
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) < 10):
            return None
        for review in reviews:
            for comment in review.comments.all():
                if comment.pk == int(wanted):
                    key = cls.SESSION_KEY.format(comment_pk=comment.pk)
                    kept = session.pop(key, None) if session is not None else None
                    if kept is not None:
                        data = {"body": kept["body"], "back": back}
                        return cls(data, comment=comment, author=author)
                    return cls(initial={"back": back}, comment=comment, author=author)
        return None


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=10000,
        widget=MarkdownTextarea(attrs={"rows": 4}),
        help_text="Markdown.",
        validators=[validate_markdown],
    )

    # The reply view answers a rejected reply with a redirect to the submission page, and
    # parks the input in the session (under this key, one per submission) for the
    # conversation to show again with its errors.
    SESSION_KEY = "reviews:rejected-reply:{submission_pk}"
    # A browser sends at most max_length (the textarea's maxlength); this only bounds what a
    # script can park in the session.
    KEPT_CHARACTERS = 20000

    def __init__(self, *args, submission, author, **kwargs):
        # Its own ids: the submission page holds other forms.
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.author = author

    def save(self):
        return reply_create(
            submission=self.submission, author=self.author, body=self.cleaned_data["body"]
        )

    def keep_rejected(self, session) -> None:
        body = self.data.get("body", "")[: self.KEPT_CHARACTERS]
        session[self.SESSION_KEY.format(submission_pk=self.submission.pk)] = {"body": body}

    @classmethod
    def for_conversation(cls, session, *, submission, author) -> "ReplyForm":
        """The rejected reply, bound so its errors show, if one was parked; else a blank form."""
        key = cls.SESSION_KEY.format(submission_pk=submission.pk)
        data = session.pop(key, None) if session is not None else None
        return cls(data, submission=submission, author=author)


class ClaimForm(forms.Form):
    take_over = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_take_over(self):
        # Only staff may take a claim from someone else; for anyone else the field is ignored.
        return self.cleaned_data["take_over"] and self.user.is_staff


class QueueFilterForm(forms.Form):
    # Worded as the rows' status badges: the model's labels.
    STATUS_CHOICES = [
        ("", "Any"),
        *(
            (status.value, status.label)
            for status in (Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW)
        ),
    ]

    # A bad filter is ignored, not refused: its message beside the field says so.
    stage = forms.ChoiceField(
        required=False,
        error_messages={
            "invalid_choice": "Select a valid choice. %(value)s is not one of the available "
            "choices. This filter was ignored."
        },
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": "Select a valid choice. %(value)s is not one of the available "
            "choices. This filter was ignored."
        },
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "Any"), ("project", "Projects"), ("bug-story", "Bug stories")],
        required=False,
        error_messages={
            "invalid_choice": "Select a valid choice. %(value)s is not one of the available "
            "choices. This filter was ignored."
        },
    )
    learner = forms.CharField(
        max_length=150,
        required=False,
        help_text="Part of a username or name.",
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "max_length": "Ensure this value has at most %(limit_value)d characters (it has "
            "%(show_value)d). This filter was ignored."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for both the options and the validation of the chosen slug.
        stages = Stage.objects.order_by("number").values_list("slug", "title")
        self.fields["stage"].choices = [("", "Any"), *stages]

    def filter(self, submissions):
        """Apply the filters that are valid; an invalid one is ignored (its error is shown)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("stage"):
            submissions = submissions.filter(project__stage__slug=data["stage"])
        if data.get("status"):
            submissions = submissions.filter(status=data["status"])
        if data.get("kind"):
            submissions = submissions.filter(project__kind=data["kind"])
        if data.get("learner"):
            term = data["learner"]
            # alias(), not annotate(): the name filters the rows without adding a column.
            submissions = submissions.alias(
                learner_name=Concat("learner__first_name", Value(" "), "learner__last_name")
            ).filter(Q(learner__username__icontains=term) | Q(learner_name__icontains=term))
        return submissions


class CohortGridForm(forms.Form):
    """The cohort grid's GET parameters. An unknown sort is not an error: the default applies.

    A sort is one of SORTS, or a stage's progress: `stage-<number>` (least first) or
    `-stage-<number>`; CohortGrid falls back to the default for a stage not published."""

    sort = forms.CharField(required=False, max_length=20)

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        if sort in SORTS or STAGE_SORT.fullmatch(sort):
            return sort
        raise forms.ValidationError("Not a sort of the grid.")

    def chosen_sort(self) -> str:
        return (self.is_valid() and self.cleaned_data["sort"]) or DEFAULT_SORT


class CohortCsvForm(forms.Form):
    """The CSV's GET parameters: `part=figures` for the figures; anything else, the table."""

    part = forms.ChoiceField(choices=[("table", "table"), ("figures", "figures")], required=False)

    def chosen_part(self) -> str:
        return (self.is_valid() and self.cleaned_data["part"]) or "table"


class MockInterviewForm(forms.Form):
    """The date, the questions asked, and for each interview area a rating (blank: not asked)
    with a note. Fields `rating_<area id>` and `note_<area id>`; area_rows() pairs them."""

    held_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}), help_text="YYYY-MM-DD."
    )
    questions = forms.CharField(
        label="Questions asked",
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown, one question per line or a list.",
        validators=[validate_markdown],
    )

    def __init__(self, *args, areas, learner, cohort, mentor, interview=None, **kwargs):
        self.areas = list(areas)
        self.learner, self.cohort, self.mentor, self.interview = learner, cohort, mentor, interview
        if interview is not None and "initial" not in kwargs:
            initial = {"held_on": interview.held_on, "questions": interview.questions}
            for rating in interview.ratings.all():
                initial[f"rating_{rating.area_id}"] = str(rating.rating)
                initial[f"note_{rating.area_id}"] = rating.note
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for area in self.areas:
            self.fields[f"rating_{area.pk}"] = forms.TypedChoiceField(
                label=f"{area.name}: rating",
                choices=[("", "Not asked")] + list(MockInterviewRating.Rating.choices),
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"note_{area.pk}"] = forms.CharField(
                label=f"{area.name}: note",
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                validators=[validate_markdown],
            )

    def area_rows(self):
        return [(area, self[f"rating_{area.pk}"], self[f"note_{area.pk}"]) for area in self.areas]

    def clean(self):
        cleaned = super().clean()
        for area in self.areas:
            name = f"rating_{area.pk}"
            if (
                cleaned.get(f"note_{area.pk}")
                and cleaned.get(name) is None
                and name not in self.errors
            ):
                self.add_error(name, "Rate this area to keep its note.")
        return cleaned

    def save(self):
        ratings = [
            {
                "area": area,
                "rating": self.cleaned_data[f"rating_{area.pk}"],
                "note": self.cleaned_data[f"note_{area.pk}"],
            }
            for area in self.areas
            if self.cleaned_data.get(f"rating_{area.pk}") is not None
        ]
        return mock_interview_save(
            interview=self.interview,
            learner=self.learner,
            cohort=self.cohort,
            mentor=self.mentor,
            held_on=self.cleaned_data["held_on"],
            questions=self.cleaned_data["questions"],
            ratings=ratings,
        )

    @staticmethod
    def areas_queryset():
        return InterviewArea.objects.order_by("order")


class SignOffForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown: why you consider them ready to apply. Shown on their portfolio.",
        validators=[validate_markdown],
    )

    def __init__(self, *args, learner, cohort, mentor, **kwargs):
        self.learner, self.cohort, self.mentor = learner, cohort, mentor
        super().__init__(*args, **kwargs)

    def save(self):
        return readiness_sign_off(
            learner=self.learner,
            cohort=self.cohort,
            mentor=self.mentor,
            note=self.cleaned_data["note"],
        )
