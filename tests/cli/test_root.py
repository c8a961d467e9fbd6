"""The root command: where the store comes from, and a store that cannot be reached."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SAMPLE, cli


def test_the_database_url_comes_from_the_environment_or_the_config_file(tmp_path, monkeypatch):
    config = tmp_path / "send-monitor.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "from-config.db"}"\n')
    monkeypatch.setenv("SEND_MONITOR_CONFIG", str(config))
    assert cli("import", SAMPLE).exit_code == 0
    assert (tmp_path / "from-config.db").exists()
    monkeypatch.setenv("SEND_MONITOR_DB", f"sqlite:///{tmp_path / 'from-env.db'}")
    assert cli("import", SAMPLE).exit_code == 0
    assert (tmp_path / "from-env.db").exists()
    assert cli("import", SAMPLE, db=f"sqlite:///{tmp_path / 'from-flag.db'}").exit_code == 0
    assert (tmp_path / "from-flag.db").exists()


def test_the_default_store_is_send_monitor_db_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEND_MONITOR_DB", raising=False)
    monkeypatch.delenv("SEND_MONITOR_CONFIG", raising=False)
    assert cli("import", SAMPLE).exit_code == 0
    assert Path("send-monitor.db").exists()


def test_an_unreachable_store_is_a_clear_error_without_the_password():
    result = cli("import", SAMPLE, db="postgresql://monitor:s3cret@127.0.0.1:1/send")
    assert result.exit_code == 1
    assert "cannot reach the store postgresql+psycopg://monitor:***@127.0.0.1:1/send" in result.stderr
    assert "s3cret" not in result.stderr


def test_a_global_option_after_the_command_is_told_to_move(tmp_path):
    result = cli("findings", "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: findings: --db is an option of send-monitor itself: put it before the command "
        "(send-monitor --db … findings …)"
    )
    assert not (tmp_path / "x.db").exists()
