import re
from email.utils import getaddresses

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from bootcamp.forms import MarkdownTextarea
from bootcamp.markdown import validate_markdown
from curriculum.models import ChecklistItem
from learners.links import has_hidden_characters, names_repository, port_in_range
from learners.models import BugStory, Cohort, Membership, Portfolio, Snapshot, Submission
from learners.services import (
    InvitationNotPending,
    MoveRefused,
    cohort_invitation_resend,
    cohort_invite,
    learner_move,
    portfolio_save,
    submission_create,
    submission_edit,
    submission_resubmit,
)

URL_MAX_LENGTH = 500
NOTES_MAX_LENGTH = 20_000
INVITE_MAX_ADDRESSES = 200
User = get_user_model()
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
_SHA = re.compile(r"^[0-9a-f]{7,40}$")
_http_url = URLValidator(schemes=["http", "https"])


def clean_link(value: str) -> str:
    """An absolute http(s) link, or a ValidationError that says what is wrong with it."""
    value = value.strip()
    if not value:
        return value
    if has_hidden_characters(value):
        raise ValidationError(
            "This link contains invisible or control characters (they can disguise where it "
            "leads); type it again or copy it from your browser's address bar.",
            code="hidden_characters",
        )
    # Read the scheme by hand: urlsplit() raises on some malformed input (e.g. "http://[").
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in {"http", "https"}:
        raise ValidationError(
            "Use a web link that starts with https:// (or http://), "
            "for example https://github.com/you/project.",
            code="scheme",
        )
    try:
        _http_url(value)
    except ValidationError:
        raise ValidationError(
            "This does not look like a complete web address; copy it from your browser's "
            "address bar.",
            code="invalid",
        ) from None
    if not port_in_range(value):
        raise ValidationError(
            "The port after the host name must be a number from 1 to 65535.", code="port"
        )
    return value


def clean_repository_link(value: str) -> str:
    """clean_link, and on GitHub or GitLab the URL must name a repository, not a profile."""
    value = clean_link(value)
    if value and not names_repository(value):
        raise ValidationError(
            "This is a profile or group page, not a repository: the address must name the "
            "repository too, for example https://github.com/you/project.",
            code="not_a_repository",
        )
    return value


class ChecklistField(forms.ModelMultipleChoiceField):
    """Each item's help text shows under its label, inside it: crispy writes the choices."""

    def label_from_instance(self, obj):
        if not obj.help:
            return obj.text
        return format_html('{}<span class="d-block form-text mt-0">{}</span>', obj.text, obj.help)


