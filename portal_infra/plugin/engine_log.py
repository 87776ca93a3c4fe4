"""Warnings from the plugin, shown by the engine under their resource.

A resource plugin's stderr is not shown to the user (pulumi 3.274 keeps it for `--debug`), so the
warnings a resource's check, diff or update gives (a contrast too low, a value kept rather than
cleared, a setting an import cannot express) go through the engine's `Log` RPC, as the SDK's own
`pulumi.log` does from a program: at the engine's address, which the engine passes as the plugin's
first argument.
"""

from __future__ import annotations

import sys

import grpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc


class EngineLog:
    def __init__(self, address: str) -> None:
        self._engine = engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))

    def warning(self, urn: str, message: str) -> None:
        try:
            self._engine.Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn))
        except grpc.RpcError:
            # The engine went away mid-run: stderr still reaches `pulumi --debug` and the plugin's log.
            print(f"warning: {message}", file=sys.stderr, flush=True)
