from django.contrib.postgres.aggregates import StringAgg
from django.db import models
from django.db.models import Count, Prefetch, Q, Subquery, TextField, Value
from django.db.models.functions import MD5, Cast, Coalesce
from django.urls import reverse


class StageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        # Staff preview unpublished (archived) content; everyone else sees only what is live.
        return self if user.is_staff else self.published()

    def for_stage_list(self, user):
        projects = Q() if user.is_staff else Q(projects__is_published=True)
        return self.visible_to(user).annotate(
            objective_count=Count("objectives", distinct=True),
            project_count=Count("projects", filter=projects, distinct=True),
        )

    def for_stage_detail(self, user):
        # One query for the stage's projects whatever their number; the objectives, with the
        # viewer's ticks, are prefetched by learners.selectors.stages_for_detail.
        return self.prefetch_related(
            Prefetch(
                "projects",
                queryset=Project.objects.filter(
                    Q() if user.is_staff else Q(is_published=True)
                ).order_by("order"),
            ),
        )


class Stage(models.Model):
    number = models.PositiveSmallIntegerField(help_text="Position in the roadmap, 1 first.")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, help_text="One line, shown on the roadmap.")
    body = models.TextField(blank=True, help_text="Markdown.")
    is_published = models.BooleanField(
        default=True, help_text="Unpublish to archive: learners stop seeing it, work is kept."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="curriculum_stage_unique_number"),
            models.UniqueConstraint(fields=["slug"], name="curriculum_stage_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="curriculum_stage_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("learners:stage-detail", kwargs={"slug": self.slug})


class Objective(models.Model):
    """A "you are ready to move forward when you can…" line of a stage."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="objectives")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["stage__number", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "order"], name="curriculum_objective_unique_order"
            ),
        ]

    def __str__(self):
        return self.text


class ProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True, stage__is_published=True)

    def visible_to(self, user):
        return self if user.is_staff else self.published()

    def for_project_detail(self):
        return self.select_related("stage")

    def counted(self):
        """The projects a learner's progress counts: required, published, in a published stage."""
        return self.published().filter(is_required=True)


def counted_projects_key():
    """Which projects count towards progress today, as one text expression (the md5 of their
    ids in order) for a query to store beside a count or compare with one it stored.

    Any change to the curriculum that changes what is counted (publishing, archiving, making
    a project required or optional, moving it between stages) changes the key, however it is
    made: admin, load_curriculum or a shell.
    """
    keys = (
        Project.objects.counted()
        .order_by()
        .annotate(everything=Value(1))
        .values("everything")
        .annotate(key=MD5(StringAgg(Cast("pk", TextField()), ",", order_by="pk")))
        .values("key")
    )
    return Coalesce(Subquery(keys), Value(""))


class ProjectKind(models.TextChoices):
    PROJECT = "project", "Project"
    # The learner writes the roadmap's six parts instead of linking a repository; a mentor
    # reviews it through the same queue and states as any submission.
    BUG_STORY = "bug-story", "Bug story"


class Project(models.Model):
    Kind = ProjectKind

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="projects")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, help_text="One line, shown in lists.")
    brief = models.TextField(help_text="Markdown: what to build and why it matters.")
    skills = models.TextField(blank=True, help_text="The skills it demonstrates, one per line.")
    features = models.TextField(blank=True, help_text="The features it must have, one per line.")
    is_required = models.BooleanField(default=True)
    kind = models.CharField(
        max_length=20,
        choices=ProjectKind.choices,
        default=ProjectKind.PROJECT,
        help_text="A bug story is written in the roadmap's six parts, with no repository.",
    )
    order = models.PositiveSmallIntegerField(default=1)
    is_published = models.BooleanField(
        default=True, help_text="Unpublish to archive: learners stop seeing it, work is kept."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["stage__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="curriculum_project_unique_slug"),
            models.CheckConstraint(
                condition=Q(kind__in=ProjectKind.values), name="curriculum_project_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["stage", "order"], name="curriculum_project_unique_order"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("learners:project-detail", kwargs={"slug": self.slug})

    @property
    def is_bug_story(self):
        return self.kind == ProjectKind.BUG_STORY

    @property
    def skill_list(self):
        return [line.strip() for line in self.skills.splitlines() if line.strip()]

    @property
    def feature_list(self):
        return [line.strip() for line in self.features.splitlines() if line.strip()]


class ChecklistItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


# The automated checks a snapshot of a repository gets (learners/checks.py runs them). The keys
# live here, below learners, so a checklist item can name the check that tests it.
class AutomatedCheck(models.TextChoices):
    README = "readme", "README"
    README_SECTIONS = "readme-sections", "README sections"
    TESTS = "tests", "Tests"
    DEPENDENCIES = "dependencies", "Dependencies"
    GITIGNORE = "gitignore", ".gitignore"
    NO_VENV = "no-venv", "No virtual environment or caches"
    NO_SECRETS = "no-secrets", "No secrets"
    ENV_EXAMPLE = "env-example", ".env.example"
    COMMITS = "commits", "Commit messages"
    PYTHON_SYNTAX = "python-syntax", "Python syntax"
    STRUCTURE = "structure", "Folder structure"


class ChecklistItem(models.Model):
    """What a strong project repository shows; learners tick it when they submit."""

    Check = AutomatedCheck

    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=200)
    help = models.TextField(blank=True, max_length=500)
    is_published = models.BooleanField(default=True)
    automated_check = models.CharField(
        "automated check",
        max_length=20,
        choices=AutomatedCheck.choices,
        blank=True,
        help_text="Optional: the automated check whose result is shown beside the learner's tick.",
    )

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["order"], name="curriculum_checklistitem_unique_order"),
            models.UniqueConstraint(fields=["text"], name="curriculum_checklistitem_unique_text"),
            models.CheckConstraint(
                condition=Q(automated_check="") | Q(automated_check__in=AutomatedCheck.values),
                name="curriculum_checklistitem_check_valid",
            ),
        ]

    def __str__(self):
        return self.text