class SubmissionForm(forms.Form):
    repo_url = forms.CharField(
        label="Repository URL",
        max_length=URL_MAX_LENGTH,
        help_text="The public GitHub or GitLab repository, e.g. https://github.com/you/project.",
        widget=forms.URLInput(attrs={"autocomplete": "url", "inputmode": "url"}),
    )
    live_url = forms.CharField(
        label="Live URL",
        max_length=URL_MAX_LENGTH,
        required=False,
        help_text="Optional: where the project runs, if it is deployed.",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    commit_sha = forms.CharField(
        label="Commit SHA",
        required=False,
        help_text="Optional: the commit to review (7 to 40 characters, from git log). "
        "Lets the mentor link comments to exact lines.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    notes = forms.CharField(
        label="Notes for your mentor",
        max_length=NOTES_MAX_LENGTH,
        required=False,
        help_text="Optional, Markdown: what you want feedback on, what you know is unfinished.",
        widget=MarkdownTextarea(attrs={"rows": 6}),
        validators=[validate_markdown],
    )
    checklist = ChecklistField(
        label="Repository checklist",
        queryset=ChecklistItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick what your repository already shows.",
    )
    # Shown on a resubmission whose SHA is the last iteration's (see clean()).
    confirm_same_commit = forms.BooleanField(
        label="Yes, send this same commit again",
        required=False,
        help_text="The mentor has already reviewed exactly this code.",
    )

    def __init__(self, *args, project, learner, cohort=None, submission=None, **kwargs):
        self.project = project
        self.learner = learner
        self.cohort = cohort
        self.submission = submission
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = ChecklistItem.objects.published()
        self.asks_same_commit = False

    # A resubmission of the reviewed commit asks for confirmation; an edit of the waiting
    # iteration (SubmissionEditForm) keeps its own commit as a matter of course.
    checks_same_commit = True

    def clean(self):
        cleaned = super().clean()
        sha = cleaned.get("commit_sha")
        if not self.checks_same_commit or self.submission is None or not sha:
            return cleaned
        latest = self.submission.iterations.order_by("-number").first()
        reviewed = (latest.commit_sha or "").lower() if latest else ""
        # Either may be short: the learner's 7 characters, the snapshot's full 40.
        if reviewed and (reviewed.startswith(sha) or sha.startswith(reviewed)):
            self.asks_same_commit = True
            if not cleaned.get("confirm_same_commit"):
                self.add_error(
                    "confirm_same_commit",
                    f"This is the code the mentor already reviewed: iteration {latest.number} "
                    f"was commit {reviewed[:12]}. Push your changes and give the new commit's "
                    "SHA, or tick the box to send the same commit again.",
                )
        return cleaned

    def clean_repo_url(self):
        # Any host is accepted: the worker fetches only from REPOSITORY_HOSTS (or loopback
        # when allowed), and tells the learner plainly when a host is not one of them.
        return clean_repository_link(self.cleaned_data["repo_url"])

    def clean_live_url(self):
        return clean_link(self.cleaned_data["live_url"])

    def clean_commit_sha(self):
        sha = self.cleaned_data["commit_sha"].strip().lower()
        if sha and not _SHA.match(sha):
            raise ValidationError(
                "A commit SHA is 7 to 40 characters, digits 0-9 and letters a-f only "
                "(copy it from git log or the repository's commit list).",
                code="sha",
            )
        return sha

    def save(self):
        fields = {
            "repo_url": self.cleaned_data["repo_url"],
            "live_url": self.cleaned_data["live_url"],
            "commit_sha": self.cleaned_data["commit_sha"],
            "notes": self.cleaned_data["notes"],
            "checklist_items": list(self.cleaned_data["checklist"]),
        }
        if self.submission is not None:
            return submission_resubmit(submission=self.submission, **fields)
        return submission_create(
            learner=self.learner, project=self.project, cohort=self.cohort, **fields
        )


class SubmissionEditForm(SubmissionForm):
    """The latest iteration while it waits unclaimed: the notes and live URL change in place, a
    new repository or commit makes a new iteration (the checklist stays as ticked)."""

    checks_same_commit = False

    def __init__(self, *args, submission, **kwargs):
        super().__init__(
            *args,
            project=submission.project,
            learner=submission.learner,
            submission=submission,
            **kwargs,
        )
        del self.fields["checklist"]
        del self.fields["confirm_same_commit"]

    @classmethod
    def initial_from(cls, iteration) -> dict:
        return {
            "repo_url": iteration.repo_url,
            "live_url": iteration.live_url,
            "commit_sha": iteration.commit_sha,
            "notes": iteration.notes,
        }

    def save(self):
        return submission_edit(
            submission=self.submission,
            repo_url=self.cleaned_data["repo_url"],
            live_url=self.cleaned_data["live_url"],
            commit_sha=self.cleaned_data["commit_sha"],
            notes=self.cleaned_data["notes"],
        )


class LearnerMoveForm(forms.Form):
    """Staff defer a learner to another cohort, their work with them."""

    to_cohort = forms.ModelChoiceField(
        label="Move to",
        queryset=Cohort.objects.none(),
        help_text="Their submissions, reviews and history move with them.",
    )

    def __init__(self, *args, membership, actor, **kwargs):
        self.membership = membership
        self.actor = actor
        super().__init__(*args, **kwargs)
        self.fields["to_cohort"].queryset = Cohort.objects.exclude(pk=membership.cohort_id)

    def save(self):
        """The MoveResult, or None with the reason in the form's errors."""
        try:
            return learner_move(
                membership=self.membership,
                to_cohort=self.cleaned_data["to_cohort"],
                actor=self.actor,
            )
        except MoveRefused as refusal:
            self.add_error("to_cohort", str(refusal))
            return None


def _invitees(text: str) -> list[tuple[str, str]]:
    """(name, address) pairs from the invite box: "Ada Lovelace <ada@example.com>" lines, or
    bare addresses separated by commas, semicolons, spaces or new lines."""
    people = []
    for line in text.splitlines():
        if "<" in line:
            people.extend(getaddresses([line.replace(";", ",")]))
        else:
            people.extend(("", address) for address in re.split(r"[\s,;]+", line))
    return [(name.strip(), address.strip().lower()) for name, address in people if address]


_LOCATION = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>[1-9][0-9]{0,6})$")


