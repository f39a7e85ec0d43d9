/* runstat: run a command N times and print its median and 95th-percentile
 * wall time and its peak resident memory. A C helper, because a child forked
 * from a big interpreter would report the interpreter's memory as its own.
 *
 * usage: runstat [--any-status] [--before SHELL_COMMAND] RUNS COMMAND [ARG...]
 * prints: median_ms p95_ms peak_rss_kib start_ms
 * start_ms is CLOCK_MONOTONIC (in ms) when the last run was forked, so that a
 * caller can time a run up to an event it sees itself (bench/handlers.py:
 * a handler's first response). --any-status accepts any exit status (a
 * handler leaves its loop with 1 when the fake Runtime API stops serving).
 * --before runs SHELL_COMMAND (sh -c) before each run, untimed, e.g. to
 * empty an output directory for a cold build (bench/build.sh). */
#define _DEFAULT_SOURCE /* wait4 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Runs the --before command; false (with a message) if it fails. */
static bool run_before(const char *command) {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
  }
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
    fprintf(stderr, "runstat: '%s' failed\n", command);
    return false;
  }
  return true;
}

int main(int argc, char **argv) {
  bool any_status = false;
  const char *before = NULL;
  for (;;) {
    if (argc > 1 && !strcmp(argv[1], "--any-status")) {
      any_status = true;
      argv++;
      argc--;
    } else if (argc > 2 && !strcmp(argv[1], "--before")) {
      before = argv[2];
      argv += 2;
      argc -= 2;
    } else {
      break;
    }
  }
  if (argc < 3) {
    fprintf(stderr, "usage: runstat [--any-status] [--before SHELL_COMMAND] RUNS COMMAND [ARG...]\n");
    return 2;
  }
  int runs = atoi(argv[1]);
  if (runs < 1)
    runs = 1;
  double *ms = malloc((size_t)runs * sizeof *ms);
  long peak = 0;
  double start = 0;
  for (int i = 0; i < runs; i++) {
    if (before && !run_before(before))
      return 1;
    start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
      if (!freopen("/dev/null", "w", stdout))
        _exit(127);
      execvp(argv[2], argv + 2);
      _exit(127);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) {
      perror("runstat");
      return 2;
    }
    ms[i] = now_ms() - start;
    if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && !any_status)) {
      fprintf(stderr, "runstat: '%s' failed\n", argv[2]);
      return 1;
    }
    if (ru.ru_maxrss > peak)
      peak = ru.ru_maxrss;
  }
  qsort(ms, (size_t)runs, sizeof *ms, compare_doubles);
  int p95 = (int)(runs * 0.95);
  if (p95 >= runs)
    p95 = runs - 1;
  printf("%.2f %.2f %ld %.3f\n", ms[runs / 2], ms[p95], peak, start);
  free(ms);
  return 0;
}
