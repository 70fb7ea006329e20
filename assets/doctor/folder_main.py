"""Runs the plugin as `python -m <this folder>`.

Arcaflow's Python deployer installs the plugin with pip and starts it this
way. The container image runs {{entry_module}}.py from this folder; this
does the same, with this folder first on the path, so the plugin's own
imports work unchanged.
"""

import os
import runpy
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    runpy.run_module("{{entry_module}}", run_name="__main__")
