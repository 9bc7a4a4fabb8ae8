"""What the README promises of docker-compose.yml, beyond the Compose schema: the five
services, each with a health check; Confab starting only once the others are healthy;
every volume a named one; and every Confab setting it uses documented in the README.
Prints one line per broken promise and exits 1 if there is any."""

import re
import sys

from ruamel.yaml import YAML

SERVICES = ["postgres", "redis", "meilisearch", "minio", "confab"]


def problems(compose, readme):
    services = compose.get("services", {})
    declared = set(compose.get("volumes") or {})
    for name in SERVICES:
        if name not in services:
            yield f"service {name} is missing"
            continue
        service = services[name]
        if "healthcheck" not in service:
            yield f"service {name} has no health check"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source", "")
            if source not in declared:
                yield f"service {name} mounts {source!r}, which is not a named volume"
    confab = services.get("confab", {})
    depends = confab.get("depends_on", {})
    for name in SERVICES[:-1]:
        condition = depends.get(name, {}).get("condition") if isinstance(depends, dict) else None
        if condition != "service_healthy":
            yield f"confab does not wait for {name} to be healthy"
    environment = confab.get("environment", {})
    names = environment.keys() if isinstance(environment, dict) else [e.split("=", 1)[0] for e in environment]
    for setting in names:
        if setting.startswith("CONFAB_") and not re.search(rf"\b{setting}\b", readme):
            yield f"confab's setting {setting} is not documented in the README"


def main():
    compose_path, readme_path = sys.argv[1], sys.argv[2]
    with open(compose_path, encoding="utf-8") as f:
        compose = YAML(typ="safe").load(f)
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()
    found = list(problems(compose, readme))
    for problem in found:
        print(f"compose_check: {problem}")
    if not found:
        print(f"compose_check: {compose_path} has the services, health checks, volumes and settings the README promises")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
