import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from curriculum.models import ChecklistItem, Objective, Project, ReadinessStatement, Stage
from learners.links import commit_url


def _mentored_cohort_ids(user):
    """The ids of the cohorts `user` mentors, as a subquery: the one definition of it."""
    return Membership.objects.filter(user=user.pk, role=Membership.Role.MENTOR).values("cohort")


class CohortQuerySet(models.QuerySet):
    def mentored_by(self, user):
        return self.filter(pk__in=_mentored_cohort_ids(user))

    def reviewable_by(self, user):
        """The cohorts whose work `user` may oversee and review: staff all, mentors theirs."""
        return self.all() if user.is_staff else self.mentored_by(user)

    def for_learner(self, user):
        return self.filter(memberships__user=user, memberships__role=Membership.Role.LEARNER)


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a time zone name such as Europe/Paris or UTC.",
            params={"value": value},
        )


def default_time_zone():
    """A new cohort's zone: the site's (settings.TIME_ZONE), read when the cohort is made."""
    return settings.TIME_ZONE


class Cohort(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Due dates are days in this zone: a date passes at its midnight here, and reminders and
    # digests go out at REMINDER_HOUR here.
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="An IANA name such as Europe/Paris: due dates and reminders follow it.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="cohorts"
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="learners_cohort_unique_slug"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="learners_cohort_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:cohort-detail", kwargs={"slug": self.slug})

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self, now=None):
        return timezone.localtime(now or timezone.now(), self.zone)

    def today(self, now=None):
        """The date in the cohort's time zone: what "due today" and "late" count from."""
        return self.local_now(now).date()

    @property
    def starts_at(self):
        """The start of its first day in its time zone: no one is idle before it."""
        return datetime.datetime.combine(self.starts_on, datetime.time.min, tzinfo=self.zone)


# The choices live at module level so each model's Meta can name their values in its check
# constraint (a nested class body cannot see the model's own names); use Membership.Role.
class MembershipRole(models.TextChoices):
    LEARNER = "learner", "Learner"
    MENTOR = "mentor", "Mentor"


class Membership(models.Model):
    Role = MembershipRole

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="learners_membership_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values), name="learners_membership_role_valid"
            ),
        ]
        indexes = [
            # "which cohorts does this user mentor / learn in": every access check.
            models.Index(fields=["user", "role"], name="learners_membership_user_role"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) in {self.cohort}"


def waiting_q(prefix=""):
    """SubmissionQuerySet.waiting() as a Q: submitted and not claimed by a mentor yet. The one
    meaning of "waiting" (the queue's count, the cohort list, the overview's figure); a
    claimed submission is "in review"."""
    return Q(**{f"{prefix}status": SubmissionStatus.SUBMITTED})


def approved_required_q(prefix=""):
    """SubmissionQuerySet.approved_required() as a Q, for Count(filter=...); `prefix` is the
    path to the submission ("submissions__")."""
    return Q(
        **{
            f"{prefix}status": SubmissionStatus.APPROVED,
            f"{prefix}project__is_required": True,
            f"{prefix}project__is_published": True,
            f"{prefix}project__stage__is_published": True,
        }
    )


class SubmissionQuerySet(models.QuerySet):
    def reviewable_by(self, user):
        """Submissions `user` may review: staff all, mentors those of the cohorts they mentor."""
        if user.is_staff:
            return self.all()
        return self.filter(cohort__in=_mentored_cohort_ids(user))

    def visible_to(self, user):
        """Submissions `user` may open: their own work, and the work they may review."""
        if user.is_staff:
            return self.all()
        return self.filter(Q(learner=user.pk) | Q(cohort__in=_mentored_cohort_ids(user)))

    def waiting(self):
        """Waiting for a mentor: submitted, not claimed (waiting_q)."""
        return self.filter(waiting_q())

    def approved_required(self):
        """Approved submissions of the projects progress counts (required, published, in a
        published stage): the one definition of "an approved required project"."""
        return self.filter(approved_required_q())

    def with_viewer_is_mentor(self, user):
        """Each row with `viewer_is_mentor`: whether `user` mentors its cohort (no extra query)."""
        mentors = _mentored_cohort_ids(user).filter(cohort=OuterRef("cohort_id"))
        return self.annotate(viewer_is_mentor=Exists(mentors))


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    # The learner took it back before a mentor claimed it; "resubmit" sends it again.
    WITHDRAWN = "withdrawn", "Withdrawn"


class Submission(models.Model):
    Status = SubmissionStatus

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="submissions")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # PROTECT: a claim must have a holder while in review (see the check constraint below), so
    # a mentor holding one is deleted only after the claim is released or handed over.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_submissions",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the newest iteration arrived: the queue waits from here.
    submitted_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "project", "cohort"], name="learners_submission_unique_work"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values),
                name="learners_submission_status_valid",
            ),
            # A submission is claimed exactly while it is in review.
            models.CheckConstraint(
                condition=(
                    Q(status="in_review", claimed_by__isnull=False, claimed_at__isnull=False)
                    | (~Q(status="in_review") & Q(claimed_by__isnull=True, claimed_at__isnull=True))
                ),
                name="learners_submission_claimed_iff_in_review",
            ),
        ]
        indexes = [
            # The mentor queue: a cohort's waiting submissions, oldest first.
            models.Index(fields=["cohort", "status", "submitted_at"], name="learners_sub_queue"),
        ]

    def __str__(self):
        return f"{self.learner} — {self.project}"

    def get_absolute_url(self):
        return reverse("reviews:submission-detail", kwargs={"pk": self.pk})

    @property
    def is_waiting(self):
        """Submitted or in review: waiting for a mentor's verdict."""
        return self.status in (self.Status.SUBMITTED, self.Status.IN_REVIEW)


