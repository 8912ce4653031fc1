from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from bootcamp.people import display_name
from learners.access import get_submission_for_user, reviewer_required
from learners.claims import claim_expires_at
from learners.models import Submission
from learners.selectors import checks_to_look_at
from learners.services import (
    TransitionError,
    submission_claim,
    submission_claim_renew,
    submission_release,
    submission_takeover_request,
)
from reviews import selectors
from reviews.forms import (
    COMMENT_PREFIX,
    ClaimForm,
    CommentFormSet,
    CommentReplyForm,
    QueueFilterForm,
    ReplyForm,
    ReviewForm,
)
from reviews.services import ReviewError
from reviews.wording import work_name

# Small pages keep the queue fast (docs/PERFORMANCE.md); the oldest work is always on page 1.
QUEUE_PAGE_SIZE = 15


@login_required
@require_safe
@reviewer_required
def queue(request):
    now = timezone.now()
    form = QueueFilterForm(request.GET or None)
    scope = selectors.queue_scope(request.user)
    submissions = selectors.for_queue(request.user, now=now, scope=scope)
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
            "rows": selectors.queue_rows(page.object_list, user=request.user, now=now),
            "counts": selectors.queue_counts(request.user, now=now, scope=scope),
            "overdue_hours": settings.REVIEW_OVERDUE_HOURS,
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def claim(request, pk):
    submission = get_submission_for_user(request.user, pk, to_review=True)
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
    messages.success(
        request, f"You are reviewing {work_name(submission)}. No one else can claim it now."
    )
    return redirect("reviews:review", pk=submission.pk)


WITHDREW = "The learner withdrew it; nothing to review until they resubmit."


def _claim_missed(submission: Submission) -> str:
    if submission.status == Submission.Status.SUBMITTED:
        return (
            f"The claim on {work_name(submission)} was released before you could take it "
            "over; "
            "it is waiting in the queue. Claim it there to review it."
        )
    if submission.status == Submission.Status.IN_REVIEW:
        return f"{display_name(submission.claimed_by)} is reviewing {work_name(submission)} now."
    if submission.status == Submission.Status.APPROVED:
        return f"{work_name(submission)} is approved; there is nothing left to claim."
    if submission.status == Submission.Status.WITHDRAWN:
        return WITHDREW
    return (
        f"Changes were requested on {work_name(submission)}; there is nothing to claim until "
        "the learner resubmits."
    )


@login_required
@require_POST
def release(request, pk):
    submission = get_submission_for_user(request.user, pk, to_review=True)
    try:
        submission_release(submission=submission, mentor=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{work_name(submission)} is back in the queue for any mentor. "
            "Any draft you saved stays yours.",
        )
    return redirect("reviews:queue")


