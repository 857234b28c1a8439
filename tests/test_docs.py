"""Every command and setting is documented in the README (a test fails when one is not)."""

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from qa.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def commands(group: click.Group, prefix: str = "qa") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += commands(command, path)
        else:
            found.append((path, command))
    return found


@pytest.mark.parametrize("path,command", commands(cli), ids=lambda value: str(value))
def test_command_is_documented_with_an_example(path, command):
    assert f"`{path}" in README, f"{path} is missing from the README's command table"
    assert "Example:" in (command.help or ""), f"{path} --help has no example"


def test_every_environment_setting_is_documented():
    settings = {
        envvar
        for _, command in commands(cli)
        for param in command.params
        for envvar in ([param.envvar] if isinstance(param.envvar, str) else param.envvar or [])
    }
    assert settings >= {"QA_CORPUS", "QA_INDEX", "QA_API_KEY"}
    for envvar in settings:
        assert f"`{envvar}`" in README, f"{envvar} is missing from the README's settings table"


def test_every_setting_is_in_the_settings_table_with_its_default():
    from qa.settings import SETTINGS

    table = README[README.index("## Settings") : README.index("## The corpus")]
    for setting in SETTINGS.values():
        rows = [line for line in table.splitlines() if f"`{setting.env}`" in line]
        assert rows, f"{setting.env} is missing from the README's settings table"
        if setting.default not in (None, False):
            assert f"`{setting.default}`" in rows[0], f"{setting.env}: default not in the table"


CLI_REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def cli_reference() -> str:
    """docs/cli.md as it should read: every command's --help, in order."""
    sections = [
        "# CLI reference\n\nGenerated from `--help`: `python tests/test_docs.py` rewrites it.\n"
    ]
    runner = CliRunner()
    for path in ["qa"] + [p for p, _ in commands(cli)]:
        result = runner.invoke(
            cli, [*path.split()[1:], "--help"], prog_name="qa", terminal_width=100
        )
        sections.append(f"## `{path}`\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(sections)


def test_cli_reference_is_current():
    assert CLI_REFERENCE.read_text() == cli_reference(), (
        "docs/cli.md is stale: run `python tests/test_docs.py`"
    )


if __name__ == "__main__":
    CLI_REFERENCE.write_text(cli_reference())
