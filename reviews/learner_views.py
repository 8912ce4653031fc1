from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from curriculum.models import Project
from learners.access import get_submission_for_user
from learners.forms import BugStoryForm, SubmissionEditForm, SubmissionForm
from learners.models import Submission
from learners.pacing import learner_schedule
from learners.selectors import (
    learner_current_cohort,
    learner_dashboard,
    submission_history,
    submission_iterations,
)
from learners.services import RESUBMITTABLE, TransitionError, submission_withdraw
from reviews.forms import CommentReplyForm, ReplyForm
from reviews.readiness import readiness_for_dashboard
from reviews.selectors import (
    published_reviews_for,
    replies_for,
    submission_latest_review,
    with_changes_bases,
)


@login_required
@require_GET
def dashboard(request):
    if not request.roles.is_learner:
        return redirect("home")
    # Progress counts the work of the learner's current cohort, as its mentors' grid does.
    cohort = learner_current_cohort(learner=request.user)
    schedule = learner_schedule(learner=request.user, cohort=cohort) if cohort else None
    dashboard = learner_dashboard(learner=request.user, cohort=cohort, schedule=schedule)
    return render(
        request,
        "reviews/dashboard.html",
        {
            "cohort": cohort,
            "progress": dashboard.progress,
            "overall": dashboard.overall,
            "submissions": dashboard.submissions,
            "project_dates": dashboard.project_dates,
            "next_step": dashboard.next_step,
            "readiness": readiness_for_dashboard(learner=request.user, cohort=cohort),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_create(request, slug):
    project = get_object_or_404(Project.objects.published().select_related("stage"), slug=slug)
    cohort = learner_current_cohort(learner=request.user)
    if cohort is None:
        raise Http404("Only learners in a cohort submit projects.")
    existing = Submission.objects.filter(
        learner=request.user, project=project, cohort=cohort
    ).first()
    if existing is not None and existing.status == Submission.Status.WITHDRAWN:
        return redirect("reviews:submission-resubmit", pk=existing.pk)
    if existing is not None:
        messages.info(request, f"You have already submitted {project.title}; here it is.")
        return redirect(existing)
    form = _form_class(project)(
        request.POST if request.method == "POST" else None,
        project=project,
        learner=request.user,
        cohort=cohort,
    )
    if request.method == "POST" and form.is_valid():
        submission = form.save()
        messages.success(
            request,
            f"{project.title} is submitted. A mentor of {cohort.name} will review it; "
            "you will get an e-mail when the review is published.",
        )
        return redirect(submission)
    return render(
        request,
        _form_template(project),
        {"form": form, "project": project, "cohort": cohort, "submission": None},
    )


def _form_class(project):
    """A bug story is written in six parts; every other project links a repository."""
    return BugStoryForm if project.is_bug_story else SubmissionForm


def _form_template(project):
    return "reviews/bug_story_form.html" if project.is_bug_story else "reviews/submission_form.html"


@login_required
@require_http_methods(["GET", "POST"])
def submission_resubmit(request, pk):
    submission = get_submission_for_user(request.user, pk)
    if submission.learner_id != request.user.pk:
        raise Http404
    if submission.status not in RESUBMITTABLE:
        messages.info(request, _not_resubmittable(submission))
        return redirect(submission)
    form = _form_class(submission.project)(
        request.POST if request.method == "POST" else None,
        project=submission.project,
        learner=request.user,
        submission=submission,
        initial=_initial_from_latest(submission) if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except TransitionError as error:  # a second click, after the first reopened it
            messages.info(request, str(error))
            return redirect(submission)
        messages.success(
            request, f"Your new iteration of {submission.project.title} is back in the queue."
        )
        return redirect(submission)
    return render(
        request,
        _form_template(submission.project),
        {
            "form": form,
            "project": submission.project,
            "cohort": submission.cohort,
            "submission": submission,
            "review": submission_latest_review(submission=submission),
        },
    )


def _get_own_submission(request, pk) -> Submission:
    submission = get_submission_for_user(request.user, pk)
    if submission.learner_id != request.user.pk:
        raise Http404
    return submission


@login_required
@require_http_methods(["GET", "POST"])
def submission_edit(request, pk):
    submission = _get_own_submission(request, pk)
    if submission.status != Submission.Status.SUBMITTED:
        messages.info(request, _not_editable(submission))
        return redirect(submission)
    if submission.project.is_bug_story:
        # The edit form changes a repository link; a bug story has none.
        messages.info(
            request,
            "A bug story is not edited here: withdraw it and write it again, or revise it "
            "when your mentor asks for changes.",
        )
        return redirect(submission)
    latest = submission.iterations.order_by("-number").first()
    form = SubmissionEditForm(
        request.POST if request.method == "POST" else None,
        submission=submission,
        initial=SubmissionEditForm.initial_from(latest),
    )
    if request.method == "POST" and form.is_valid():
        try:
            iteration = form.save()
        except TransitionError as error:  # a mentor claimed it meanwhile
            messages.error(request, str(error))
            return redirect(submission)
        replaced = (iteration.repo_url, iteration.commit_sha) != (
            latest.repo_url,
            latest.commit_sha,
        )
        if iteration.number == latest.number and replaced:
            messages.success(
                request,
                f"Iteration {iteration.number} now has the new repository or commit; its "
                "automated checks are running.",
            )
        elif iteration.number == latest.number:
            messages.success(request, f"Iteration {iteration.number} is updated.")
        else:
            messages.success(
                request,
                f"The new repository or commit is iteration {iteration.number}; its automated "
                "checks are running.",
            )
        return redirect(submission)
    return render(
        request,
        "reviews/submission_edit.html",
        {
            "form": form,
            "submission": submission,
            "project": submission.project,
            "latest": latest,
            # Read or drafted on by a mentor: a new commit becomes a new iteration.
            "latest_is_read": latest.reviews.exists(),
        },
    )


@login_required
@require_POST
def withdraw(request, pk):
    submission = _get_own_submission(request, pk)
    try:
        submission_withdraw(submission=submission)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{submission.project.title} is withdrawn: no mentor will review it. Resubmit it "
            "when you are ready.",
        )
    return redirect(submission)


def _not_editable(submission: Submission) -> str:
    if submission.status == Submission.Status.IN_REVIEW:
        return (
            "A mentor is reviewing this submission, so it can no longer be changed; you can "
            "resubmit if they request changes."
        )
    return (
        f"This submission is {submission.get_status_display().lower()}; only work waiting "
        "unclaimed can be changed."
    )


def _not_resubmittable(submission: Submission) -> str:
    Status = Submission.Status
    return {
        Status.SUBMITTED: "This submission is waiting for a mentor; you can resubmit once a "
        "mentor has requested changes.",
        Status.IN_REVIEW: "A mentor is reviewing this submission right now; you can resubmit "
        "if they request changes.",
        Status.APPROVED: "This submission is approved; there is nothing to resubmit.",
    }.get(submission.status, "You can resubmit only after a mentor has requested changes.")


def _initial_from_latest(submission: Submission) -> dict:
    latest = submission.iterations.order_by("-number").select_related("bug_story").first()
    if latest is None:
        return {}
    if submission.project.is_bug_story:
        # The story as it was: the learner revises it rather than starting again.
        story = getattr(latest, "bug_story", None)
        if story is None:
            return {}
        initial = {name: getattr(story, name) for name in story.PARTS}
        initial.update(
            about_submission=story.about_submission_id,
            about_commit=story.about_commit,
            about_location=story.about_location,
        )
        return initial
    # The links and the ticks usually stay between iterations (an empty checklist would read as
    # a regression to the mentor); the SHA and notes are new each time.
    return {
        "repo_url": latest.repo_url,
        "live_url": latest.live_url,
        "checklist": list(latest.checklist_items.values_list("pk", flat=True)),
    }


def _id_in(query, name) -> int | None:
    value = query.get(name, "")
    # isascii: "²" is a digit to str.isdigit() but not to int().
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@login_required
@require_GET
def submission_detail(request, pk):
    submission = get_submission_for_user(request.user, pk)
    # The newest review in full; an earlier one when its line's link asks for it.
    reviews = published_reviews_for(submission, in_full=_id_in(request.GET, "review"))
    return render(
        request,
        "reviews/submission_detail.html",
        {
            "submission": submission,
            # Each with the iteration its changes link compares it with (no query).
            "iterations": with_changes_bases(
                submission_iterations(submission=submission), reviews=reviews
            ),
            "history": submission_history(submission=submission),
            "is_learner": submission.learner_id == request.user.pk,
            "is_mentor": submission.viewer_is_mentor,
            # Staff may review (and take over claims) in any cohort.
            "can_review": submission.viewer_is_mentor or request.user.is_staff,
            "can_resubmit": (
                submission.learner_id == request.user.pk and submission.status in RESUBMITTABLE
            ),
            # Until a mentor claims it, its learner may still change or take it back.
            "can_edit": (
                submission.learner_id == request.user.pk
                and submission.status == Submission.Status.SUBMITTED
            ),
            # The learner until a mentor claims it; its reviewers at any time.
            "can_rerun_checks": submission.viewer_is_mentor
            or request.user.is_staff
            or (
                submission.learner_id == request.user.pk
                and submission.status == Submission.Status.SUBMITTED
            ),
            # Four queries whatever the number of reviews, comments and answers; the replies one.
            "reviews": reviews,
            "threads": True,
            "answer_form": CommentReplyForm.for_answer_link(
                request.GET,
                reviews=[review for review in reviews if review.in_full],
                author=request.user,
                back="submission",
                session=request.session,
            ),
            "posted_answer": CommentReplyForm.posted_in(request.GET),
            "replies": replies_for(submission),
            "reply_form": ReplyForm.for_conversation(
                request.session, submission=submission, author=request.user
            ),
        },
    )
