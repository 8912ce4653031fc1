from django.urls import path

from learners import cohort_views, views

app_name = "learners"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("projects/<slug:slug>/submit/", views.submission_create, name="submission-create"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission-detail"),
    path("submissions/<int:pk>/resubmit/", views.submission_resubmit, name="submission-resubmit"),
    path(
        "submissions/<int:pk>/iterations/<int:number>/checks/",
        views.iteration_checks,
        name="iteration-checks",
    ),
    path("objectives/<int:pk>/check/", views.objective_toggle, name="objective-toggle"),
    path("cohorts/", cohort_views.cohort_list, name="cohort-list"),
    path("cohorts/<slug:slug>/", cohort_views.cohort_detail, name="cohort-detail"),
    path(
        "cohorts/<slug:slug>/progress.csv",
        cohort_views.cohort_progress_csv,
        name="cohort-progress-csv",
    ),
]