class Iteration(models.Model):
    """One submission or resubmission of the learner's work."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="iterations")
    number = models.PositiveIntegerField()
    # Blank only for a bug story, which links no repository (the forms require it otherwise).
    repo_url = models.URLField("repository URL", max_length=500, blank=True)
    live_url = models.URLField("live URL", max_length=500, blank=True)
    commit_sha = models.CharField("commit SHA", max_length=40, blank=True)
    notes = models.TextField(blank=True, max_length=20000, help_text="Markdown.")
    checklist_items = models.ManyToManyField(
        ChecklistItem, through="ChecklistTick", related_name="iterations", blank=True
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="learners_iteration_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="learners_iteration_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(commit_sha="") | Q(commit_sha__regex=r"^[0-9a-f]{7,40}$"),
                name="learners_iteration_commit_sha_hex",
            ),
        ]

    def __str__(self):
        return f"{self.submission}, iteration {self.number}"

    @property
    def commit_url(self):
        """The reviewed commit on GitHub or GitLab; None for other hosts or without a SHA."""
        return commit_url(self.repo_url, self.commit_sha)


class ChecklistTick(models.Model):
    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="ticks")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["iteration", "item"], name="learners_checklisttick_unique"
            ),
        ]

    def __str__(self):
        return f"{self.iteration}: {self.item}"


class ObjectiveCheck(models.Model):
    """A learner's own tick on an objective."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="objective_checks"
    )
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "objective"], name="learners_objectivecheck_unique"
            ),
        ]

    def __str__(self):
        return f"{self.learner} ✓ {self.objective}"


