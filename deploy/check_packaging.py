#!/usr/bin/env python3
"""Checks the packaging files: the Kustomize overlay in deploy/ is well-formed
YAML that pins KFP's manifests to a release and swaps MLMD's server image for
mlmdx's, and the Dockerfile keeps the promises Kubeflow's manifests rely on.

Usage: check_packaging.py REPO_ROOT (exit status 0 when every check holds).
"""

import pathlib
import re
import sys

MLMD_IMAGE = "gcr.io/tfx-oss-public/ml_metadata_store_server"


def load_yaml(text):
    """PyYAML when installed; otherwise a check that the file has no tabs and
    consistent two-space indentation, and the top-level keys as a dict of
    their raw lines."""
    try:
        import yaml  # pylint: disable=import-outside-toplevel
        return yaml.safe_load(text)
    except ImportError:
        pass
    document, key = {}, None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assert "\t" not in line, f"line {number}: tab in YAML"
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, f"line {number}: odd indentation"
        if indent == 0:
            key, _, value = line.partition(":")
            document[key] = value.strip() or []
        else:
            document[key].append(line.strip())
    return document


def check_overlay(root, failures):
    overlay = load_yaml((root / "deploy/kustomization.yaml").read_text())
    if overlay.get("kind") != "Kustomization":
        failures.append("deploy/kustomization.yaml: kind is not Kustomization")
    resources = overlay.get("resources") or []
    text = " ".join(str(r) for r in resources)
    if not re.search(r"github\.com/kubeflow/pipelines//manifests/kustomize/"
                     r"\S*\?ref=\d+\.\d+\.\d+", text):
        failures.append("deploy/kustomization.yaml: resources do not pin "
                        "kubeflow/pipelines manifests to a release")
    images = overlay.get("images") or []
    if isinstance(images, list) and images and isinstance(images[0], dict):
        names = [image.get("name") for image in images]
        new_names = [image.get("newName") for image in images]
    else:  # The fallback parser's raw lines.
        names = [l.split(":", 1)[1].strip() for l in images if "name:" in l
                 and "newName" not in l]
        new_names = [l.split(":", 1)[1].strip() for l in images
                     if "newName:" in l]
    if names != [MLMD_IMAGE]:
        failures.append(f"deploy/kustomization.yaml: images name {names}, "
                        f"expected [{MLMD_IMAGE}]")
    if not new_names or "mlmdx" not in str(new_names[0]):
        failures.append("deploy/kustomization.yaml: newName is not mlmdx's "
                        f"image: {new_names}")


def check_dockerfile(root, failures):
    text = (root / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    if len(stages) < 2 or stages[-1] != "debian:bookworm-slim":
        failures.append(f"Dockerfile: stages {stages}, expected a build stage "
                        "and a debian:bookworm-slim runtime")
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    if not users or not re.match(r"[1-9]\d*(:\d+)?$", users[-1]):
        failures.append(f"Dockerfile: USER {users}, expected a numeric "
                        "non-root user")
    for needle, why in [
            ("/bin/metadata_store_server", "MLMD's binary path"),
            ("EXPOSE 8080", "the gRPC port"),
            ("VOLUME /data", "the data volume"),
            ("tini", "an init process"),
            ("HEALTHCHECK", "a health check")]:
        if needle not in text:
            failures.append(f"Dockerfile: no {needle} ({why})")
    if not re.search(r"HEALTHCHECK[^\n]*(\\\n[^\n]*)*mlmdx\", \"health",
                     text):
        failures.append("Dockerfile: the health check does not run "
                        "`mlmdx health`")


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    failures = []
    check_overlay(root, failures)
    check_dockerfile(root, failures)
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
