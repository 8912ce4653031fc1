from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("mentor/queue/", views.queue, name="queue"),
    path("mentor/submissions/<int:pk>/claim/", views.claim, name="claim"),
    path("mentor/submissions/<int:pk>/release/", views.release, name="release"),
    path("mentor/submissions/<int:pk>/renew/", views.renew, name="renew"),
    path("mentor/submissions/<int:pk>/review/", views.review, name="review"),
    path(
        "mentor/learners/<int:cohort_pk>/<int:learner_pk>/",
        views.learner_progress,
        name="learner-progress",
    ),
    path("submissions/<int:pk>/replies/", views.reply_create, name="reply-create"),
]
