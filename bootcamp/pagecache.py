"""Reuse a logged-in page while nothing it could show has changed.

Most requests are someone opening a page again (the dashboard, the queue, a submission) when
nothing happened since. `cache_per_session` keeps the rendered HTML of a GET page and serves
it again only while all of these are what they were when it was rendered:

- the session (so the user, their roles and anything the session holds) and the CSRF
  secret (so the form tokens in the page stay valid): the user is authenticated as on any
  other request first, so a logged-out or expired session never reaches the cache;
- the URL, query string included;
- the database, as PostgreSQL reports it (`DatabaseState`). No model, service or admin
  action has to remember to invalidate anything, and several processes or servers agree
  without sharing the cache: a key names a state of the database.

and only for PAGE_CACHE_SECONDS, because some pages show the time ("waiting 3 hours",
overdue badges). A page that carries a one-off message, changes the session or sets a cookie
is not kept. The cost of a hit is the session and user queries every page makes, one query
for the database state, and a dictionary look-up: no template is rendered.

It relies on what this project does: sessions in the database (a session change is a write),
no CSP nonces or per-request values in pages, no headers set by the views it wraps (a kept
page is sent with its Content-Type; middleware adds the rest as on any response).

A cached page repeats its masked CSRF token. That is safe: the cache is per session, and a
response that reflects anything the visitor sent (a query string) has its own key, so a
compression oracle (BREACH) never sees the same secret beside varying input.
"""

import hashlib
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse

HEADER = "X-Page-Cache"


class DatabaseState(NamedTuple):
    """What the data a page shows depends on, in one query.

    - snapshot: the transactions running, as any statement starting now would see them. It
      changes when a transaction that wrote ends, on any connection, at the moment its data
      becomes visible (the WAL position alone moves a little earlier, when the commit is
      logged: a page read in between would be kept under the final key with the old data).
    - wal: the WAL insert position, which moves with every write, this transaction's own
      uncommitted ones included (the snapshot does not show those): a request that writes
      and then reads, and a test inside its transaction, see their own writes.
    - own_transaction: this transaction's id once it has written, so what it renders from
      its uncommitted writes is never served to another connection.
    - server_started: a failover or a restore starts a new history that can repeat
      snapshots and WAL positions.
    """

    snapshot: str
    wal: str
    own_transaction: str
    server_started: str


DATABASE_STATE_SQL = """
    SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn()::text,
           coalesce(pg_current_xact_id_if_assigned()::text, ''), pg_postmaster_start_time()::text
"""


def database_state(using=connection) -> DatabaseState:
    with using.cursor() as cursor:
        cursor.execute(DATABASE_STATE_SQL)
        return DatabaseState(*cursor.fetchone())


def cache_per_session(view):
    """Serve the view's GET page from the page cache while its inputs are unchanged.

    Put it under `login_required`: the user must be known before the cache is asked.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        cache = caches["pages"]
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            content_type, content = kept
            response = HttpResponse(content, content_type=content_type)
            response[HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if _may_keep(request, response):
            cache.set(
                key, (response["Content-Type"], response.content), settings.PAGE_CACHE_SECONDS
            )
            response[HEADER] = "miss"
        return response

    return wrapper


def _may_use_cache(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and request.user.is_authenticated
        # CsrfViewMiddleware put the secret from the visitor's cookie here (a fresh one if
        # the cookie was malformed). Without a cookie, rendering the page makes a new secret
        # and sends it as a cookie, which a kept page could not.
        and "CSRF_COOKIE" in request.META
        # A page that shows a message shows it once.
        and not len(messages.get_messages(request))
    )


def _key(request) -> str:
    parts = (
        request.session.session_key,
        request.META["CSRF_COOKIE"],
        request.get_full_path(),
        *database_state(),
    )
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _may_keep(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and response.get("Content-Type", "").startswith("text/html")
        # The render consumed something from the session (a rejected reply shown once) or
        # queued a message: the next visit must not see it again.
        and not request.session.modified
        and not len(messages.get_messages(request))
    )
