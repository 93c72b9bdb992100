"""A scratch folder the class's users may pass through, for the hub's tests (they run as root,
and pytest's own tmp_path lies in a folder only its owner may enter)."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def open_folder(prefix):
    """A fresh folder in /tmp, mode 0755, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
