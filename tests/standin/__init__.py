"""A local HTTP stand-in for the Kolada v3 API (see server.py), for tests and benchmarks."""

from tests.standin.server import FAULT_KINDS, Fault, KoladaStandIn

__all__ = ["FAULT_KINDS", "Fault", "KoladaStandIn"]
