/* The measuring side of the benchmark, in C so that the timing is the kernel's, not an
 * interpreter's. Built by bench/run; driven by bench/bench.py, which also sets this
 * process's CPU and scheduling policy (inherited by what it starts).
 *
 *   driver startup ROUNDS NEWNS :: CMD... [:: CMD...]...
 *       runs each command once per round, interleaved, as PID 1 of a new PID namespace
 *       (NEWNS=1) or directly; prints one line per round: the wall time of each, in ns.
 *   driver signals ROUNDS PID:FD [PID:FD]...
 *       sends SIGUSR1 to each PID once per round and reads from FD the CLOCK_MONOTONIC
 *       time at which the receiving handler ran; prints one line per round: the latency
 *       for each, in ns.
 *   driver exit ROUNDS PRIO :: CMD... [:: CMD...]...
 *       each CMD ends in `helper exit-on-go`. Per round and command: starts it as PID 1 of a
 *       new PID namespace at SCHED_FIFO PRIO, tells the child to exit, and prints
 *       WALL:CPU in ns: from the child's exit to the init's, and the init's own CPU time
 *       (/proc/PID/schedstat) over that span.
 *   driver leftover ROUNDS PRIO :: CMD... [:: CMD...]...
 *       each CMD ends in `helper leftover MS`. Per round and command: starts it likewise,
 *       sends the init SIGTERM, and prints WALL:FINISHED: ns until the init exited, and 1
 *       when the leftover finished its work (0 when it was killed first). An init still
 *       there after 10 s is killed and reported as -1:0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

static const int ready_timeout_ms = 10000;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void fail(const char* what)
{
    perror(what);
    exit(1);
}

/* Splits "... :: A a :: B b" into NULL-terminated commands; returns how many. */
static int split_commands(int argc, char** argv, char** commands[], int capacity)
{
    int count = 0;
    for (int i = 0; i < argc && count < capacity; ++i) {
        if (strcmp(argv[i], "::") == 0) {
            argv[i] = NULL;
            if (i + 1 < argc) {
                commands[count++] = &argv[i + 1];
            }
        }
    }
    return count;
}

/* Starts argv with the given descriptors as 0, 1 and 2, as PID 1 of a new PID namespace
 * when asked, at SCHED_FIFO `priority` when it is above 0. */
static pid_t start(char** argv, int new_namespace, int in, int out, int err, int priority)
{
    pid_t pid = new_namespace ? (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL) : fork();
    if (pid == 0) {
        dup2(in, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        if (priority > 0) {
            struct sched_param param = {.sched_priority = priority};
            sched_setscheduler(0, SCHED_FIFO, &param);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0) {
        fail("clone");
    }
    return pid;
}

static void expect_success(pid_t pid, const char* name)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fail("waitpid");
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "driver: %s ended with wait status %d\n", name, status);
        exit(1);
    }
}

/* Reads exactly 8 bytes, waiting at most ready_timeout_ms. */
static uint64_t read_stamp(int fd, const char* name)
{
    uint64_t stamp = 0;
    size_t got = 0;
    while (got < sizeof stamp) {
        struct pollfd wait_for = {fd, POLLIN, 0};
        int ready = poll(&wait_for, 1, ready_timeout_ms);
        if (ready == 0) {
            fprintf(stderr, "driver: nothing from %s within %d ms\n", name, ready_timeout_ms);
            exit(1);
        }
        ssize_t n = ready < 0 ? -1 : read(fd, (char*)&stamp + got, sizeof stamp - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "driver: %s closed its output early\n", name);
            exit(1);
        }
        got += (size_t)n;
    }
    return stamp;
}

static uint64_t cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    FILE* file = fopen(path, "r");
    unsigned long long ns = 0;
    if (file == NULL || fscanf(file, "%llu", &ns) != 1) {
        fail(path);
    }
    fclose(file);
    return ns;
}

static int startup(int rounds, int new_namespace, int argc, char** argv)
{
    char** commands[64];
    int count = split_commands(argc, argv, commands, 64);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int round = 0; round < rounds; ++round) {
        for (int c = 0; c < count; ++c) {
            uint64_t begin = now_ns();
            pid_t pid = start(commands[c], new_namespace, null_fd, null_fd, null_fd, 0);
            expect_success(pid, commands[c][0]);
            printf("%s%llu", c ? " " : "", (unsigned long long)(now_ns() - begin));
        }
        printf("\n");
    }
    return 0;
}

