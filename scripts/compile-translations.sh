#!/usr/bin/env bash
# Compile the message catalogues (.po -> .mo) when there are any and one is out of date.
# usage: scripts/compile-translations.sh [PYBABEL]
set -euo pipefail

pybabel=${1:-.venv/bin/pybabel}
dir=marketplace/translations

[[ -d $dir ]] || exit 0
stale=0
found=0
while IFS= read -r -d '' po; do
    found=1
    mo=${po%.po}.mo
    if [[ ! -f $mo || $po -nt $mo ]]; then
        stale=1
    fi
done < <(find "$dir" -name '*.po' -print0)

if [[ $found -eq 1 && $stale -eq 1 ]]; then
    "$pybabel" compile -d "$dir" -f
fi
