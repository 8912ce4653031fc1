import pytest

from tests.gitserver import GitServer


@pytest.fixture
def git_server(tmp_path, settings):
    """A smart-HTTP git server on loopback (tests/gitserver.py); the app may fetch from it."""
    settings.REPOSITORY_ALLOW_LOOPBACK = True
    server = GitServer(tmp_path).start()
    yield server
    server.stop()
