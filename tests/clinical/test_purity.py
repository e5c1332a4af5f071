"""facetpath.clinical is pure Python: importing it loads no web framework."""

import subprocess
import sys


def test_the_clinical_core_imports_no_django() -> None:
    code = "import sys, facetpath.clinical, facetpath.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja', 'matplotlib')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
