# Shared by the end-to-end scripts that use a Python tool: installs a pinned package from
# PyPI into its own virtual environment under target/e2e-tools, once, never globally.
#
#   source "$(dirname "$0")/lib/python_tool.sh"
#   python_tool NAME PACKAGE VERSION COMMAND   sets $venv; fails the script if it cannot

python_tool() {
    local name="$1" package="$2" version="$3" command="$4"
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    venv="$root/target/e2e-tools/$package-venv"
    command -v python3 >/dev/null 2>&1 || { echo "$name: python3 is not installed" >&2; exit 1; }
    if [[ "$("$venv/bin/$command" --version 2>/dev/null || true)" != *"$version"* ]]; then
        echo "$name: installing $package $version into $venv"
        python3 -m venv "$venv" || { echo "$name: could not create a virtual environment (python3 -m venv)" >&2; exit 1; }
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" \
            || { echo "$name: could not install $package with pip" >&2; exit 1; }
    fi
}
