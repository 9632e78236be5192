"""`--out` holds only the current report (issue 27, item 5): pages and figures of mechanisms a
previous report wrote there, and this one does not, are removed; files no report wrote are kept."""
import provergame as pg
from provergame import games
from provergame.reporting import MANIFEST


def test_a_second_report_into_the_same_directory_removes_the_first_reports_stale_pages(tmp_path):
    wta = pg.analyse(games.WinnerTakesAll.example(), rounds=2_000)
    uncles = pg.analyse(games.UncleRewards.example(), rounds=2_000)
    (tmp_path / "notes.txt").write_text("mine")
    pg.report([("wta", wta), ("uncles", uncles)], tmp_path)
    assert (tmp_path / "uncles.md").is_file() and (tmp_path / MANIFEST).is_file()
    pg.report([("wta", wta)], tmp_path)
    assert not (tmp_path / "uncles.md").exists()
    assert (tmp_path / "wta.md").is_file() and (tmp_path / "index.md").is_file()
    assert (tmp_path / "notes.txt").read_text() == "mine"
    listed = (tmp_path / MANIFEST).read_text()
    assert "uncles.md" not in listed and "wta.md" in listed
    for line in (tmp_path / "index.md").read_text().splitlines():    # every figure the index links exists
        if "](" in line and ".png)" in line:
            name = line.split("](")[1].split(")")[0]
            assert (tmp_path / name).is_file(), name
