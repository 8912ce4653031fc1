from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bootcamp.people import display_name
from learners.access import get_submission_for_user
from learners.models import Submission
from learners.selectors import learner_progress as progress_for
from learners.selectors import progress_overall
from learners.services import TransitionError, submission_claim, submission_release
from reviews import selectors
from reviews.access import get_learner_for_reviewer, get_submission_for_reviewer, require_reviewer
from reviews.forms import (
    COMMENT_PREFIX,
    ClaimForm,
    CommentFormSet,
    QueueFilterForm,
    ReplyForm,
    ReviewForm,
)
from reviews.services import ReviewError

QUEUE_PAGE_SIZE = 25


@login_required
@require_safe
def queue(request):
    require_reviewer(request.user)
    now = timezone.now()
    form = QueueFilterForm(request.GET or None)
    submissions = selectors.for_queue(request.user, now=now)
    if form.is_bound:
        submissions = form.filter(submissions)
    page = Paginator(submissions, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/queue.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.queue_counts(request.user, now=now),
            "now": now,
            "overdue_hours": settings.REVIEW_OVERDUE_HOURS,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def claim(request, pk):
    submission = get_submission_for_reviewer(request.user, pk)
    form = ClaimForm(request.POST, user=request.user)
    take_over = form.is_valid() and form.cleaned_data["take_over"]
    try:
        claimed = submission_claim(submission=submission, mentor=request.user, take_over=take_over)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("reviews:queue")
    # A take-over finds nothing to take when the holder releases the claim meanwhile; the
    # service then returns the submission as it is, so look before announcing success.
    if claimed.status != Submission.Status.IN_REVIEW or claimed.claimed_by_id != request.user.pk:
        messages.warning(request, _claim_missed(claimed))
        return redirect("reviews:queue")
    messages.success(request, f"You are reviewing {submission}. No one else can claim it now.")
    return redirect("reviews:review", pk=submission.pk)


def _claim_missed(submission: Submission) -> str:
    if submission.status == Submission.Status.SUBMITTED:
        return (
            f"The claim on {submission} was released before you could take it over; "
            "it is waiting in the queue. Claim it there to review it."
        )
    if submission.status == Submission.Status.IN_REVIEW:
        return f"{display_name(submission.claimed_by)} is reviewing {submission} now."
    return f"{submission} is {submission.get_status_display().lower()} now; nothing to claim."


@login_required
@require_POST
def release(request, pk):
    submission = get_submission_for_reviewer(request.user, pk)
    try:
        submission_release(submission=submission, mentor=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{submission} is back in the queue for any mentor.")
    return redirect("reviews:queue")


def _comment_initial(draft):
    if draft is None:
        return []
    return [
        {"path": comment.path, "line": comment.line, "body": comment.body}
        for comment in draft.comments.all()
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, pk):
    submission = get_submission_for_reviewer(request.user, pk)
    iterations = selectors.iterations_for_review_page(submission)
    if not iterations:
        raise Http404  # a submission always has its first iteration; without one, nothing to see
    iteration = iterations[0]
    holds_claim = (
        submission.status == Submission.Status.IN_REVIEW
        and submission.claimed_by_id == request.user.pk
    )

    if request.method == "POST":
        if not holds_claim:
            if selectors.published_review_by(iteration=iteration, mentor=request.user):
                messages.info(request, "Your review of this iteration is already published.")
                return redirect(submission.get_absolute_url())
            messages.error(request, "Claim this submission before reviewing it; nothing was saved.")
            return redirect("reviews:review", pk=submission.pk)
        form = ReviewForm(request.POST, iteration=iteration, mentor=request.user)
        formset = CommentFormSet(request.POST, prefix=COMMENT_PREFIX)
        if form.is_valid() and formset.is_valid():
            publish = "publish" in request.POST
            try:
                form.save(comments=formset.comments(), publish=publish)
            except (ReviewError, TransitionError) as error:
                messages.error(request, str(error))
                return redirect("reviews:review", pk=submission.pk)
            except ValidationError as error:
                # A rule the forms do not repeat (a model constraint): the service rolled
                # back, so show it above the form with everything the mentor typed.
                form.add_error(None, error.messages)
            else:
                if publish:
                    messages.success(
                        request, "Your review is published; the learner has been told."
                    )
                    return redirect(submission.get_absolute_url())
                messages.success(request, "Draft saved. Only you can see it until you publish.")
                return redirect("reviews:review", pk=submission.pk)
    else:
        draft = selectors.draft_for(iteration=iteration, mentor=request.user)
        initial = {"summary": draft.summary, "verdict": draft.verdict} if draft else None
        form = ReviewForm(initial=initial, iteration=iteration, mentor=request.user)
        formset = CommentFormSet(initial=_comment_initial(draft), prefix=COMMENT_PREFIX)

    return render(
        request,
        "reviews/review.html",
        {
            "submission": submission,
            "iteration": iteration,
            "earlier_iterations": iterations[1:],
            "checklist": selectors.checklist_for(iteration),
            "holds_claim": holds_claim,
            "form": form,
            "formset": formset,
        },
    )


@login_required
@require_safe
def learner_progress(request, cohort_pk, learner_pk):
    cohort, learner = get_learner_for_reviewer(
        request.user, cohort_pk=cohort_pk, learner_pk=learner_pk
    )
    progress = progress_for(learner=learner, cohort=cohort)
    return render(
        request,
        "reviews/learner_progress.html",
        {
            "cohort": cohort,
            "learner": learner,
            "progress": progress,
            "overall": progress_overall(progress),
            "submissions": selectors.submissions_of_learner(cohort=cohort, learner=learner),
        },
    )


@login_required
@require_POST
def reply_create(request, pk):
    submission = get_submission_for_user(request.user, pk)
    form = ReplyForm(request.POST, submission=submission, author=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, "Your reply is posted.")
    else:
        # The submission page shows the text again with the error beside the field.
        form.keep_rejected(request.session)
    return redirect(f"{submission.get_absolute_url()}#conversation")
