"""A local HTTP stand-in for the Kolada v3 API (see server.py), for tests and benchmarks."""

from etl.kolada_client import ClientConfig
from etl.settings import Settings
from tests.standin.server import FAULT_KINDS, Fault, KoladaStandIn


def quick_settings(api: KoladaStandIn, **client: object) -> Settings:
    """ETL settings pointing at the stand-in, with retries and politeness scaled down so
    fault tests run in seconds."""
    from dataclasses import replace

    config = ClientConfig(
        base_url=api.base_url,
        timeout=2.0,
        connect_timeout=2.0,
        max_retries=3,
        backoff_base=0.01,
        backoff_max=0.05,
        rate_per_second=200,
        concurrency=3,
    )
    return Settings(client=replace(config, **client))


__all__ = ["FAULT_KINDS", "Fault", "KoladaStandIn", "quick_settings"]
