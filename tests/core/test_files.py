"""resolve_inside: a stored path names a file only inside its own folder."""

from __future__ import annotations

import pytest

from fengkong.core.files import resolve_inside


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data" / "reports").mkdir(parents=True)
    (tmp_path / "data" / "reports" / "a.csv").write_text("mine")
    (tmp_path / "data" / "secret_key").write_text("secret")
    (tmp_path / "outside.txt").write_text("foreign")
    return tmp_path / "data" / "reports"


def test_a_file_inside_is_found_by_absolute_or_relative_path(folder):
    assert resolve_inside(folder, str(folder / "a.csv")) == (folder / "a.csv").resolve()
    assert resolve_inside(folder, "a.csv") == (folder / "a.csv").resolve()
    assert resolve_inside(folder, "reports/a.csv", base=folder.parent) == (folder / "a.csv").resolve()


@pytest.mark.parametrize("stored", ["/etc/passwd", "../secret_key", "../../outside.txt", "reports/../reports/a.csv",
                                    "", None, "missing.csv", ".", "a.csv\x00.png"])
def test_paths_outside_missing_or_odd_are_refused(folder, stored):
    assert resolve_inside(folder, stored) is None


def test_a_path_in_the_parent_folder_is_not_inside(folder):
    assert resolve_inside(folder, str(folder.parent / "secret_key")) is None
    assert resolve_inside(folder, "secret_key", base=folder.parent) is None


def test_a_symlink_leading_out_is_refused_and_one_inside_is_followed(folder):
    (folder / "out.csv").symlink_to(folder.parent / "secret_key")
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    (folder / "alias.csv").symlink_to(folder / "a.csv")
    assert resolve_inside(folder, "out.csv") is None
    assert resolve_inside(folder, "loop.csv") is None
    assert resolve_inside(folder, "alias.csv") == (folder / "a.csv").resolve()


def test_a_folder_reached_through_a_symlink_still_works(folder, tmp_path):
    (tmp_path / "link").symlink_to(folder.parent)
    assert resolve_inside(tmp_path / "link" / "reports", "a.csv") == (folder / "a.csv").resolve()


def test_a_directory_is_no_file(folder):
    (folder / "sub").mkdir()
    assert resolve_inside(folder, "sub") is None