class LearnerProgress(models.Model):
    """How many required published projects (of published stages) a learner has approved in a
    cohort: what the cohort grid sorts by, without counting every learner's work per request.

    Written only by learners.services.learner_progress_refresh: inside the transaction that
    approves a submission, and by the overview when the curriculum changed since a row of the
    cohort was counted (`counted_key`, curriculum.models.counted_projects_key). The grid shows
    the counts it reads live; only its order comes from here.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="progress_rows")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_rows"
    )
    approved_required = models.PositiveIntegerField(default=0)
    # The curriculum's counted_projects_key when approved_required was counted.
    counted_key = models.CharField(max_length=32, blank=True)
    # The learner's pace (learners.pacing), so the overview finds those at risk with one
    # indexed read instead of counting every learner's work. `pace_key` is the cohort's
    # calendar (learners.pacing.calendar_key) when they were counted.
    # The earliest date (theirs) of a stage not complete yet; behind once it is past.
    behind_from = models.DateField(null=True, blank=True)
    behind_stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Their latest submission, resubmission, objective tick or reply (or joining the cohort).
    last_active_at = models.DateTimeField(null=True, blank=True)
    # The most "changes requested" on one project of theirs in the cohort, and that project.
    changes_requested_most = models.PositiveIntegerField(default=0)
    changes_requested_project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Every counted stage (learners.progress) complete: nothing left to be idle on.
    all_stages_complete = models.BooleanField(default=False)
    pace_key = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "learner"], name="learners_learnerprogress_unique"
            ),
        ]

    def __str__(self):
        return f"{self.learner} in {self.cohort}: {self.approved_required} approved"


# --- The cohort's calendar -----------------------------------------------------------------


class StageTarget(models.Model):
    """The day by which a cohort's learners should have completed a stage."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="stage_targets")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="cohort_targets")
    due_on = models.DateField("target finish date")

    class Meta:
        ordering = ["cohort", "due_on", "stage__number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "stage"], name="learners_stagetarget_unique"),
        ]

    def __str__(self):
        return f"{self.cohort}: {self.stage} by {self.due_on:%Y-%m-%d}"


class ProjectDueDate(models.Model):
    """An optional day by which a cohort's learners should submit a project."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="project_due_dates")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cohort_due_dates")
    due_on = models.DateField("due date")

    class Meta:
        ordering = ["cohort", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "project"], name="learners_projectduedate_unique"
            ),
        ]

    def __str__(self):
        return f"{self.cohort}: {self.project} by {self.due_on:%Y-%m-%d}"


class Extension(models.Model):
    """One learner's later date for one stage or one project of their cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="extensions")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions"
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="extensions",
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    due_on = models.DateField("new date")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["cohort", "learner", "due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__isnull=True, project__isnull=False)
                | Q(stage__isnull=False, project__isnull=True),
                name="learners_extension_stage_xor_project",
            ),
            models.UniqueConstraint(
                fields=["cohort", "learner", "stage"],
                condition=Q(stage__isnull=False),
                name="learners_extension_unique_stage",
            ),
            models.UniqueConstraint(
                fields=["cohort", "learner", "project"],
                condition=Q(project__isnull=False),
                name="learners_extension_unique_project",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.stage or self.project} by {self.due_on:%Y-%m-%d}"

    def clean(self):
        if (self.stage_id is None) == (self.project_id is None):
            raise ValidationError("An extension is for one stage or one project: choose one.")
        if (
            self.cohort_id
            and self.learner_id
            and not Membership.objects.filter(
                cohort=self.cohort_id, user=self.learner_id, role=Membership.Role.LEARNER
            ).exists()
        ):
            raise ValidationError({"learner": "Only a learner of this cohort can get one."})


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due within two days"
    DUE_PASSED = "due_passed", "Due date passed"
    MENTOR_DIGEST = "mentor_digest", "Mentor's daily digest"


class Reminder(models.Model):
    """One reminder sent: the row that makes each go out once per person, object and day."""

    Kind = ReminderKind

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it is about: "cohort:<id>:stage:<id>", "cohort:<id>:project:<id>", or
    # "cohort:<id>" for a digest.
    about = models.CharField(max_length=40)
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "about", "day"], name="learners_reminder_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="learners_reminder_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.user} about {self.about} on {self.day}"


class SubmissionEventKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    CLAIMED = "claimed", "Claimed"
    RELEASED = "released", "Released"
    LAPSED = "lapsed", "Claim lapsed"
    RENEWED = "renewed", "Claim renewed"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    RESUBMITTED = "resubmitted", "Resubmitted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    TAKEOVER_REQUESTED = "takeover_requested", "Take-over requested"


class SubmissionEventQuerySet(models.QuerySet):
    def for_history(self):
        """Oldest first, with who did it: the submission page's history."""
        return self.select_related("actor").order_by("at", "pk")


