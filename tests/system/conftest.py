import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402


@pytest.fixture
def start_service(tmp_path):
    """Starts services for one test; stops them all at the end and checks they exited cleanly."""
    started = []

    def start(binary, name=None, with_sources=False, **kwargs):
        # The services it consumes first: it then finds them where they listen.
        for source in harness.SOURCES.get(binary, []) if with_sources else []:
            start(source)
        service = harness.Service(binary, name or binary, str(tmp_path), **kwargs)
        started.append(service)
        return service.start()

    yield start
    harness.stop_all(started)


@pytest.fixture
def fixture_service(start_service):
    """The fixture service (items + events), for libshared's own tests."""
    def start(name="fixture", env=None):
        env = dict(env or {})
        env.setdefault("FIXTURE_NAME", name)
        return start_service("fixture", name, env=env, service_dir="fixture",
                             schemas=harness.SCHEMAS + ":" + harness.FIXTURE_SCHEMAS)
    return start
