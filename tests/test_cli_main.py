"""The command wrapper: click's own usage errors are one line too, with exit 2."""

from __future__ import annotations

import pytest

from tracker.cli import main


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["nosuch"], "No such command 'nosuch'"),
        (["state", "--bogus"], "No such option '--bogus'"),
        (["feeds", "add", "--interval", "soon", "http://example.org/feed"], "'soon' is not a valid integer"),
        (["worker", "--tick", "0"], "--tick"),
    ],
)
def test_click_usage_errors_are_one_line_with_exit_2(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--db", sqlite_url, *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and needle in err
    assert "--help" in err
