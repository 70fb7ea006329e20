"""Inputs and outputs of the {{title}} plugin.

Every field carries a name and a description: Arcaflow shows them to workflow
authors, and arcaflow-docsgen writes them into the README.
"""

import typing
from dataclasses import dataclass

from arcaflow_plugin_sdk import schema


@dataclass
class InputParams:
    """What the hello-world step needs."""

    name: typing.Annotated[
        str,
        schema.name("Name"),
        schema.description("Who to greet."),
        schema.min(1),
        schema.max(100),
        schema.example("Arca"),
    ]
    greeting: typing.Annotated[
        str,
        schema.name("Greeting"),
        schema.description("The word to greet with."),
        schema.min(1),
        schema.max(30),
    ] = "Hello"


@dataclass
class SuccessOutput:
    """The hello-world step's result when it worked."""

    message: typing.Annotated[
        str,
        schema.name("Message"),
        schema.description("The greeting, e.g. 'Hello, Arca!'."),
    ]


@dataclass
class ErrorOutput:
    """The hello-world step's result when it could not do its work."""

    error: typing.Annotated[
        str,
        schema.name("Error"),
        schema.description("Why the step failed."),
    ]
