"""The US ZIP code fallback of `near=` (a code the directory has no address with)."""

from __future__ import annotations

import subprocess
import sys

from coord.directory.search import us_zip_centre


def test_a_zip_codes_centre_and_codes_that_have_none():
    assert us_zip_centre("10001") == (40.7484, -73.9967)
    assert us_zip_centre("19103") is not None
    assert us_zip_centre("00000") is None  # the shape of a ZIP code, but none
    assert us_zip_centre("ABCDE") is None and us_zip_centre("1234") is None


def test_looking_up_a_zip_code_leaves_no_list_of_every_code_in_the_process():
    # In a fresh interpreter, so an earlier lookup in this one cannot hide the growth. Python's
    # heap is what `list_all()` grew by about 100 MB (42,000 dicts kept for the process's life).
    probe = ("import tracemalloc; tracemalloc.start();"
             "from coord.directory.search import us_zip_centre;"
             "assert us_zip_centre('19103') is not None;"
             "print(tracemalloc.get_traced_memory()[0])")
    kept = int(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout)
    assert kept < 20_000_000, f"{kept:,} bytes kept after one ZIP code lookup"
