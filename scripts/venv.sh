#!/usr/bin/env bash
# Create or update a project virtualenv; a no-op (well under a second) when up to date.
#   scripts/venv.sh main     .venv         Python 3.11, requirements-test.txt (+ devicelab/requirements.txt)
#   scripts/venv.sh newest   .venv-newest  Python 3.12, scripts/requirements-newest.txt (newest ansible-core)
# Exit 3 when the interpreter is missing (`make *-newest` then skips).
# The stamp is a hash of the interpreter and of the requirement files, so editing one of
# them reinstalls; `newest` also re-resolves once a week (ISO week in the key).
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."

kind=${1:-main}
case "$kind" in
main)
    dir=${VENV:-.venv}
    ver=${PYTHON_VERSION:-3.11}
    files=(requirements.txt requirements-test.txt tests/unit/requirements.txt)
    args=(-r requirements-test.txt)
    if [ -f devicelab/requirements.txt ]; then
        files+=(devicelab/requirements.txt)
        args+=(-r devicelab/requirements.txt)
    fi
    extra_key=""
    ;;
newest)
    dir=${VENV_NEWEST:-.venv-newest}
    ver=${NEWEST_PYTHON_VERSION:-3.12}
    files=(requirements.txt tests/unit/requirements.txt scripts/requirements-newest.txt)
    args=(--upgrade -r scripts/requirements-newest.txt)
    extra_key=$(date -u +%G-W%V)
    ;;
*)
    echo "usage: $0 main|newest" >&2
    exit 2
    ;;
esac

if ! py=$(scripts/find_python.sh "$ver"); then
    echo "venv.sh: no working python$ver found (set PYTHON${ver//./}=/path/to/python$ver)" >&2
    exit 3
fi

mkdir -p .tmp
exec 9>".tmp/venv-$kind.lock"
flock 9

key=$( { echo "$kind $py $("$py" -VV 2>&1) $extra_key"; cat "${files[@]}" "$self"; } | sha256sum | cut -d' ' -f1)
stamp="$dir/.netraven-stamp"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && "$dir/bin/python" -c '' 2>/dev/null; then
    echo "venv.sh: $dir is up to date ($("$dir/bin/python" -V 2>&1))"
    exit 0
fi

start=$(date +%s)
if [ -x "$dir/bin/python" ] && [ "$("$dir/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$ver" ]; then
    echo "venv.sh: updating $dir"
else
    echo "venv.sh: creating $dir with $py"
    rm -rf "$dir"
    "$py" -m venv "$dir"
fi
rm -f "$stamp"
"$dir/bin/python" -m pip install --disable-pip-version-check -q --progress-bar off "${args[@]}"
echo "$key" >"$stamp"
echo "venv.sh: $dir ready in $(($(date +%s) - start))s: $("$dir/bin/python" -c 'import ansible.release as r, sys; print("ansible-core", r.__version__, "on Python", sys.version.split()[0])')"
