"""The LICENSE file is the licence pyproject.toml declares."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# SPDX identifier (as pyproject states it) -> the first two lines of the licence's text.
_TITLES = {
    "AGPL-3.0-or-later": ("GNU AFFERO GENERAL PUBLIC LICENSE", "Version 3, 19 November 2007"),
}


def test_license_file_is_the_license_pyproject_declares():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    text = (ROOT / "LICENSE").read_text()
    lines = [line.strip() for line in text.splitlines()[:2]]
    assert tuple(lines) == _TITLES[declared]
    # The whole licence, not a notice pointing to it: its last section and closing line.
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert text.rstrip().endswith("<https://www.gnu.org/licenses/>.")
