#!/bin/sh
# Shows what happens to orphans inside a PID namespace: five background 'sleep 1's
# lose their parent at once, so the kernel hands them to PID 1. When they end, only
# PID 1 can collect them; if it never does, they stay zombies (state Z) for good.
# Run by scripts/demo as a child of PID 1 in a fresh namespace.

list() {
    echo "  PID  PPID STATE COMMAND"
    for pid in $(ls /proc | grep '^[0-9]*$' | sort -n); do
        { read -r pid comm state ppid rest < "/proc/$pid/stat"; } 2>/dev/null || continue  # gone meanwhile
        printf '%5s %5s %5s %s\n' "$pid" "$ppid" "$state" "$comm"
    done
}

echo "demo: I am PID $$; leaving 5 orphans behind"
for i in 1 2 3 4 5; do
    sh -c 'sleep 1 &'     # this sh exits at once: its sleep is orphaned to PID 1
done
echo "demo: the orphans, now children of PID 1:"
list
sleep 2
echo "demo: a second later they have ended; zombies (Z) are what PID 1 did not collect:"
list
zombies=$(grep -l '^[0-9]* ([^)]*) Z' /proc/[0-9]*/stat 2>/dev/null | wc -l)
echo "demo: $zombies zombie(s) left"
