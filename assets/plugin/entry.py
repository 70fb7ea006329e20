#!/usr/bin/env python3
"""Steps of the {{title}} plugin, and its command line.

Run from this folder:
    python {{entry_module}}.py --schema
prints the plugin's schema, and
    python {{entry_module}}.py -f input.yaml
runs the step with the input in input.yaml.
"""

import sys
import typing

from arcaflow_plugin_sdk import plugin

if __package__:
    # Imported from the installed package.
    from .{{schema_module}} import (
        ErrorOutput,
        InputParams,
        SuccessOutput,
    )
else:
    # Run as a script from the code folder (as the container image does), or
    # imported by the tests with the code folder on the path.
    from {{schema_module}} import (
        ErrorOutput,
        InputParams,
        SuccessOutput,
    )


@plugin.step(
    id="hello-world",
    name="Hello world",
    description="Greets the person named in the input.",
    outputs={"success": SuccessOutput, "error": ErrorOutput},
)
def hello_world(
    params: InputParams,
) -> typing.Tuple[str, typing.Union[SuccessOutput, ErrorOutput]]:
    """Greets params.name; a name of only spaces is an error."""
    name = params.name.strip()
    if not name:
        return "error", ErrorOutput(error="the name is blank: give a name to greet")
    return "success", SuccessOutput(message=f"{params.greeting}, {name}!")


if __name__ == "__main__":
    sys.exit(plugin.run(plugin.build_schema(hello_world)))
