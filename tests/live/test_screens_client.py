"""The screens' shared JavaScript client (live/static/live/client.js), run under Node with a
fake socket: the reducer, the reconnection delays and close codes, and the answers kept
until acknowledged (in the page and in localStorage) and resent with their key."""

import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node")
SCRIPT = Path(__file__).with_name("test_screens_client.mjs")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_shared_client_follows_the_protocol():
    result = subprocess.run(
        [NODE, str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("not ok")]
    assert len([line for line in lines if line.startswith("ok - ")]) == 24
