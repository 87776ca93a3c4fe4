"""Pulumi program for every stack; the stack's own Pulumi.<stack>.yaml says what to build."""

from portal_infra.program import run

run()
