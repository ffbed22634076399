#!/usr/bin/env bash
# Tables and plots from the scenario results: writes DIR/summary.md (Markdown tables of every
# result found) and, when concurrency_<N>.json files exist, DIR/throughput_vs_concurrency.png
# and DIR/p99_latency_vs_concurrency.png (gnuplot, Debian package gnuplot-nox).
# Usage: bench/scenarios/report.sh DIR [DIR...]   (several DIRs: each is summarized on its own)
# Environment: PLOT_TITLE (a suffix for the plot titles, e.g. the model and machine).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { sed -n '2,6p' "$0" | sed 's/^# //'; exit 2; }

for dir in "$@"; do
  [ -d "$dir" ] || { echo "report.sh: $dir is not a directory" >&2; exit 2; }
  python3 "$here/summarize.py" all "$dir" >"$dir/summary.md"
  echo "report.sh: wrote $dir/summary.md" >&2
  python3 "$here/summarize.py" concurrency-dat "$dir" >"$dir/concurrency.dat"
  if [ "$(grep -vc '^#' "$dir/concurrency.dat")" -lt 1 ]; then
    rm -f "$dir/concurrency.dat"
    continue
  fi
  if ! command -v gnuplot >/dev/null; then
    echo "report.sh: gnuplot not installed (apt-get install gnuplot-nox); no plots" >&2
    continue
  fi
  title=${PLOT_TITLE:-}
  gnuplot <<GNUPLOT
set terminal pngcairo size 900,560 font "DejaVu Sans,11"
set datafile commentschars "#"
set logscale x 2
set xlabel "concurrent streams"
set grid
set key top left
set output "$dir/throughput_vs_concurrency.png"
set title "Throughput vs concurrency${title:+ ($title)}"
set ylabel "output tokens/s"
set y2label "requests/s"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
plot "$dir/concurrency.dat" using 1:3:xtic(1) with linespoints lw 2 pt 7 title "output tokens/s", \
     "$dir/concurrency.dat" using 1:2 axes x1y2 with linespoints lw 2 pt 5 title "requests/s"
set output "$dir/p99_latency_vs_concurrency.png"
set title "p99 latency vs concurrency${title:+ ($title)}"
unset y2label
unset y2tics
set ytics mirror
set logscale y 10
set yrange [*:*]
set ylabel "milliseconds (log scale)"
plot "$dir/concurrency.dat" using 1:4:xtic(1) with linespoints lw 2 pt 7 title "end-to-end p99", \
     "$dir/concurrency.dat" using 1:5 with linespoints lw 2 pt 5 title "time to first token p99", \
     "$dir/concurrency.dat" using 1:6 with linespoints lw 2 pt 9 title "time per output token p99"
GNUPLOT
  echo "report.sh: wrote $dir/throughput_vs_concurrency.png and $dir/p99_latency_vs_concurrency.png" >&2
done
