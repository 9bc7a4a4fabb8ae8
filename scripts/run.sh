#!/usr/bin/env bash
# Runs Confab from a checkout the way the README says: builds the admin console (installing
# what it needs the first time), then the server in release mode, which serves the console
# at /admin/. Arguments go to the server (e.g. `scripts/run.sh migrate`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/build-admin-ui.sh
exec cargo run --release --locked -p confab-server -- "$@"
