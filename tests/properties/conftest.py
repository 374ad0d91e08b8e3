"""The Hypothesis profile of the process state machines.

A fixed number of examples (`HYPOTHESIS_EXAMPLES`, default 25) of about 20 steps, derandomized so
a CI run is reproducible, no deadline (a step is several database round trips) and no example
database (nothing written into the worktree). The machines pass the profile explicitly to
`run_state_machine_as_test`, so the rest of the suite keeps Hypothesis's defaults.
"""

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "process-machines",
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "25")),
    stateful_step_count=int(os.environ.get("HYPOTHESIS_STEPS", "20")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # HYPOTHESIS_SHRINK=0 reports a failure as found, without minutes of shrinking it.
    phases=[
        p for p in Phase if os.environ.get("HYPOTHESIS_SHRINK", "1") != "0" or p != Phase.shrink
    ],
)


def machine_settings() -> settings:
    return settings(settings.get_profile("process-machines"))
