"""compose.yaml agrees with services/list.txt, the one list of the services.

For every listed service (API port P, events P + 1): a service of that name
built from docker/Dockerfile with SERVICE, API_PORT and EVENTS_PORT, image
aftersales/<name>, binding tcp://*:P and tcp://*:P+1, both ports published on
127.0.0.1 only, a named volume of its own on /var/lib/aftersales and the keys
read-only on /etc/aftersales/keys, CURVE on unless SHR_CURVE says, restarted
unless stopped (deploy.restart_policy for swarm), a health check; and the
endpoints of every service by name in its environment. No other service.
docker/stack.yaml, laid over it on swarm: every service in dnsrr mode with
both ports published in host mode. compose.override.yaml, which compose
alone reads: only depends_on between listed services, by health. Exits 1
listing what differs.
"""
import os
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def listed():
    services = {}
    with open(os.path.join(ROOT, "services", "list.txt")) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if fields:
                services[fields[0]] = int(fields[1])
    return services


def main():
    with open(os.path.join(ROOT, "compose.yaml")) as f:
        compose = yaml.safe_load(f)
    services = listed()
    defined = compose.get("services", {})
    problems = []
    for name in sorted(set(defined) - set(services)):
        problems.append("%s: in compose.yaml, not in services/list.txt" % name)
    for name, port in services.items():
        s = defined.get(name)
        if s is None:
            problems.append("%s: in services/list.txt, not in compose.yaml" % name)
            continue
        want_env = {"BIND_API": "tcp://*:%d" % port, "BIND_EVENTS": "tcp://*:%d" % (port + 1),
                    "DATA_DIR": "/var/lib/aftersales", "KEYS_DIR": "/etc/aftersales/keys",
                    "SHR_CURVE": "${SHR_CURVE:-on}"}
        for peer, peer_port in services.items():
            key = peer.upper().replace("-", "_")
            want_env[key + "_API"] = "tcp://%s:%d" % (peer, peer_port)
            want_env[key + "_EVENTS"] = "tcp://%s:%d" % (peer, peer_port + 1)
        env = s.get("environment", {})
        for key, value in want_env.items():
            if str(env.get(key)) != value:
                problems.append("%s: environment %s is %r, expected %r" % (name, key, env.get(key), value))
        build = s.get("build", {})
        want_args = {"SERVICE": name, "API_PORT": str(port), "EVENTS_PORT": str(port + 1)}
        args = {k: str(v) for k, v in build.get("args", {}).items()}
        if build.get("dockerfile") != "docker/Dockerfile" or args != want_args:
            problems.append("%s: build %r, expected docker/Dockerfile with args %r" % (name, build, want_args))
        if not str(s.get("image", "")).endswith("aftersales/%s:${TAG:-latest}" % name):
            problems.append("%s: image %r is not aftersales/%s" % (name, s.get("image"), name))
        want_ports = ["127.0.0.1:%d:%d" % (p, p) for p in (port, port + 1)]
        if sorted(map(str, s.get("ports", []))) != sorted(want_ports):
            problems.append("%s: ports %r, expected %r" % (name, s.get("ports"), want_ports))
        volume = "%s-data" % name
        want_volumes = ["%s:/var/lib/aftersales" % volume, "${KEYS_DIR:-./keys}:/etc/aftersales/keys:ro"]
        if s.get("volumes") != want_volumes:
            problems.append("%s: volumes %r, expected %r" % (name, s.get("volumes"), want_volumes))
        if volume not in (compose.get("volumes") or {}):
            problems.append("%s: volume %s is not declared under volumes:" % (name, volume))
        if s.get("restart") != "unless-stopped":
            problems.append("%s: restart %r, expected unless-stopped" % (name, s.get("restart")))
        if not s.get("deploy", {}).get("restart_policy"):
            problems.append("%s: no deploy.restart_policy (swarm ignores restart:)" % name)
        if not s.get("healthcheck", {}).get("test"):
            problems.append("%s: no healthcheck" % name)
    # compose.override.yaml: only start-up order, between listed services, by health.
    with open(os.path.join(ROOT, "compose.override.yaml")) as f:
        override = yaml.safe_load(f).get("services", {})
    for name, s in override.items():
        if name not in services or set(s) != {"depends_on"}:
            problems.append("compose.override.yaml: %s: %r, expected only depends_on of a listed"
                            " service" % (name, s))
            continue
        for peer, how in s["depends_on"].items():
            if peer not in services or how != {"condition": "service_healthy"}:
                problems.append("compose.override.yaml: %s depends on %s %r, expected a listed"
                                " service and condition service_healthy" % (name, peer, how))
    with open(os.path.join(ROOT, "docker", "stack.yaml")) as f:
        stack = yaml.safe_load(f).get("services", {})
    if set(stack) != set(services):
        problems.append("docker/stack.yaml: services %s, services/list.txt %s" % (
            sorted(stack), sorted(services)))
    for name, port in services.items():
        s = stack.get(name, {})
        want = [{"target": p, "published": p, "mode": "host"} for p in (port, port + 1)]
        if s.get("ports") != want or s.get("deploy", {}).get("endpoint_mode") != "dnsrr":
            problems.append("docker/stack.yaml: %s: %r, expected dnsrr and ports %r" % (name, s, want))
    for problem in problems:
        print("check_compose: " + problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check_compose: compose.yaml and docker/stack.yaml have the %d services of "
          "services/list.txt; compose.override.yaml orders %d of their start-ups"
          % (len(services), len(override)))


if __name__ == "__main__":
    main()
