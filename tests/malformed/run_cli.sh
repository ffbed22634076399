#!/usr/bin/env bash
# Usage: run_cli.sh BINARY CORPUS_DIR
# Runs `BINARY inspect FILE` on every file listed in CORPUS_DIR/expected.tsv and requires, for
# each: a non-zero exit, exactly one line on stderr, that line containing the expected substring
# and the file name, and no sanitizer report. Also requires every *.gguf in the directory to be
# listed. Prints one line per failure; exits 1 if any.
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BINARY CORPUS_DIR" >&2
  exit 2
fi
binary=$1
dir=$2
tsv="$dir/expected.tsv"
[[ -x "$binary" ]] || { echo "not executable: $binary" >&2; exit 2; }
[[ -f "$tsv" ]] || { echo "missing $tsv" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
checked=0
fail() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}

declare -A listed=()
while IFS=$'\t' read -r name expected; do
  [[ -z "$name" ]] && continue
  listed["$name"]=1
  file="$dir/$name"
  if [[ ! -f "$file" ]]; then
    fail "$name" "listed in expected.tsv but missing"
    continue
  fi
  checked=$((checked + 1))
  "$binary" inspect "$file" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  lines=$(wc -l <"$tmp/err")
  # A last line without a newline still counts as a line.
  if [[ -s "$tmp/err" && -n "$(tail -c 1 "$tmp/err")" ]]; then lines=$((lines + 1)); fi
  err=$(cat "$tmp/err")
  if [[ $rc -eq 0 ]]; then
    fail "$name" "exit status 0, expected an error"
  elif [[ $rc -ge 128 ]]; then
    fail "$name" "killed by signal $((rc - 128))"
  fi
  if [[ $lines -ne 1 ]]; then
    fail "$name" "stderr has $lines lines, expected 1: $(head -c 2000 "$tmp/err")"
  fi
  if [[ "$err" != *"$expected"* ]]; then
    fail "$name" "stderr does not contain '$expected': $err"
  fi
  if [[ "$err" != *"$name"* ]]; then
    fail "$name" "stderr does not name the file: $err"
  fi
  if grep -q -e "Sanitizer" -e "runtime error" "$tmp/err" "$tmp/out"; then
    fail "$name" "sanitizer report"
  fi
done <"$tsv"

for file in "$dir"/*.gguf; do
  name=$(basename "$file")
  [[ -n "${listed[$name]:-}" ]] || fail "$name" "not listed in expected.tsv"
done

echo "checked $checked files, $failures failures"
[[ $failures -eq 0 ]]
