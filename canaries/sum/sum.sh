#!/bin/sh
# Sums 1..100000 with awk and writes the total to /out/sum.txt.
seq 1 100000 | awk '{ s += $1 } END { printf "%.0f\n", s }' > /out/sum.txt
echo "summed"
