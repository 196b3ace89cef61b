import hashlib
import http.server
import threading
from dataclasses import replace
from functools import partial

import pytest

from dinogen.datasets import CORPORA, CorpusSource, fetch_corpus
from dinogen.errors import DinogenError

CONTENT = b"Aardonyx\nBrachiosaurus\n"
SOURCE = CorpusSource(
    "tiny.txt", len(CONTENT), hashlib.sha256(CONTENT).hexdigest(),
    "http://127.0.0.1:9/unused", "a test corpus",
)


@pytest.fixture
def server(tmp_path):
    """A plain HTTP server on 127.0.0.1 serving a folder of the test's own."""
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_copies_from_the_mirror_and_checks_the_digest(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.txt").write_bytes(CONTENT)
    origin = fetch_corpus(SOURCE, tmp_path / "data", mirror)
    assert origin == str(mirror / "tiny.txt")
    assert (tmp_path / "data" / "tiny.txt").read_bytes() == CONTENT
    assert fetch_corpus(SOURCE, tmp_path / "data", mirror) == "already present"


def test_a_mirror_file_that_does_not_match_is_refused(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "tiny.txt").write_bytes(CONTENT + b"Extra\n")
    with pytest.raises(DinogenError, match="does not match.*nothing was written"):
        fetch_corpus(SOURCE, tmp_path / "data", mirror)
    assert not (tmp_path / "data" / "tiny.txt").exists()


def test_downloads_when_the_mirror_lacks_the_file(tmp_path, server):
    root, base = server
    (root / "tiny.txt").write_bytes(CONTENT)
    origin = fetch_corpus(
        SOURCE, tmp_path / "data", tmp_path / "no-mirror", url=f"{base}/tiny.txt"
    )
    assert origin == f"{base}/tiny.txt"
    assert (tmp_path / "data" / "tiny.txt").read_bytes() == CONTENT


def test_a_download_that_does_not_match_is_refused(tmp_path, server):
    root, base = server
    (root / "tiny.txt").write_bytes(b"tampered\n")
    with pytest.raises(DinogenError, match=r"tiny\.txt: sha256 .* does not match"):
        fetch_corpus(SOURCE, tmp_path / "data", url=f"{base}/tiny.txt")
    assert not (tmp_path / "data").exists()


def test_a_failed_download_names_the_address(tmp_path, server):
    _, base = server
    with pytest.raises(DinogenError, match=f"cannot download {base}/missing.txt"):
        fetch_corpus(SOURCE, tmp_path / "data", url=f"{base}/missing.txt")


def test_the_manifest_matches_the_shared_sources():
    dinos = CORPORA["dinos.txt"]
    assert dinos.sha256 == (
        "ad6465621cf56c08f71d4fbb40cf7eab763f9df42c54cc460d6c4d86e9c927fb"
    )
    assert dinos.size == 19_909
    assert all(c.url.startswith("https://") for c in CORPORA.values())


def test_fetched_dinos_match_the_manifest(dinos_path):
    data = dinos_path.read_bytes()
    assert len(data) == CORPORA["dinos.txt"].size
    assert hashlib.sha256(data).hexdigest() == CORPORA["dinos.txt"].sha256


def test_cli_fetch_reports_a_bad_mirror_file_in_one_line(run, tmp_path, monkeypatch):
    monkeypatch.setitem(CORPORA, "dinos.txt", replace(SOURCE, filename="dinos.txt"))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "dinos.txt").write_bytes(b"wrong\n")
    result = run("fetch-data", "dinos.txt", "--mirror", mirror, "--dest", "data")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "does not match" in result.stderr
