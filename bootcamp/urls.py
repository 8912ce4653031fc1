from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bootcamp import login, views
from bootcamp.forms import PasswordChangeForm, SetPasswordForm

admin.site.site_header = "bootcamp administration"
admin.site.site_title = "bootcamp admin"

urlpatterns = [
    # The home page shows the roadmap: the learners app's view, without a namespace.
    path("", include("learners.home_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("markdown/preview/", views.markdown_preview, name="markdown-preview"),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        login.InvitationConfirmView.as_view(),
        name="invitation-confirm",
    ),
    path("accounts/logout/", login.LogoutView.as_view(), name="logout"),
    # Django's views, with the validators' errors under the new password (bootcamp.forms).
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path("accounts/password_reset/", login.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("", include("learners.urls")),
    path("", include("reviews.urls")),
]