static int signals(int rounds, int argc, char** argv)
{
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
            uint64_t begin = now_ns();
            if (kill(pids[t], SIGUSR1) != 0) {
                fail("kill");
            }
            latency[t] = (int64_t)(read_stamp(fds[t], "a signal sink") - begin);
        }
        for (int t = 0; t < count; ++t) {
            printf("%s%lld", t ? " " : "", (long long)latency[t]);
        }
        printf("\n");
    }
    free(latency);
    return 0;
}

static void exit_once(char** argv, int priority, int null_fd)
{
    int go[2], out[2];
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        fail("pipe2");
    }
    pid_t init = start(argv, 1, go[0], out[1], null_fd, priority);
    close(go[0]);
    close(out[1]);
    read_stamp(out[0], argv[0]); /* ready */
    uint64_t cpu_before = cpu_ns(init);
    if (write(go[1], "g", 1) != 1) {
        fail("write");
    }
    uint64_t child_exit = read_stamp(out[0], argv[0]);
    siginfo_t info;
    /* WNOWAIT: the init stays a zombie, whose schedstat still holds its whole CPU time. */
    while (waitid(P_PID, (id_t)init, &info, WEXITED | WNOWAIT) != 0) {
        if (errno != EINTR) {
            fail("waitid");
        }
    }
    uint64_t init_exit = now_ns();
    uint64_t cpu = cpu_ns(init) - cpu_before;
    expect_success(init, argv[0]);
    close(go[1]);
    close(out[0]);
    printf("%llu:%llu", (unsigned long long)(init_exit - child_exit), (unsigned long long)cpu);
}

static void leftover_once(char** argv, int priority, int null_fd)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        fail("pipe2");
    }
    pid_t init = start(argv, 1, null_fd, out[1], null_fd, priority);
    close(out[1]);
    read_stamp(out[0], argv[0]); /* ready: the leftover is in place */
    int pidfd = (int)syscall(SYS_pidfd_open, init, 0);
    if (pidfd < 0) {
        fail("pidfd_open");
    }
    uint64_t begin = now_ns();
    if (kill(init, SIGTERM) != 0) {
        fail("kill");
    }
    struct pollfd gone = {pidfd, POLLIN, 0};
    int ready;
    while ((ready = poll(&gone, 1, 10000)) < 0 && errno == EINTR) {
    }
    long long wall = ready > 0 ? (long long)(now_ns() - begin) : -1;
    if (ready <= 0) {
        kill(init, SIGKILL);
    }
    int status = 0;
    while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
    }
    /* Once PID 1 has been reaped, nothing of its namespace is left to hold the pipe. */
    int finished = 0;
    char buffer[64];
    ssize_t got;
    while ((got = read(out[0], buffer, sizeof buffer)) != 0) {
        if (got < 0 && errno != EINTR) {
            fail("read");
        }
        finished = finished || (got > 0 && memchr(buffer, 'f', (size_t)got) != NULL);
    }
    close(out[0]);
    close(pidfd);
    printf("%lld:%d", wall, finished);
}

static int per_round(void (*once)(char**, int, int), int rounds, int priority, int argc, char** argv)
{
    char** commands[64];
    int count = split_commands(argc, argv, commands, 64);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int round = 0; round < rounds; ++round) {
        for (int c = 0; c < count; ++c) {
            if (c > 0) {
                printf(" ");
            }
            once(commands[c], priority, null_fd);
        }
        printf("\n");
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char** argv)
{
    if (argc > 4 && strcmp(argv[1], "startup") == 0) {
        return startup(atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
    }
    if (argc > 3 && strcmp(argv[1], "signals") == 0) {
        return signals(atoi(argv[2]), argc - 3, argv + 3);
    }
    if (argc > 4 && strcmp(argv[1], "exit") == 0) {
        return per_round(exit_once, atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
    }
    if (argc > 4 && strcmp(argv[1], "leftover") == 0) {
        return per_round(leftover_once, atoi(argv[2]), atoi(argv[3]), argc - 4, argv + 4);
    }
    fprintf(stderr, "usage: driver startup ROUNDS NEWNS :: CMD... | signals ROUNDS PID:FD... |\n"
                    "              exit ROUNDS PRIO :: CMD... | leftover ROUNDS PRIO :: CMD...\n");
    return 2;
}
