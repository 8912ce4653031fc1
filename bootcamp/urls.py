from django.contrib import admin
from django.urls import include, path

from bootcamp import login, views

admin.site.site_header = "bootcamp administration"
admin.site.site_title = "bootcamp admin"

urlpatterns = [
    # The home page shows the roadmap: the learners app's view, without a namespace.
    path("", include("learners.home_urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        login.InvitationConfirmView.as_view(),
        name="invitation-confirm",
    ),
    path("accounts/logout/", login.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", login.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("learners.urls")),
    path("", include("reviews.urls")),
]
