/*
 * consumer: the native floor of the ingest benchmark.
 *
 *   consumer DIR MASK EXPECTED [LATENCY]
 *
 * The least a program can do to receive every event: one inotify instance
 * (IN_NONBLOCK | IN_CLOEXEC), one watch on DIR with MASK (a number, such as 0xfc6),
 * poll(2) for POLLIN, read(2) into a 64 KiB buffer until EAGAIN, walk the buffer. Per
 * event it does what the inotify-ts consumers do: counts it and checks it against the
 * producer's order (of IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE, those in MASK, for f00,
 * then f01, ...).
 *
 * Protocol with the bench (stdout, one line each): "ready" once the watch is armed;
 * "done" once EXPECTED events have been seen; then, when the directory "stop" is
 * created in DIR, a JSON summary line, and exit 0. With LATENCY > 0 it records
 * CLOCK_MONOTONIC (ns) when each of the first LATENCY IN_MODIFY events is walked
 * and adds them to the summary as "deliveredNs".
 *
 *   struct inotify_event, as read(2) returns it (several back to back):
 *   0        4        8        12       16
 *   +--------+--------+--------+--------+------------------------------+
 *   | wd i32 |mask u32|cookie  | len u32| name[len], NUL-padded        |
 *   +--------+--------+--------+--------+------------------------------+
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#define BUF_BYTES (64 * 1024)

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, const char *arg) {
  fprintf(stderr, "consumer: %s(%s) failed: %s\n", what, arg, strerror(errno));
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: consumer DIR MASK EXPECTED [LATENCY]\n");
    return 2;
  }
  const char *dir = argv[1];
  const uint32_t mask = (uint32_t)strtoul(argv[2], NULL, 0);
  const long expected = strtol(argv[3], NULL, 10);
  const long latency_max = argc == 5 ? strtol(argv[4], NULL, 10) : 0;

  /* The events one producer operation queues under MASK, in the kernel's order. */
  static const uint32_t op[3] = {IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE};
  uint32_t order[3];
  long per_op = 0;
  for (int i = 0; i < 3; i++)
    if (mask & op[i]) order[per_op++] = op[i];
  if (per_op == 0) {
    fprintf(stderr, "consumer: MASK %s has none of IN_OPEN, IN_MODIFY, IN_CLOSE_WRITE\n", argv[2]);
    return 2;
  }

  int64_t *delivered = NULL;
  if (latency_max > 0) {
    delivered = calloc((size_t)latency_max, sizeof *delivered);
    if (delivered == NULL) die("calloc", "latency");
  }

  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) die("inotify_init1", "IN_NONBLOCK|IN_CLOEXEC");
  if (inotify_add_watch(fd, dir, mask) < 0) die("inotify_add_watch", dir);

  char names[100][4];
  for (int i = 0; i < 100; i++) snprintf(names[i], sizeof names[i], "f%02d", i);

  printf("ready\n");
  fflush(stdout);

  static char buf[BUF_BYTES] __attribute__((aligned(__alignof__(struct inotify_event))));
  long events = 0, overflows = 0, order_errors = 0, first_order_error = -1, modifies = 0;
  int stopped = 0;
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  while (!stopped) {
    if (poll(&pfd, 1, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll", dir);
    }
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EAGAIN) break;
        if (errno == EINTR) continue;
        die("read", dir);
      }
      ssize_t off = 0;
      while (off < n) {
        if ((size_t)(n - off) < sizeof(struct inotify_event)) {
          fprintf(stderr, "consumer: truncated header at %zd of %zd\n", off, n);
          return 1;
        }
        const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
        if (ev->len > (size_t)(n - off) - sizeof(struct inotify_event)) {
          fprintf(stderr, "consumer: name length %u overruns the buffer at %zd\n", ev->len, off);
          return 1;
        }
        off += (ssize_t)(sizeof(struct inotify_event) + ev->len);
        if (ev->mask & IN_Q_OVERFLOW) {
          overflows++;
          continue;
        }
        if (ev->len > 0 && strcmp(ev->name, "stop") == 0) {
          if (ev->mask & IN_CREATE) stopped = 1;
          continue;
        }
        const long k = events++;
        const char *want = names[(k / per_op) % 100];
        if (ev->mask != order[k % per_op] || ev->len == 0 || strcmp(ev->name, want) != 0) {
          if (first_order_error < 0) first_order_error = k;
          order_errors++;
        }
        if (delivered != NULL && ev->mask == IN_MODIFY && modifies < latency_max) {
          delivered[modifies++] = now_ns();
        }
        if (events == expected) {
          printf("done\n");
          fflush(stdout);
        }
      }
    }
  }

  printf("{\"events\":%ld,\"overflows\":%ld,\"orderErrors\":%ld,\"firstOrderError\":%ld,\"deliveredNs\":[",
         events, overflows, order_errors, first_order_error);
  for (long i = 0; i < modifies; i++) printf(i == 0 ? "%lld" : ",%lld", (long long)delivered[i]);
  printf("]}\n");
  return 0;
}
