#!/usr/bin/env bash
# startup.sh: the serial part of a run, which bounds how far more threads can take it (Amdahl):
# the fastest of REPEAT=31 runs (fork, exec, wait timed by a small C timer) of
#   a C program that does nothing           (process start, for scale)
#   evtriage --help                         (start plus the dynamic loader; --version also loads
#                                           libarchive and libcrypto to ask their versions)
#   evtriage analyze -jN over an empty dir  (plus the rule packs, the error-code table, the pool)
#   evtriage analyze -jN over the corpus    (everything)
# for N = 1, 2 (and the core count where it is higher), then the serial share of the corpus run
# and the speed-up it allows on 16 threads; then the calling thread's own CPU time over the
# corpus at -j16 (it loads the rules, walks the inputs, delivers every result in order and writes
# the report: a run cannot be shorter), the least of REPEAT runs (as above) read from
# /proc/thread-self/schedstat by a preloaded shim, and the speed-up that allows.
# usage: bench/startup.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build}/evtriage")
SHARED=${EVTRIAGE_SHARED:-../shared}
REPEAT=${REPEAT:-31}
NCPU=$(nproc)
[ -x "$BIN" ] || { echo "no $BIN: build first" >&2; exit 2; }
command -v cc >/dev/null || { echo "cc missing" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf 'int main(void) { return 0; }\n' >"$WORK/nothing.c"
cat >"$WORK/best.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
/* best N CMD...: the fastest of N runs of CMD (stdout and stderr to /dev/null), in ms */
int main(int argc, char **argv)
{
    int n = atoi(argv[1]);
    double best = 1e9;
    for (int i = 0; i < n; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pid_t p = fork();
        if (p == 0) {
            int fd = open("/dev/null", O_WRONLY);
            dup2(fd, 1); dup2(fd, 2);
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int st;
        waitpid(p, &st, 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
        if (ms < best) best = ms;
    }
    printf("%.2f", best);
    return 0;
}
C
cat >"$WORK/oncpu.c" <<'C'
#include <stdio.h>
/* preloaded: at exit, the calling thread's time on a CPU (ns, from schedstat) on stderr */
__attribute__((destructor)) static void report(void)
{
    unsigned long long run = 0;
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    if (f && fscanf(f, "%llu", &run) == 1) fprintf(stderr, "oncpu-ns %llu\n", run);
    if (f) fclose(f);
}
C
cc -O2 -o "$WORK/nothing" "$WORK/nothing.c" && cc -O2 -o "$WORK/best" "$WORK/best.c" &&
  cc -O2 -shared -fPIC -o "$WORK/oncpu.so" "$WORK/oncpu.c" || exit 2
mkdir "$WORK/empty"
best_ms() { "$WORK/best" "$REPEAT" "$@"; }
jobs_list="1 2"
[ "$NCPU" -gt 2 ] && jobs_list="1 2 $NCPU"
printf "%-44s %8s\n" "run" "ms"
printf "%-44s %8s\n" "a C program that does nothing" "$(best_ms "$WORK/nothing")"
printf "%-44s %8s\n" "evtriage --help" "$(best_ms "$BIN" --help)"
for j in $jobs_list; do
  e=$(best_ms "$BIN" analyze -q -j"$j" --json /dev/null "$WORK/empty")
  c=$(best_ms "$BIN" analyze -q -j"$j" --json /dev/null "$SHARED/corpus")
  printf "%-44s %8s\n" "analyze -j$j, empty folder" "$e" "analyze -j$j, ../shared/corpus" "$c"
  [ "$j" = 1 ] && c1=$c
  [ "$j" = 2 ] && awk -v e="$e" -v c="$c" -v c1="$c1" 'BEGIN {
    printf "serial share at -j2: %.0f%% (empty run / corpus run); 16 threads could reach at most %.1fx\n",
      100 * e / c, c1 / (e + (c1 - e) / 16) }'
done
# the calling thread's own work over the corpus with 16 workers (on fewer cores they take turns,
# which leaves its work the same): the least of REPEAT runs
main_ms=$(for i in $(seq "$REPEAT"); do
  LD_PRELOAD="$WORK/oncpu.so" "$BIN" analyze -q -j16 --json /dev/null "$SHARED/corpus" 2>&1 >/dev/null |
    sed -n 's/^oncpu-ns //p'
done | sort -n | awk 'NR == 1 { printf "%.2f", $1 / 1e6 }')
if [ -n "$main_ms" ]; then
  printf "%-44s %8s\n" "calling thread on CPU, -j16 corpus (least)  " "$main_ms"
  awk -v m="$main_ms" -v c1="$c1" 'BEGIN {
    printf "the calling thread bounds 16 threads at %.1fx (-j1 corpus run / its time; at most 16x)\n",
      c1 / (m > c1 / 16 ? m : c1 / 16) }'
fi
