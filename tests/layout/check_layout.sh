#!/usr/bin/env bash
# The dependency direction host/ -> kernels/ -> physics/, with no way back (ARCHITECTURE.md):
# physics/ includes only physics/; kernels/ includes kernels/ and physics/, never host/. Also
# the size rule: no source file over LIMIT lines, but those listed in ALLOWED (files still to be
# split, each with its length when listed: it may shrink, not grow).
# Usage: check_layout.sh SOURCE_DIR. Prints each offence; exit 1 on any.
set -u
cd "$1" || exit 2
status=0
while IFS= read -r line; do
  echo "layout: physics/ must include only physics/: $line"; status=1
done < <(grep -n '#include "\(host\|kernels\)/' physics/* 2>/dev/null)
while IFS= read -r line; do
  echo "layout: kernels/ must not include host/: $line"; status=1
done < <(grep -rn '#include "host/' kernels/ 2>/dev/null)

LIMIT=500
# Files over the limit, with their length when this list was last made: the list may only
# shrink (a file here that grows, or a new file over the limit, fails).
declare -A ALLOWED=(
)
while IFS= read -r f; do
  n=$(wc -l < "$f")
  allowed=${ALLOWED[$f]:-$LIMIT}
  if [ "$n" -gt "$allowed" ]; then
    echo "layout: $f has $n lines (limit $allowed)"; status=1
  fi
done < <(find physics kernels host python -name '*.hpp' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh')
exit $status