class InterviewArea(models.Model):
    """One of the roadmap's common interview areas ("Python fundamentals", "SQL queries"): what
    a mentor rates in a mock interview."""

    order = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["order"], name="curriculum_interviewarea_unique_order"),
            models.UniqueConstraint(fields=["name"], name="curriculum_interviewarea_unique_name"),
        ]

    def __str__(self):
        return self.name


class ReadinessEvidence(models.TextChoices):
    """What the app already knows that speaks for a readiness statement."""

    NONE = "", "Only the learner's tick"
    APPROVED_PROJECTS = "approved-projects", "Approved projects"
    AUTOMATED_CHECK = "automated-check", "An automated check passed in approved projects"
    BUG_STORY = "bug-story", "An approved bug story"
    MOCK_INTERVIEW = "mock-interview", "Mock-interview ratings in an area"


class ReadinessStatement(models.Model):
    """A line of the roadmap's "How to know you are ready to apply" checklist."""

    Evidence = ReadinessEvidence

    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    evidence = models.CharField(
        max_length=20,
        choices=ReadinessEvidence.choices,
        blank=True,
        help_text="What the learner's readiness page shows beside the statement.",
    )
    automated_check = models.CharField(
        "automated check",
        max_length=20,
        choices=AutomatedCheck.choices,
        blank=True,
        help_text="For automated-check evidence: the check approved projects pass.",
    )
    interview_area = models.ForeignKey(
        InterviewArea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        help_text="For mock-interview evidence: the area whose ratings are shown.",
    )
    is_published = models.BooleanField(default=True)

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], name="curriculum_readinessstatement_unique_order"
            ),
            models.UniqueConstraint(
                fields=["text"], name="curriculum_readinessstatement_unique_text"
            ),
            models.CheckConstraint(
                condition=Q(evidence__in=ReadinessEvidence.values),
                name="curriculum_readinessstatement_evidence_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(evidence="automated-check", automated_check__in=AutomatedCheck.values)
                    | (~Q(evidence="automated-check") & Q(automated_check=""))
                ),
                name="curriculum_readinessstatement_check_iff_evidence",
                violation_error_message="Choose an automated check for automated-check "
                "evidence, and none for any other evidence.",
            ),
            models.CheckConstraint(
                condition=Q(evidence="mock-interview") | Q(interview_area__isnull=True),
                name="curriculum_readinessstatement_area_only_for_interviews",
                violation_error_message="Only mock-interview evidence takes an interview area.",
            ),
        ]

    def __str__(self):
        return self.text
