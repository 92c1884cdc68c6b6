"""Entry point of the subprocess that runs one hostile case (see harness.child_main).

    python tests/hostile/child.py CASE DATA_DIR WORK_DIR VERDICT_JSON
"""

import sys

from harness import child_main

if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
