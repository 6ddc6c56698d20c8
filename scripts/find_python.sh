#!/usr/bin/env bash
# Print the absolute path of a working python interpreter of version X.Y, or exit 1.
#   scripts/find_python.sh 3.12
# Order: $PYTHON<XY> (e.g. PYTHON312), pyenv's installs (the pyenv shims for versions that
# are not pyenv-global do not work, so never trust a shim), then python<X.Y> on PATH.
set -uo pipefail
ver=${1:?usage: find_python.sh X.Y}
var="PYTHON${ver//./}"

works() {
    [ -n "$1" ] && [ -x "$1" ] &&
        "$1" -c "import sys, venv, ensurepip; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$ver' else 1)" 2>/dev/null
}

candidates=()
[ -n "${!var:-}" ] && candidates+=("${!var}")
if command -v pyenv >/dev/null 2>&1; then
    prefix=$(pyenv prefix "$ver" 2>/dev/null | head -n1) && candidates+=("$prefix/bin/python$ver")
fi
pyroot=${PYENV_ROOT:-$HOME/.pyenv}
while IFS= read -r p; do
    [ -e "$p" ] && candidates+=("$p")
done < <(printf '%s\n' "$pyroot"/versions/"$ver"*/bin/python"$ver" | sort -rV)
p=$(command -v "python$ver" 2>/dev/null) && candidates+=("$p")
for p in /usr/bin/python"$ver" /usr/local/bin/python"$ver"; do candidates+=("$p"); done

for p in "${candidates[@]}"; do
    case "$p" in */shims/*) continue ;; esac
    if works "$p"; then
        echo "$p"
        exit 0
    fi
done
exit 1
