# What the side-by-side benchmark scripts (bench_compare.sh, bench_fibre.sh) share; sourced.
seconds() {  # seconds COMMAND...: wall time of one run
  local start end
  start=$(date +%s%N)
  "$@" > /dev/null 2>&1
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
machine() { echo "== machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"; }
