"""Run a snippet in a subprocess whose address space is capped, for tests of refused sizes.

A regression that tries to allocate what the budget should refuse then dies
with a MemoryError inside the child instead of taking the test machine down.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

#: Address-space cap of the child: enough for numpy, scipy and matplotlib to import.
LIMIT_BYTES = 3 * 1024**3


def run_limited(code: str, *, limit_bytes: int = LIMIT_BYTES, timeout: float = 60.0):
    """Run ``code`` in a fresh Python capped at ``limit_bytes``; return the CompletedProcess."""
    prelude = ("import resource\n"
               f"resource.setrlimit(resource.RLIMIT_AS, ({limit_bytes}, {limit_bytes}))\n")
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout)


def assert_refused(call: str, *, setup: str = "import cnnmotiv as cm", match: str = "would need"):
    """Assert that ``call`` raises BudgetError (message containing ``match``) in a capped child."""
    code = f"""
{textwrap.dedent(setup)}
from cnnmotiv.budget import BudgetError
try:
    {call}
except BudgetError as err:
    assert {match!r} in str(err), str(err)
    print("refused:", err)
else:
    raise SystemExit("not refused")
"""
    proc = run_limited(code)
    assert proc.returncode == 0 and "refused:" in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout


def refusal_messages(calls, *, setup: str, timeout: float = 120.0) -> dict[str, str]:
    """Run each call of ``calls`` in one capped child; map it to what happened.

    Each value is ``'refused: <message>'`` (a BudgetError), ``'MemoryError: ...'``
    (the cap caught an allocation the budget should have refused) or
    ``'not refused'``.
    """
    import json

    calls = list(calls)
    code = (f"import json\n{textwrap.dedent(setup)}\n"
            "from cnnmotiv.budget import BudgetError\n"
            "out = []\n"
            f"for call in {calls!r}:\n"
            "    try:\n        eval(call)\n    except BudgetError as err:\n"
            "        out.append('refused: ' + str(err))\n"
            "    except MemoryError as err:\n        out.append('MemoryError: ' + repr(err))\n"
            "    else:\n        out.append('not refused')\n"
            "print(json.dumps(out))\n")
    proc = run_limited(code, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return dict(zip(calls, json.loads(proc.stdout.strip().splitlines()[-1])))
