"""`qa corpus check` through click's runner: tables, summary line and exit status."""

from pathlib import Path

from click.testing import CliRunner

from qa.cli import cli

REPO = Path(__file__).resolve().parents[1]


def check(*args: str, **env: str):
    return CliRunner().invoke(cli, ["corpus", "check", *args], env=env or None)


def test_shipped_corpus_is_clean():
    result = check(str(REPO / "corpus"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "OUTLET", "DATE", "LANG", "CHARS"]
    assert "rmol-2021-09-10-asean-slom-17" in result.output
    assert "Rmol.id" in result.output and "2021-09-10" in result.output
    assert lines[-1] == "5 articles, 0 errors, 0 warnings"
    assert "LEVEL" not in result.output


def test_default_folder_and_environment(tmp_path, monkeypatch):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Judul Satu\nIsi satu.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert check().output.splitlines()[-1] == "1 article, 0 errors, 0 warnings"
    other = tmp_path / "other"
    other.mkdir()
    assert check(QA_CORPUS=str(other)).output.splitlines()[-1] == "0 articles, 0 errors, 0 warnings"


def test_problems_fail_the_check(tmp_path):
    (tmp_path / "good.md").write_text("---\ntitle: Baik\n---\n\nIsi baik.\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\npublished: 2023-02-30\n---\n\nIsi.\n", encoding="utf-8")
    (tmp_path / "bulk.jsonl").write_text('{"id": "j", "text": "Isi j."}\n{oops\n', "utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    result = check(str(tmp_path))
    assert result.exit_code == 1
    assert "good" in result.output and "Baik" in result.output
    table = result.output[result.output.index("LEVEL") :].splitlines()[1:-2]
    rows = {where.removeprefix(f"{tmp_path}/"): (level, message) for level, where, message in
            (line.split(maxsplit=2) for line in table)}  # fmt: skip
    assert rows.keys() == {"bad.md", "bulk.jsonl:2", "notes.pdf"}
    assert rows["bad.md"][0] == "error" and "not a real date" in rows["bad.md"][1]
    assert rows["bulk.jsonl:2"][0] == "error" and "not valid JSON" in rows["bulk.jsonl:2"][1]
    assert rows["notes.pdf"][0] == "note"
    assert result.output.splitlines()[-1] == "2 articles, 2 errors, 0 warnings"


def test_warnings_do_not_fail(tmp_path):
    (tmp_path / "a.txt").write_bytes("Judul\nIsi “berita”.\n".encode("cp1252"))
    result = check(str(tmp_path))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 article, 0 errors, 1 warning"


def test_missing_folder(tmp_path):
    result = check(str(tmp_path / "nope"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["corpus", "check", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
    assert "qa corpus check corpus/" in result.output


def test_check_reports_what_was_removed(tmp_path):
    (tmp_path / "page.txt").write_text(
        "JAKARTA - Menteri meninjau balai latihan kerja.\nBaca juga: Menaker Buka Job Fair\n"
        "Ia meminta pelatihan diperluas.\nADVERTISEMENT\n(eva/fca)",
        encoding="utf-8",
    )
    (tmp_path / "clean.md").write_text("---\ntitle: Bersih\n---\n\nIsi bersih.\n", "utf-8")
    result = check(str(tmp_path))
    assert result.exit_code == 0, result.output
    rows = [line.split(None, 1) for line in result.output.split("REMOVED\n")[1].splitlines()]
    assert rows[0] == ["page", "related 1, ad or embed 1, initials 1"]
    assert "Menaker Buka Job Fair" not in result.output  # the lines only with --removed
    verbose = check(str(tmp_path), "--removed")
    assert "  [related] Baca juga: Menaker Buka Job Fair" in verbose.output
    assert "  [initials] (eva/fca)" in verbose.output
    assert "clean" not in verbose.output.split("REMOVED")[1]
