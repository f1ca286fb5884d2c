/* The measuring side of the benchmark, in C so that the timing is the kernel's, not an
 * interpreter's. Built by bench/run; driven by bench/bench.py.
 *
 *   driver startup ROUNDS NEWNS :: CMD... [:: CMD...]...
 *       runs each command once per round, interleaved, as PID 1 of a new PID namespace
 *       (NEWNS=1) or directly; prints one line per round: the wall time of each, in ns.
 *   driver signals ROUNDS CPU PID:FD [PID:FD]...
 *       pinned to CPU (-1: anywhere), sends SIGUSR1 to each PID once per round and reads
 *       from FD the CLOCK_MONOTONIC time at which the receiving handler ran; prints one
 *       line per round: the latency for each, in ns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static uint64_t run_once(char** argv, int new_namespace, int null_fd)
{
    uint64_t start = now_ns();
    pid_t pid = new_namespace ? (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL) : fork();
    if (pid == 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0) {
        perror("clone");
        exit(1);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    uint64_t elapsed = now_ns() - start;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "driver: %s exited with status %d\n", argv[0], status);
        exit(1);
    }
    return elapsed;
}

static int startup(int rounds, int new_namespace, int argc, char** argv)
{
    char** commands[64];
    int count = 0;
    for (int i = 0; i < argc && count < 64; ++i) {
        if (strcmp(argv[i], "::") == 0) {
            argv[i] = NULL;
            if (i + 1 < argc) {
                commands[count++] = &argv[i + 1];
            }
        }
    }
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int round = 0; round < rounds; ++round) {
        for (int c = 0; c < count; ++c) {
            printf("%s%llu", c ? " " : "", (unsigned long long)run_once(commands[c], new_namespace, null_fd));
        }
        printf("\n");
    }
    return 0;
}

static int signals(int rounds, int cpu, int argc, char** argv)
{
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    pid_t pids[64];
    int fds[64];
    int count = 0;
    for (int i = 0; i < argc && count < 64; ++i, ++count) {
        if (sscanf(argv[i], "%d:%d", &pids[count], &fds[count]) != 2) {
            fprintf(stderr, "driver: bad target %s\n", argv[i]);
            return 2;
        }
    }
    int64_t* latency = calloc((size_t)count, sizeof *latency);
    for (int round = 0; round < rounds; ++round) {
        /* Each round starts with a different target, so that none is always first. */
        for (int step = 0; step < count; ++step) {
            int t = (round + step) % count;
            uint64_t start = now_ns();
            if (kill(pids[t], SIGUSR1) != 0) {
                perror("kill");
                return 1;
            }
            uint64_t handled = 0;
            ssize_t got;
            while ((got = read(fds[t], &handled, sizeof handled)) < 0 && errno == EINTR) {
            }
            if (got != sizeof handled) {
                fprintf(stderr, "driver: no answer from %d\n", pids[t]);
                return 1;
            }
            latency[t] = (int64_t)(handled - start);
        }
        for (int t = 0; t < count; ++t) {
            printf("%s%lld", t ? " " : "", (long long)latency[t]);
        }
        printf("\n");
    }
    free(latency);
    return 0;
}

int main(int argc, char** argv)
{
    if (argc > 4 && strcmp(argv[1], "startup") == 0) {
        return startup(atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
    }
    if (argc > 4 && strcmp(argv[1], "signals") == 0) {
        return signals(atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
    }
    fprintf(stderr, "usage: driver startup ROUNDS NEWNS :: CMD... | signals ROUNDS CPU PID:FD...\n");
    return 2;
}