class SubmissionEvent(models.Model):
    """One step of a submission's history; append-only, written by learners.services only,
    in the transaction of the transition it records."""

    Kind = SubmissionEventKind

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Who acted: the learner, or the mentor (for a lapse, the mentor whose claim lapsed).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submission_events",
    )
    at = models.DateTimeField(default=timezone.now)

    objects = SubmissionEventQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SubmissionEventKind.values),
                name="learners_submissionevent_kind_valid",
            ),
        ]
        indexes = [
            # A submission's history in order: the submission page and the queue.
            models.Index(fields=["submission", "at"], name="learners_subevent_history"),
            # The cohort overview's turnaround: verdicts and arrivals by kind and time.
            models.Index(fields=["kind", "at"], name="learners_subevent_kind_at"),
        ]

    def __str__(self):
        return f"{self.submission}: {self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self) -> str:
        """get_kind_display() without building the choices' dict each call (history lists)."""
        return self.Kind(self.kind).label


# --- Snapshots of a repository and their automated checks -----------------------------------


class Blob(models.Model):
    """A text file's content, stored once by its git blob SHA and shared by every snapshot
    that has it: a resubmission costs only the files that changed."""

    sha = models.CharField(max_length=40, primary_key=True)
    text = models.TextField()
    size = models.PositiveIntegerField()
    # Highlighted once, by the snapshot job (learners.highlight): escaped HTML, one line per
    # source line, joined by "\n". NULL for a blob stored before highlighting existed; pages
    # then highlight it on the fly (learners.highlight.blob_lines).
    highlighted = models.TextField(null=True, blank=True)
    line_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(sha__regex=r"^[0-9a-f]{40}$"), name="learners_blob_sha_hex"
            ),
        ]

    def __str__(self):
        return self.sha[:12]


class SnapshotStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SnapshotReason(models.TextChoices):
    NOT_FOUND = "not_found", "Not found or private"
    COMMIT_MISSING = "commit_missing", "No such commit"
    TOO_LARGE = "too_large", "Too large"
    TIMED_OUT = "timed_out", "Timed out"
    HOST_NOT_ALLOWED = "host_not_allowed", "Host not allowed"
    FETCH_FAILED = "fetch_failed", "Could not be read"


class Snapshot(models.Model):
    """The repository of one iteration at its commit, fetched by a worker, with its checks."""

    Status = SnapshotStatus
    Reason = SnapshotReason

    # CASCADE: a snapshot is derived from the iteration and can be fetched again.
    iteration = models.OneToOneField(Iteration, on_delete=models.CASCADE, related_name="snapshot")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    message = models.TextField(blank=True)
    # What the learner asked for: a (short) SHA, or "" for the default branch's head.
    requested_sha = models.CharField(max_length=40, blank=True)
    commit_sha = models.CharField(max_length=40, blank=True)
    commits = models.JSONField(default=list, blank=True)
    transferred_bytes = models.PositiveBigIntegerField(default=0)
    # Counts of the checks' results, kept with them: the queue shows them without a join.
    checks_passed = models.PositiveSmallIntegerField(default=0)
    checks_warned = models.PositiveSmallIntegerField(default=0)
    checks_failed = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The number of the earlier iteration whose snapshot has exactly this tree (same paths,
    # same blobs): a resubmission with no code changed. NULL when the code changed.
    unchanged_since = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SnapshotStatus.values), name="learners_snapshot_status_valid"
            ),
            # A failed snapshot says why; the others have no reason.
            models.CheckConstraint(
                condition=(Q(status="failed") & Q(reason__in=SnapshotReason.values))
                | (~Q(status="failed") & Q(reason="")),
                name="learners_snapshot_reason_iff_failed",
            ),
        ]

    def __str__(self):
        return f"Snapshot of {self.iteration} ({self.get_status_display().lower()})"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


class SnapshotFileKind(models.TextChoices):
    TEXT = "text", "Text"
    BINARY = "binary", "Binary"
    TOO_LARGE = "too_large", "Too large to store"
    SYMLINK = "symlink", "Symbolic link"
    SUBMODULE = "submodule", "Submodule"


class SnapshotFile(models.Model):
    Kind = SnapshotFileKind

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    blob_sha = models.CharField(max_length=40)
    # Only text files up to the size limit have their content stored.
    blob = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )

    class Meta:
        ordering = ["snapshot", "path"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "path"], name="learners_snapshotfile_path"),
            models.CheckConstraint(
                condition=Q(kind__in=SnapshotFileKind.values), name="learners_snapshotfile_kind"
            ),
        ]

    def __str__(self):
        return self.path


