"""Views the project does not have, to show what the page cache refuses to keep."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from bootcamp.pagecache import cache_per_session


def _kept(view):
    return login_required(cache_per_session(view))


def _form(request):
    if request.method == "POST":
        return HttpResponse("<p>Posted.</p>")
    return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")


page = _kept(_form)
# No login_required: the cache must still leave anonymous visitors alone.
public = cache_per_session(_form)


@_kept
def sets_a_cookie(request):
    response = HttpResponse("<p>Hello</p>")
    response.set_cookie("seen", "1")
    return response


@_kept
def streamed(request):
    return StreamingHttpResponse(iter(["<p>", "Hello", "</p>"]), content_type="text/html")


@_kept
def json(request):
    return JsonResponse({"hello": "world"})


urlpatterns = [
    path("page/", page),
    path("public/", public),
    path("sets-a-cookie/", sets_a_cookie),
    path("streamed/", streamed),
    path("json/", json),
]
