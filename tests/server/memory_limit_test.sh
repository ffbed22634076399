#!/usr/bin/env bash
# `dsinfer serve` inside a memory cgroup (what Docker and Kubernetes limits are): the KV cache's
# share of RAM is taken of the cgroup's limit, not of the machine's memory. Needs root and a
# writable memory cgroup hierarchy (v1 or v2); skips otherwise.
source "$(dirname "$0")/lib.sh" "$1"

limit=$((2 * 1024 * 1024 * 1024))
name="dsinfer-test-$$"
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root to create a memory cgroup"; exit 77; fi
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
  parent=/sys/fs/cgroup
  grep -qw memory "$parent/cgroup.subtree_control" 2>/dev/null ||
    echo +memory > "$parent/cgroup.subtree_control" 2>/dev/null
  group=$parent/$name
  limit_file=memory.max
elif [ -d /sys/fs/cgroup/memory ]; then
  parent=/sys/fs/cgroup/memory
  group=$parent/$name
  limit_file=memory.limit_in_bytes
else
  echo "SKIP: no memory cgroup hierarchy"; exit 77
fi
if ! mkdir "$group" 2>/dev/null || ! echo "$limit" > "$group/$limit_file" 2>/dev/null; then
  rmdir "$group" 2>/dev/null
  echo "SKIP: cannot create a memory cgroup with a limit under $parent"; exit 77
fi
remove_group() {
  echo $$ > "$parent/cgroup.procs" 2>/dev/null
  cleanup
  rmdir "$group" 2>/dev/null
}
trap remove_group EXIT

# What the server outside the new cgroup takes as RAM: the machine's, or the limit of the cgroup
# this test already runs in (a CI container) when that is lower.
ram=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 1024 ))
if [ "$limit_file" = memory.max ]; then
  own=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)/memory.max
else
  own=/sys/fs/cgroup/memory$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)/memory.limit_in_bytes
fi
own_limit=$(cat "$own" 2>/dev/null || echo max)
if [[ "$own_limit" =~ ^[0-9]+$ ]] && [ "$own_limit" -lt "$ram" ]; then ram=$own_limit; fi
if [ "$ram" -le $((2 * limit)) ]; then echo "SKIP: too little memory to tell a 2 GiB limit from it"; exit 77; fi

kv_blocks() { grep -o '"kv_blocks":[0-9]*' "$SERVER_LOG" | head -n 1 | cut -d: -f2; }

start_server machine --kv-cache-ram-fraction 0.01
machine_blocks=$(kv_blocks)
kill "$SERVER_PID"

echo $$ > "$group/cgroup.procs"
start_server container --kv-cache-ram-fraction 0.01
container_blocks=$(kv_blocks)

# Blocks scale with the memory they are a share of: 2 GiB against the machine's RAM.
expected=$(( machine_blocks * limit / ram ))
echo "kv blocks: machine $machine_blocks, in a 2 GiB cgroup $container_blocks (expected about $expected)"
within=$(( container_blocks >= expected * 95 / 100 && container_blocks <= expected * 105 / 100 + 1 ))
expect_eq "$within" 1 "KV cache at 1% of RAM is 1% of the cgroup's 2 GiB limit"
http GET /healthz
expect_eq "$STATUS" 200 "the server in the cgroup serves"
finish
