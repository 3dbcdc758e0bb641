"""A no-op build reads no file it hashed before: the hashes are kept by each file's size,
modification time and inode, and a file whose stat changed is hashed again."""

import os

from sovereign_ai import manifest


def test_a_file_whose_stat_is_unchanged_is_not_read_again_and_a_changed_one_is(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "_hashes", {})
    figure = tmp_path / "figure.png"
    figure.write_bytes(b"the figure")
    os.utime(figure, ns=(1_000_000_000, 1_000_000_000))  # long ago: kept
    first = manifest.sha256_file_cached(figure)
    assert first == manifest.sha256_file(figure)

    def no_reading(path):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(manifest, "sha256_file", no_reading)
    assert manifest.sha256_file_cached(figure) == first

    monkeypatch.undo()
    monkeypatch.setattr(manifest, "_hashes", {str(figure): [*manifest._stamp_of(figure), first]})
    figure.write_bytes(b"the figure, redrawn")
    assert manifest.sha256_file_cached(figure) == manifest.sha256_file(figure) != first
