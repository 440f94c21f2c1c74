"""Every message shown to people has its English translation, and the compiled catalog is current."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_english_catalog_is_complete_and_compiled():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/i18n.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
