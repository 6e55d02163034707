#!/usr/bin/env bash
# Compile the message catalogues (.po -> .mo) when there are any.
# usage: scripts/compile-translations.sh [PYBABEL]
set -euo pipefail

pybabel=${1:-.venv/bin/pybabel}
dir=marketplace/translations

if [[ -d $dir ]] && find "$dir" -name '*.po' -print -quit | grep -q .; then
    "$pybabel" compile -d "$dir" -f
fi
