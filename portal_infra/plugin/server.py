"""Serving the plugin: the SDK's experimental gRPC server, with errors a person can read.

`pulumi.provider.experimental.server` turns every exception from a provider method into a new
`Exception(f"{message}:\n{stack}")` (its `_raise_with_traceback`), so the engine prints a Python
stack under a Stripe refusal or a declaration error, where the dynamic resources print the sentence
alone (resources/base.py, `_MessageOnlyTraceback`). Here each RPC is wrapped once more: when the
exception the SDK replaced (its `__context__`) is one of our complete-for-a-person errors, the call
ends with that message alone. Any other exception keeps its stack: that one is a bug to report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS  # the SDK's own server options (message sizes)
from pulumi.runtime.proto import provider_pb2_grpc

from ..resources.base import USER_FACING_ERRORS
from ..specs.problems import SpecError

# Construct runs the components' own checks: a declaration error there is complete for a person too.
_PLAIN = (*USER_FACING_ERRORS, SpecError)
_RPCS = ("CheckConfig", "DiffConfig", "Configure", "Check", "Diff", "Create", "Read", "Update", "Delete",
         "Construct")


def _plain_errors(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def rpc(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            return await method(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            ours = next((e for e in (err, err.__context__, getattr(err, "inner", None)) if isinstance(e, _PLAIN)),
                        None)
            if ours is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, str(ours))
            raise  # not reached: abort raises

    return rpc


def _servicer(args: list[str], version: str, provider: p.Provider, engine: str) -> ProviderServicer:
    servicer = ProviderServicer(args, version, provider, engine_address=engine)
    for name in _RPCS:
        setattr(servicer, name, _plain_errors(getattr(servicer, name)))
    return servicer


def serve(args: list[str], version: str, provider: p.Provider) -> None:
    """As `pulumi.provider.experimental.server.main`: listen on a loopback port, print it, serve."""
    parser = argparse.ArgumentParser(description="pulumi-resource-portal-infra (a Pulumi provider plugin)")
    parser.add_argument("engine", help="the Pulumi engine's address")
    known, _ = parser.parse_known_args(args)

    attach = getattr(provider, "attach_engine", None)
    if attach is not None:
        attach(known.engine)

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(
            _servicer(args, version, provider, known.engine), server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        try:
            await server.wait_for_termination()
        finally:
            # Stopped inside the loop: left running, grpc's Server.__del__ would schedule its shutdown on the
            # closed loop after asyncio.run returns ("RuntimeError: Event loop is closed" on every exit).
            await server.stop(None)

    with contextlib.suppress(KeyboardInterrupt):  # the engine stops plugins with SIGINT
        asyncio.run(run())
