from django.urls import path

from reviews import code_views, cohort_views, learner_views, readiness_views, views

app_name = "reviews"

urlpatterns = [
    path("dashboard/", learner_views.dashboard, name="dashboard"),
    path("projects/<slug:slug>/submit/", learner_views.submission_create, name="submission-create"),
    path("submissions/<int:pk>/", learner_views.submission_detail, name="submission-detail"),
    path(
        "submissions/<int:pk>/resubmit/",
        learner_views.submission_resubmit,
        name="submission-resubmit",
    ),
    path("submissions/<int:pk>/edit/", learner_views.submission_edit, name="submission-edit"),
    path(
        "submissions/<int:pk>/withdraw/",
        learner_views.withdraw,
        name="submission-withdraw",
    ),
    path("cohorts/", cohort_views.cohort_list, name="cohort-list"),
    path("cohorts/<slug:slug>/", cohort_views.cohort_detail, name="cohort-detail"),
    path(
        "cohorts/<slug:slug>/progress.csv",
        cohort_views.cohort_progress_csv,
        name="cohort-progress-csv",
    ),
    path("mentor/queue/", views.queue, name="queue"),
    path("mentor/submissions/<int:pk>/claim/", views.claim, name="claim"),
    path("mentor/submissions/<int:pk>/release/", views.release, name="release"),
    path("mentor/submissions/<int:pk>/renew/", views.renew, name="renew"),
    path(
        "mentor/submissions/<int:pk>/take-over/",
        views.takeover_request,
        name="takeover-request",
    ),
    path("mentor/submissions/<int:pk>/review/", views.review, name="review"),
    path(
        "mentor/learners/<int:cohort_pk>/<int:learner_pk>/",
        cohort_views.learner_progress,
        name="learner-progress",
    ),
    path("submissions/<int:pk>/replies/", views.reply_create, name="reply-create"),
    path(
        "submissions/<int:pk>/iterations/<int:number>/files/",
        code_views.files_view,
        name="code-files",
    ),
    path(
        "submissions/<int:pk>/iterations/<int:number>/files/<path:path>",
        code_views.file_view,
        name="code-file",
    ),
    path(
        "submissions/<int:pk>/iterations/<int:number>/changes/",
        code_views.changes_view,
        name="code-changes",
    ),
    path(
        "mentor/submissions/<int:pk>/review/comments/",
        code_views.comment_add,
        name="comment-add",
    ),
    path(
        "submissions/<int:pk>/comments/<int:comment_pk>/replies/",
        code_views.comment_reply,
        name="comment-reply",
    ),
    path("readiness/", readiness_views.readiness, name="readiness"),
    path("readiness/<int:pk>/tick/", readiness_views.readiness_tick, name="readiness-tick"),
    path("portfolio/", readiness_views.portfolio_settings, name="portfolio-settings"),
    path("p/<slug:slug>/", readiness_views.portfolio, name="portfolio"),
    path(
        "mentor/learners/<int:cohort_pk>/<int:learner_pk>/readiness/",
        readiness_views.learner_readiness,
        name="learner-readiness",
    ),
    path(
        "mentor/learners/<int:cohort_pk>/<int:learner_pk>/interviews/new/",
        readiness_views.interview_create,
        name="interview-create",
    ),
    path("mentor/interviews/<int:pk>/", readiness_views.interview_edit, name="interview-edit"),
    path(
        "mentor/learners/<int:cohort_pk>/<int:learner_pk>/sign-off/",
        readiness_views.sign_off,
        name="sign-off",
    ),
]