class CheckResultValue(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warning"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "na", "Not applicable"


class CheckResult(models.Model):
    """One automated check of a snapshot: its result, a sentence and the evidence (file, line,
    the matched text with secrets masked)."""

    Result = CheckResultValue

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="checks")
    key = models.CharField(max_length=20, choices=ChecklistItem.Check.choices)
    position = models.PositiveSmallIntegerField()
    result = models.CharField(max_length=4, choices=Result.choices)
    summary = models.CharField(max_length=500)
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "key"], name="learners_checkresult_key"),
            models.CheckConstraint(
                condition=Q(result__in=CheckResultValue.values),
                name="learners_checkresult_result_valid",
            ),
        ]

    def __str__(self):
        return f"{self.key}: {self.result}"


# --- The end of the roadmap: bug stories, readiness ticks, the portfolio ---------------------


class BugStory(models.Model):
    """The roadmap's six parts of "Tell me about a bug you fixed", as one iteration of a
    submission of a bug-story project: reviewed, resubmitted and approved like any work."""

    iteration = models.OneToOneField(Iteration, on_delete=models.PROTECT, related_name="bug_story")
    bug = models.TextField("What the bug was", max_length=5000, help_text="Markdown.")
    reproduction = models.TextField("How you reproduced it", max_length=5000, help_text="Markdown.")
    cause = models.TextField("What caused it", max_length=5000, help_text="Markdown.")
    fix = models.TextField("How you fixed it", max_length=5000, help_text="Markdown.")
    testing = models.TextField("How you tested the fix", max_length=5000, help_text="Markdown.")
    lesson = models.TextField("What you learned", max_length=5000, help_text="Markdown.")
    # Optional: the learner's own work the bug was in, and where.
    about_submission = models.ForeignKey(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bug_stories_about",
        verbose_name="the submission it was in",
    )
    about_commit = models.CharField("commit of the fix", max_length=40, blank=True)
    about_location = models.CharField(
        "path:line", max_length=520, blank=True, help_text="e.g. tasks/filters.py:12"
    )

    class Meta:
        verbose_name_plural = "bug stories"
        constraints = [
            models.CheckConstraint(
                condition=Q(about_commit="") | Q(about_commit__regex=r"^[0-9a-f]{7,40}$"),
                name="learners_bugstory_commit_hex",
            ),
            models.CheckConstraint(
                condition=Q(about_submission__isnull=False) | Q(about_commit="", about_location=""),
                name="learners_bugstory_link_needs_submission",
            ),
        ]

    def __str__(self):
        return f"Bug story: {self.iteration}"

    PARTS = ("bug", "reproduction", "cause", "fix", "testing", "lesson")

    @property
    def parts(self):
        """(label, text) for the six parts, in the roadmap's order."""
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.PARTS
        ]


class ReadinessTick(models.Model):
    """A learner's own tick on a readiness statement ("You can write basic tests.")."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="readiness_ticks"
    )
    statement = models.ForeignKey(
        ReadinessStatement, on_delete=models.PROTECT, related_name="ticks"
    )
    ticked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "statement"], name="learners_readinesstick_unique"
            ),
        ]

    def __str__(self):
        return f"{self.learner} ✓ {self.statement}"


class Portfolio(models.Model):
    """A learner's public page at /p/<slug>/: off until they publish it."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio"
    )
    slug = models.SlugField(
        "address",
        max_length=60,
        help_text="Your page's address: /p/<address>/. Letters, digits and hyphens; not your "
        "username or e-mail.",
    )
    bio = models.TextField("short bio", max_length=1000, blank=True)
    is_published = models.BooleanField("published", default=False)
    allow_indexing = models.BooleanField("let search engines list it", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="learners_portfolio_unique_slug"),
            models.CheckConstraint(
                condition=Q(slug__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="learners_portfolio_slug_format",
            ),
        ]

    def __str__(self):
        return f"/p/{self.slug}/"

    def get_absolute_url(self):
        return reverse("reviews:portfolio", kwargs={"slug": self.slug})
