"""The factory each `coord serve` worker process calls, in a fresh interpreter as granian runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from coord.app import YOUNG_COLLECTION_EVERY

PROBE = """
import gc, json
before = gc.get_threshold()
from coord.app import app_from_environment
app_from_environment()
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def test_a_served_process_freezes_its_startup_objects_and_collects_young_ones_less_often(tmp_path):
    # The factory builds the app without connecting (the lifespan does), so unreachable URLs do.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COORD_")},
           "COORD_DATABASE_URL": "postgresql://coord@127.0.0.1:9/none", "COORD_REDIS_URL": "redis://127.0.0.1:9/0",
           "COORD_DATA_DIR": str(tmp_path), "COORD_LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # CPython's default (700; 2,000 from 3.13), so the change below is the factory's.
    assert seen["before"][0] in (700, 2000)
    assert seen["after"] == [YOUNG_COLLECTION_EVERY, *seen["before"][1:]]
    # The app's routes, schemas and catalogs are out of the collector's reach for good.
    assert seen["frozen"] > 50_000, seen
