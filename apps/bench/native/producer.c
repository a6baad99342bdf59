/*
 * producer: the event storm for the ingest benchmark.
 *
 *   producer DIR OPS RATE [STAMPS]
 *
 * Cycles over the 100 files DIR/f00 .. DIR/f99 (which must already exist, so that
 * no IN_CREATE is generated): open(O_CREAT | O_WRONLY), write one byte at offset 0,
 * close. Each operation makes the kernel queue exactly three events for a watch on
 * DIR with IN_ALL_EVENTS: IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE (no O_TRUNC, so no
 * second IN_MODIFY; the file stays one byte long).
 *
 * RATE 0 runs as fast as the machine allows. RATE > 0 paces the operations at RATE
 * per second on absolute CLOCK_MONOTONIC deadlines and, when STAMPS is given, writes
 * to it one little-endian int64 per operation: CLOCK_MONOTONIC in nanoseconds taken
 * right before the write(2) that queues that operation's IN_MODIFY.
 *
 * Pacing sleeps only when the next deadline is more than SLACK_NS away, with the
 * thread's timer slack set to 1 ns: a sleep per operation would cost more than the
 * period at high rates (the default 50 us slack alone caps it near 20,000 per
 * second). Above 1 / SLACK_NS operations per second, operations therefore go in
 * bursts of SLACK_NS worth; below it (the light rates), every operation waits for its
 * own deadline.
 *
 * Prints one JSON line on stdout: {"ops":N,"elapsedNs":N}. Exits 1 with a message on
 * stderr naming the failed call on any error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLACK_NS 100000

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, const char *arg) {
  fprintf(stderr, "producer: %s(%s) failed: %s\n", what, arg, strerror(errno));
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: producer DIR OPS RATE [STAMPS]\n");
    return 2;
  }
  const char *dir = argv[1];
  long ops = strtol(argv[2], NULL, 10);
  long rate = strtol(argv[3], NULL, 10);
  const char *stamps_path = argc == 5 ? argv[4] : NULL;
  if (ops <= 0 || rate < 0) {
    fprintf(stderr, "producer: OPS must be > 0 and RATE >= 0\n");
    return 2;
  }

  /* chdir, not open(DIR): opening the directory would queue IN_OPEN and
   * IN_CLOSE_NOWRITE on the watched directory itself. */
  if (chdir(dir) != 0) die("chdir", dir);

  char names[100][4];
  for (int i = 0; i < 100; i++) snprintf(names[i], sizeof names[i], "f%02d", i);

  int64_t *stamps = NULL;
  if (stamps_path != NULL) {
    stamps = calloc((size_t)ops, sizeof *stamps);
    if (stamps == NULL) die("calloc", "stamps");
  }

  if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) != 0) die("prctl", "PR_SET_TIMERSLACK");
  const int64_t period = rate > 0 ? 1000000000 / rate : 0;
  const int64_t start = now_ns();
  for (long i = 0; i < ops; i++) {
    const int64_t due = start + (int64_t)i * period;
    if (period > 0 && due - now_ns() > SLACK_NS) {
      struct timespec ts = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
      int rc;
      while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR) {
      }
      if (rc != 0) {
        errno = rc;
        die("clock_nanosleep", "CLOCK_MONOTONIC");
      }
    }
    const char *name = names[i % 100];
    int fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) die("openat", name);
    if (stamps != NULL) stamps[i] = now_ns();
    if (write(fd, "x", 1) != 1) die("write", name);
    if (close(fd) != 0) die("close", name);
  }
  const int64_t elapsed = now_ns() - start;

  if (stamps != NULL) {
    FILE *out = fopen(stamps_path, "wb");
    if (out == NULL) die("fopen", stamps_path);
    if (fwrite(stamps, sizeof *stamps, (size_t)ops, out) != (size_t)ops) die("fwrite", stamps_path);
    if (fclose(out) != 0) die("fclose", stamps_path);
  }
  printf("{\"ops\":%ld,\"elapsedNs\":%lld}\n", ops, (long long)elapsed);
  return 0;
}
