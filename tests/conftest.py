from pathlib import Path

import pytest
from click.testing import CliRunner

from dinogen.cli import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def dinos_path() -> Path:
    path = REPO / "data" / "dinos.txt"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make data` first")
    return path


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run the CLI in an empty working directory; returns click's Result."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input)

    return invoke
