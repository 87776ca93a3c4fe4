"""Pulumi program for `make bench`: the fleet described in bench/fleet.py."""

from bench.fleet import program

program()
