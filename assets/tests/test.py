#!/usr/bin/env python3
"""Tests of the {{title}} plugin.

Plain unittest, no network. Run this file from the project root with
`python -m coverage run` (as the container build does) or plain `python`.
The container build puts the code folder on PYTHONPATH; otherwise the code
folder is put on the path below.
"""

import os
import sys
import unittest

from arcaflow_plugin_sdk import plugin

try:
    from {{entry_module}} import hello_world
    from {{schema_module}} import (
        ErrorOutput,
        InputParams,
        SuccessOutput,
    )
except ImportError:
    sys.path.insert(
        0,
        os.path.join(
            os.path.dirname(os.path.abspath(__file__)),
            os.pardir,
            "{{package}}",
        ),
    )
    from {{entry_module}} import hello_world
    from {{schema_module}} import (
        ErrorOutput,
        InputParams,
        SuccessOutput,
    )


class {{camel}}Test(unittest.TestCase):
    def test_serialization(self):
        for obj in [
            InputParams(name="Arca"),
            InputParams(name="Arca", greeting="Hi"),
            SuccessOutput(message="Hello, Arca!"),
            ErrorOutput(error="the name is blank"),
        ]:
            plugin.test_object_serialization(obj, self.fail)

    def test_hello_world(self):
        output_id, output = hello_world(
            params=InputParams(name=" Arca ", greeting="Hi"),
            run_id="plugin_ci",
        )
        self.assertEqual("success", output_id)
        self.assertEqual(SuccessOutput(message="Hi, Arca!"), output)

    def test_hello_world_default_greeting(self):
        output_id, output = hello_world(
            params=InputParams(name="Arca"),
            run_id="plugin_ci",
        )
        self.assertEqual("success", output_id)
        self.assertEqual(SuccessOutput(message="Hello, Arca!"), output)

    def test_hello_world_blank_name(self):
        output_id, output = hello_world(
            params=InputParams(name="   "),
            run_id="plugin_ci",
        )
        self.assertEqual("error", output_id)
        self.assertIsInstance(output, ErrorOutput)
        self.assertIn("blank", output.error)


if __name__ == "__main__":
    unittest.main()
