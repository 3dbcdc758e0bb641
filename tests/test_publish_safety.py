"""Publishing is all or nothing: atomic files, a journal that the next build completes,
one build per output folder, Ctrl-C without a traceback, and the umask's permissions."""

import os
import stat

import pytest

from sovereign_ai import manifest, safe_io

from conftest import snapshot


def _modes(folder):
    return {name: stat.S_IMODE((folder / name).stat().st_mode) for name in snapshot(folder)}


# ---- Files are replaced whole, with the umask's permissions -------------------------------------


def test_a_failed_write_never_truncates_the_good_file(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"the good figure")

    def fails_half_way(f):
        f.write(b"half a fig")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        safe_io.write_file(target, fails_half_way)
    assert target.read_bytes() == b"the good figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"], "no temporary file is left behind"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_save_figure_and_the_manifest_respect_the_umask(tmp_path, umask, mode):
    from sovereign_ai.style import new_figure, save_figure

    previous = os.umask(umask)
    try:
        written = save_figure(new_figure(60, 20), tmp_path, "mode", ["png", "svg"], 72)
        manifest.write(tmp_path, {})
    finally:
        os.umask(previous)
    assert [p.name for p in written] == ["mode.png", "mode.svg"]
    assert _modes(tmp_path) == {"MANIFEST.json": mode, "mode.png": mode, "mode.svg": mode}