class BugStoryForm(forms.ModelForm):
    """A bug story in the roadmap's six parts, optionally tied to the learner's own submission
    and a commit or a path:line of it; its save() submits it like any work."""

    class Meta:
        model = BugStory
        fields = [*BugStory.PARTS, "about_submission", "about_commit", "about_location"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in BugStory.PARTS}
        help_texts = {name: "Markdown." for name in BugStory.PARTS}

    def __init__(self, *args, project, learner, cohort=None, submission=None, **kwargs):
        self.project = project
        self.learner = learner
        self.cohort = cohort
        self.submission = submission
        super().__init__(*args, **kwargs)
        for name in BugStory.PARTS:
            self.fields[name].validators.append(validate_markdown)
        linkable = self.fields["about_submission"]
        linkable.queryset = (
            Submission.objects.filter(learner=learner)
            .exclude(project__kind=project.Kind.BUG_STORY)
            .select_related("project")
            .order_by("project__stage__number", "project__order")
        )
        linkable.label_from_instance = lambda submission: submission.project.title
        linkable.required = False
        linkable.help_text = "Optional: the project the bug was in."
        self.fields[
            "about_commit"
        ].help_text = "Optional, with a submission: the commit that fixed it (7 to 40 characters)."
        self.fields["about_location"].help_text = (
            "Optional, with a submission: where the bug was, as path:line "
            "(e.g. tasks/filters.py:12)."
        )

    def clean_about_commit(self):
        sha = self.cleaned_data["about_commit"].strip().lower()
        if sha and not _SHA.match(sha):
            raise ValidationError(
                "A commit SHA is 7 to 40 characters, digits 0-9 and letters a-f only.",
                code="sha",
            )
        return sha

    def clean_about_location(self):
        value = self.cleaned_data["about_location"].strip()
        if value and (has_hidden_characters(value) or not _LOCATION.match(value)):
            raise ValidationError(
                "Write the place as path:line, e.g. tasks/filters.py:12.", code="location"
            )
        return value

    def clean(self):
        cleaned = super().clean()
        about = cleaned.get("about_submission")
        if not about and (cleaned.get("about_commit") or cleaned.get("about_location")):
            raise ValidationError(
                "Choose the submission the bug was in to link a commit or a path:line.",
                code="link_needs_submission",
            )
        location = cleaned.get("about_location")
        if about and location:
            self._check_location_in_snapshot(about, location)
        return cleaned

    def _check_location_in_snapshot(self, submission, location):
        """When the submission's latest snapshot was read, the path must be one of its files.
        Two queries."""
        latest = submission.iterations.order_by("-number").first()
        snapshot = Snapshot.objects.filter(iteration=latest, status=Snapshot.Status.READY).first()
        path = location.rpartition(":")[0]
        if snapshot is not None and not snapshot.files.filter(path=path).exists():
            self.add_error(
                "about_location",
                ValidationError(
                    f"{path} is not a file of {submission.project.title} at its latest iteration.",
                    code="not_in_snapshot",
                ),
            )

    def _post_clean(self):
        # The iteration does not exist yet: the service validates the full row.
        pass

    def save(self, commit=True):
        story = {name: self.cleaned_data[name] for name in self._meta.fields}
        if self.submission is not None:
            return submission_resubmit(submission=self.submission, bug_story=story)
        return submission_create(
            learner=self.learner, project=self.project, cohort=self.cohort, bug_story=story
        )