@login_required
@require_POST
def takeover_request(request, pk):
    submission = get_submission_for_user(request.user, pk, to_review=True)
    try:
        notified = submission_takeover_request(submission=submission, mentor=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("reviews:queue")
    holder = display_name(submission.claimed_by)
    if notified:
        messages.success(
            request,
            f"{holder} is asked to hand over {work_name(submission)}; you will see it back in "
            "the queue if they release it.",
        )
    else:
        messages.info(request, f"You have already asked {holder} to hand over this claim.")
    return redirect("reviews:queue")


@login_required
@require_POST
def renew(request, pk):
    submission = get_submission_for_user(request.user, pk, to_review=True)
    try:
        renewed = submission_claim_renew(submission=submission, mentor=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("reviews:queue")
    messages.success(
        request,
        f"Your claim on {work_name(submission)} is renewed until "
        f"{_when(claim_expires_at(renewed.claimed_at))}.",
    )
    return redirect("reviews:review", pk=submission.pk)


def _comment_initial(draft, new_comment=None):
    """The draft's comments, then the one a line link asked for (`?path=…&line=…`)."""
    rows = []
    if draft is not None:
        rows = [
            {"path": comment.path, "line": comment.line, "body": comment.body}
            for comment in draft.comments.all()
        ]
    if new_comment:
        rows.append(new_comment)
    return rows


def _new_comment_from(query) -> dict | None:
    """A comment started from a line number: the link's path and line, if they make sense
    (anything else is ignored; the form checks the rest when it is posted)."""
    path = query.get("path", "")[:300].strip()
    line = query.get("line", "")
    if not path:
        return None
    # isascii: "²" and "１２" are digits to str.isdigit() but not to int().
    number = int(line) if line.isascii() and line.isdigit() and len(line) < 10 else None
    return {"path": path, "line": number}


def _when(moment) -> str:
    """ "10:02" today, "24 Nov, 10:02" before: enough to tell which session it was."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j M, H:i")


def _claim_lost(submission: Submission) -> str:
    """Why a review POST from a stale tab saved nothing; the page shows the text again."""
    kept = "your text is below — copy it"
    if submission.status == Submission.Status.IN_REVIEW:
        return (
            f"{display_name(submission.claimed_by)} took over this review at "
            f"{_when(submission.claimed_at)}; {kept} or ask them to hand it back. "
            "Nothing was saved."
        )
    if submission.status == Submission.Status.SUBMITTED:
        return (
            f"Your claim on this review was released; {kept}, claim the submission again "
            "and save it. Nothing was saved."
        )
    if submission.status == Submission.Status.WITHDRAWN:
        return f"{WITHDREW} {kept[0].upper()}{kept[1:]} if you need it. Nothing was saved."
    return (
        f"{work_name(submission)} has been reviewed already ("
        f"{submission.get_status_display().lower()}); {kept} if you need it. Nothing was saved."
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, pk):
    submission = get_submission_for_user(request.user, pk, to_review=True)
    iterations = selectors.iterations_for_review_page(submission)
    if not iterations:
        raise Http404  # a submission always has its first iteration; without one, nothing to see
    iteration = iterations[0]
    holds_claim = (
        submission.status == Submission.Status.IN_REVIEW
        and submission.claimed_by_id == request.user.pk
    )
    claim_lost = None
    # A bug story links no repository: no files, checklist or automated checks to read.
    is_bug_story = submission.project.is_bug_story
    files = [] if is_bug_story else selectors.snapshot_files_for(iteration)
    line_counts = selectors.comment_line_limits(files)
    new_comment_index = None

    if request.method == "POST":
        if not holds_claim and selectors.published_review_by(
            iteration=iteration, mentor=request.user
        ):
            messages.info(request, "Your review of this iteration is already published.")
            return redirect(submission.get_absolute_url())
        publish = "publish" in request.POST
        form = ReviewForm(request.POST, iteration=iteration, mentor=request.user, publish=publish)
        formset = CommentFormSet(
            request.POST,
            prefix=COMMENT_PREFIX,
            form_kwargs={"files": line_counts, "anchored": not is_bug_story},
        )
        if not holds_claim:
            # A stale tab (the claim was taken over or released meanwhile): a redirect would
            # lose what the mentor typed, so give it back with the reason.
            claim_lost = _claim_lost(submission)
        elif form.is_valid() and formset.is_valid():
            try:
                form.save(comments=formset.comments())
            except (ReviewError, TransitionError) as error:
                # The claim changed between the check above and the service's lock.
                form.add_error(None, str(error))
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
                messages.success(
                    request, "Draft saved. The learner sees nothing until you publish."
                )
                return redirect("reviews:review", pk=submission.pk)
        else:
            # The errors sit by their fields, often far down the page (a comment row): say at
            # the top that nothing was saved, and that nothing typed is lost.
            messages.error(
                request,
                f"Your {'review was not published' if publish else 'draft was not saved'}: "
                "correct what is marked below. Everything you typed is still here.",
            )
    else:
        draft = selectors.draft_for(iteration=iteration, mentor=request.user)
        seen = max((c.pk for c in draft.comments.all()), default=0) if draft else 0
        initial = {"comments_seen": seen}
        if draft:
            initial.update(summary=draft.summary, verdict=draft.verdict)
        form = ReviewForm(initial=initial, iteration=iteration, mentor=request.user)
        new_comment = _new_comment_from(request.GET)
        comments = _comment_initial(draft, new_comment)
        if new_comment:
            new_comment_index = len(comments) - 1
        formset = CommentFormSet(
            initial=comments,
            prefix=COMMENT_PREFIX,
            form_kwargs={"files": line_counts, "anchored": not is_bug_story},
        )

    # Staff see other mentors' drafts of this iteration: whose work a take-over would
    # displace, and, once they hold the claim, what that mentor had written (read-only).
    other_drafts = []
    if request.user.is_staff and submission.status == Submission.Status.IN_REVIEW:
        other_drafts = selectors.drafts_by_others(iteration=iteration, mentor=request.user)
    # Only the reviewed iteration's reviews are shown in full (the earlier ones as a line).
    published = iteration.published_reviews
    selectors.attach_excerpts(published)
    return render(
        request,
        "reviews/review.html",
        {
            "submission": submission,
            "work_name": work_name(submission),
            "iteration": iteration,
            "earlier_iterations": iterations[1:],
            "checklist": [] if is_bug_story else selectors.checklist_for(iteration),
            "checks_to_look_at": [] if is_bug_story else _checks_to_look_at(iteration),
            "holds_claim": holds_claim,
            "claim_expires_at": claim_expires_at(submission.claimed_at) if holds_claim else None,
            "claim_hours": settings.CLAIM_HOURS,
            "claim_lost": claim_lost,
            "holder_has_draft": any(d.mentor_id == submission.claimed_by_id for d in other_drafts),
            "other_drafts": other_drafts,
            "form": form,
            "formset": formset,
            "files": files,
            "new_comment_index": new_comment_index,
            "earlier_review": selectors.review_to_compare_among(iterations),
            "threads": True,
            "answer_form": CommentReplyForm.for_answer_link(
                request.GET,
                reviews=published,
                author=request.user,
                back="review",
                session=request.session,
            ),
            "posted_answer": CommentReplyForm.posted_in(request.GET),
            "back": "review",
            "replies": selectors.replies_for(submission),
            "reply_form": ReplyForm.for_conversation(
                request.session, submission=submission, author=request.user
            ),
        },
    )


def _checks_to_look_at(iteration):
    """For a ready snapshot, the checks the page's summary names (failed, then warnings)."""
    snapshot = getattr(iteration, "snapshot", None)
    if snapshot is None or snapshot.status != snapshot.Status.READY:
        return []
    return checks_to_look_at(snapshot)


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
    # Back where it was written: the review page (its reviewers only) or the submission page.
    if request.GET.get("back") == "review" and (
        submission.viewer_is_mentor or request.user.is_staff
    ):
        return redirect(f"{reverse('reviews:review', args=[submission.pk])}#conversation")
    return redirect(f"{submission.get_absolute_url()}#conversation")
