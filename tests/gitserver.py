"""A real smart-HTTP git server on loopback for the snapshot tests.

`git http-backend` (the CGI program that ships with git) behind a small threaded HTTP server,
configured as GitHub behaves: protocol v2, `uploadpack.allowFilter` and
`uploadpack.allowReachableSHA1InWant`, so a client can fetch one commit by its SHA and then
only the blobs it needs. On top, per repository, what the tests need from a hostile or
unlucky world: a private repository (401), a slow one, a redirect to any address; and a log
of every request, so a test can tell that a refused address was never contacted.
"""

import contextlib
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HTTP_BACKEND = (
    subprocess.run(
        ["git", "--exec-path"], capture_output=True, text=True, check=True
    ).stdout.strip()
    + "/git-http-backend"
)

_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Ada Learner",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Learner",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


def git(*args, cwd, env=None) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"], "HOME": str(cwd), **_GIT_ENV, **(env or {})},
    ).stdout.strip()


class GitServer:
    def __init__(self, root: Path, host: str = "127.0.0.1"):
        self.root = root
        self.private: set[str] = set()
        self.slow: dict[str, float] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer((host, 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.host = host
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}/{name}.git"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def repository(self, name: str, files: dict[str, str | bytes], messages=None) -> list[str]:
        """A bare repository `name`.git whose history is one commit per message (all files
        arrive in the last one, earlier commits touch CHANGELOG); returns the commit SHAs."""
        work = self.root / "work" / name
        work.mkdir(parents=True)
        git("init", "--quiet", "--initial-branch=main", cwd=work)
        shas = []
        messages = list(messages or ["Add the project"])
        for index, message in enumerate(messages):
            if index == len(messages) - 1:
                for path, content in files.items():
                    target = work / path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if isinstance(content, bytes):
                        target.write_bytes(content)
                    else:
                        target.write_text(content)
            else:
                (work / "CHANGELOG").write_text(f"step {index}\n")
            git("add", "--all", "--force", cwd=work)
            git("commit", "--quiet", "--allow-empty", "-m", message, cwd=work)
            shas.append(git("rev-parse", "HEAD", cwd=work))
        bare = self.root / "repos" / f"{name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        git("clone", "--quiet", "--bare", str(work), str(bare), cwd=self.root)
        git("config", "uploadpack.allowFilter", "true", cwd=bare)
        git("config", "uploadpack.allowReachableSHA1InWant", "true", cwd=bare)
        git("config", "http.uploadpack", "true", cwd=bare)
        return shas


def _handler_for(server: GitServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args):  # quiet test output
            pass

        def handle(self):
            # The client may give up mid-answer (a killed fetch): nothing to report.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

        def do_GET(self):
            self._serve()

        def do_POST(self):
            self._serve()

        def _serve(self):
            server.requests.append(self.path)
            path, _, query = self.path.partition("?")
            name = path.lstrip("/").split(".git", 1)[0]
            if name in server.slow:
                time.sleep(server.slow[name])
            if name in server.redirects:
                self.send_response(302)
                self.send_header(
                    "Location",
                    server.redirects[name]
                    + path.split(".git", 1)[1]
                    + (f"?{query}" if query else ""),
                )
                self.end_headers()
                return
            if name in server.private:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.end_headers()
                return
            body = self._body()
            env = {
                "PATH": os.environ["PATH"],
                "GIT_PROJECT_ROOT": str(server.root / "repos"),
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": self.client_address[0],
                "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            }
            result = subprocess.run(
                [HTTP_BACKEND], input=body, capture_output=True, env=env, check=False
            )
            head, _, payload = result.stdout.partition(b"\r\n\r\n")
            status, headers = 200, []
            for line in head.decode("latin-1").split("\r\n"):
                key, _, value = line.partition(":")
                if key.lower() == "status":
                    status = int(value.strip().split()[0])
                elif key:
                    headers.append((key, value.strip()))
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    return Handler