class TickForm(forms.Form):
    """A learner's tick on a readiness statement: the state to set, not a toggle."""

    done = forms.TypedChoiceField(
        choices=[("1", "Done"), ("0", "Not done")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )


_PORTFOLIO_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class PortfolioForm(forms.ModelForm):
    # A plain text field: clean_slug words the rule (the model's validator would name
    # underscores, which the address may not have).
    slug = forms.CharField(
        label="Address",
        max_length=60,
        help_text=Portfolio._meta.get_field("slug").help_text
        + " Changing it retires the old address at once: links you have shared stop working.",
    )

    class Meta:
        model = Portfolio
        fields = ["slug", "bio", "is_published", "allow_indexing"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "bio": "Optional, a few plain sentences about you (up to 1,000 characters).",
            "is_published": "Off by default. When on, anyone with the link sees your name, "
            "this bio, your approved projects with their links and automated checks, and "
            "your mentor's sign-off. Nothing else.",
            "allow_indexing": "Off: the page asks search engines not to list it.",
        }

    def __init__(self, *args, learner, **kwargs):
        self.learner = learner
        super().__init__(*args, **kwargs)

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if not _PORTFOLIO_SLUG.match(slug):
            raise ValidationError(
                "Use only letters, digits and single hyphens between them: no spaces, underscores "
                "or other signs.",
                code="slug",
            )
        private = {self.learner.username.lower(), self.learner.email.lower()}
        local_part = self.learner.email.split("@")[0].lower()
        if slug in private or (local_part and slug == local_part):
            raise ValidationError(
                "Choose an address that is not your username or e-mail: the page is public.",
                code="private",
            )
        taken = Portfolio.objects.filter(slug=slug).exclude(learner=self.learner)
        if taken.exists():
            raise ValidationError("That address is taken; choose another.", code="taken")
        return slug

    def _post_clean(self):
        # The service validates the whole row; the unique slug is checked above and, for a
        # race, by the database.
        pass

    def save(self, commit=True):
        return portfolio_save(learner=self.learner, **self.cleaned_data)


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="People to invite",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One per line, with the name: Ada Lovelace <ada@example.com>. A bare address "
        "works too (the person has no name on the site until they give one). At most "
        f"{INVITE_MAX_ADDRESSES}.",
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.LEARNER)

    def __init__(self, *args, cohort, **kwargs):
        self.cohort = cohort
        super().__init__(*args, **kwargs)

    def clean_emails(self):
        people = _invitees(self.cleaned_data["emails"])
        # The first name given for an address wins; a later bare mention keeps it.
        self.names = {}
        for name, address in people:
            if name and address not in self.names:
                self.names[address] = name
        hidden = [name for name in self.names.values() if has_hidden_characters(name)]
        if hidden:
            raise ValidationError(
                "These names contain invisible or control characters; type them again: %(names)s",
                code="hidden_characters",
                params={"names": ", ".join(repr(name) for name in hidden)},
            )
        addresses = list(dict.fromkeys(address for _name, address in people))
        if not addresses:
            raise ValidationError("Enter at least one e-mail address.", code="empty")
        if len(addresses) > INVITE_MAX_ADDRESSES:
            raise ValidationError(
                f"At most {INVITE_MAX_ADDRESSES} addresses at a time (you entered "
                f"{len(addresses)}).",
                code="too_many",
            )
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(
                "These are not valid e-mail addresses: %(bad)s",
                code="invalid",
                params={"bad": ", ".join(bad)},
            )
        # validate_email allows 320 characters; an account's e-mail field holds fewer.
        too_long = [address for address in addresses if len(address) > EMAIL_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                "These addresses are longer than %(max)s characters, the most an account can "
                "hold: %(long)s",
                code="too_long",
                params={"max": EMAIL_MAX_LENGTH, "long": ", ".join(too_long)},
            )
        return addresses

    def save(self):
        return cohort_invite(
            cohort=self.cohort,
            emails=self.cleaned_data["emails"],
            role=self.cleaned_data["role"],
            names=self.names,
        )


class InvitationResendForm(forms.Form):
    """Staff's "Resend" beside someone who has not chosen a password yet."""

    resend = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, cohort, **kwargs):
        self.cohort = cohort
        super().__init__(*args, **kwargs)
        self.fields["resend"].queryset = pending_invitees(cohort)
        self.fields["resend"].error_messages["invalid_choice"] = (
            "That person has chosen a password already or is not invited to this cohort."
        )

    def save(self):
        """The user sent a fresh link, or None with the reason in the form's errors (they
        chose a password since the form was checked)."""
        user = self.cleaned_data["resend"]
        try:
            cohort_invitation_resend(cohort=self.cohort, user=user)
        except InvitationNotPending as refusal:
            self.add_error("resend", str(refusal))
            return None
        return user


def pending_invitees(cohort):
    """People in the cohort who have not chosen a password yet (an invitation is waiting)."""
    return (
        User.objects.filter(memberships__cohort=cohort, is_active=True)
        .filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .order_by("email", "pk")
    )


class ObjectiveCheckForm(forms.Form):
    """A learner's tick: `done` says the state to set (not "toggle"), so a double click is
    harmless; `next` is kept only when it stays on this site."""

    done = forms.TypedChoiceField(
        choices=[("1", "Done"), ("0", "Not done")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    next = forms.CharField(required=False, max_length=URL_MAX_LENGTH, widget=forms.HiddenInput)

    def __init__(self, *args, allowed_hosts, require_https, **kwargs):
        self.allowed_hosts = allowed_hosts
        self.require_https = require_https
        super().__init__(*args, **kwargs)

    def clean_next(self):
        value = self.cleaned_data["next"]
        if url_has_allowed_host_and_scheme(
            value, allowed_hosts=self.allowed_hosts, require_https=self.require_https
        ):
            return value
        return ""  # an off-site or malformed target: the view falls back to the stage

    @classmethod
    def for_objective(cls, request, objective) -> "ObjectiveCheckForm":
        """The stage page's form for one objective: it sets the other state, then returns to
        the objective's row. No ids: the page holds one such form per objective."""
        return cls(
            initial={
                "done": "0" if objective.is_done else "1",
                "next": f"{request.get_full_path()}#objective-{objective.pk}",
            },
            auto_id=False,
            allowed_hosts={request.get_host()},
            require_https=request.is_secure(),
        )
