"""Runs the plugin as `python -m <this package>`.

Arcaflow's Python deployer installs the plugin with pip and starts it this
way. The container image runs the entry module from the code folder instead;
both run the same module, so the steps are declared in one place only.
"""

import runpy

# The entry module, as `python -m` finds it once the package is installed.
ENTRY_MODULE = (
    "{{package}}"
    ".{{entry_module}}"
)

if __name__ == "__main__":
    runpy.run_module(ENTRY_MODULE, run_name="__main__")
