#!/bin/sh
# Runs in the sandbox with the inputs in the work directory (the current directory) and /out for results.
# Needs only sh and coreutils. The output must be the same on every provider: no dates, hostnames or pids.
set -eu

greeting=$(cat greeting.txt)
echo "$greeting"
echo "greeting.txt has $(wc -l < greeting.txt | tr -d ' ') line(s)"
echo "this line goes to stderr" >&2

{
    echo "$greeting"
    echo "kernel: $(uname -s)"
    printf 'shouting: %s\n' "$(printf '%s' "$greeting" | tr '[:lower:]' '[:upper:]')"
} > /out/hello.txt

echo "wrote /out/hello.txt"
