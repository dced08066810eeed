"""Per-test cost of ``--harness-coverage`` (and ``--harness-html``).

The same generated suite (the ``terminal`` built-ins and a slow run, driven with
``create_and_poll``) runs in a pytest subprocess without reporting options, with
``--harness-coverage``, and with ``--harness-html``; the best of ``--repeat`` wall times of
each is compared, per test.

    python bench/coverage.py [--cases 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from plugin import HARNESS_SUITE, NAMES, run_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="cases per built-in")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant")
    options = parser.parse_args()
    tests = len(NAMES) * options.cases
    with tempfile.TemporaryDirectory() as root:
        directory = Path(root)
        (directory / "pytest.ini").write_text("[pytest]\n")
        body = HARNESS_SUITE.replace("NAMES", repr(NAMES)).replace("CASES", str(options.cases))
        (directory / "test_suite.py").write_text(body)
        variants = {
            "no report options": (),
            "--harness-coverage": ("--harness-coverage",),
            "--harness-coverage-json": (f"--harness-coverage-json={root}/coverage.json",),
            "--harness-html": (f"--harness-html={root}/report.html",),
        }
        best = {
            label: min(run_suite(directory, *args) for _ in range(options.repeat))
            for label, args in variants.items()
        }
    base = best["no report options"]
    print(f"{tests} lifecycle tests, best of {options.repeat}:")
    for label, seconds in best.items():
        extra = (seconds - base) / tests * 1000
        print(f"  {label:<26} {seconds:6.2f} s  {extra:+.3f} ms per test")


if __name__ == "__main__":
    main()
