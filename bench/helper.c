/* The processes the benchmark runs inside each init's PID namespace, and the floors the
 * inits are compared with. Built static against musl by bench/run.
 *
 *   helper floor CMD...          fork + exec + wait: the least any init can do
 *   helper floor-init CMD...     PID 1 that only loops on a blocking waitpid(-1)
 *   helper forward CMD...        the least a forwarding init can do: read a signalfd, kill
 *                                the child with what was read, waitpid on SIGCHLD
 *   helper orphans               make orphans that die after being re-parented, in batches
 *                                asked for on stdin (see orphans() below)
 *   helper sink                  on SIGUSR1, write CLOCK_MONOTONIC (ns, 8 bytes) to stdout
 *   helper exit-on-go            write 8 zero bytes (ready), wait for a byte on stdin, write
 *                                CLOCK_MONOTONIC (ns, 8 bytes) and exit 0 at once
 *   helper leftover MS           leave behind a process that, on SIGTERM, works MS ms more and
 *                                then writes "f" to stdout; write 8 zero bytes (ready) and
 *                                wait to be killed (SIGTERM's default action)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
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

static int floor_run(char** argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int floor_init(char** argv)
{
    pid_t main_child = fork();
    if (main_child == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    for (;;) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == main_child) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (pid < 0 && errno != EINTR) {
            return 1;
        }
    }
}

/* One batch: a middle process forks `count` children that ask for SIGKILL when it dies,
 * tells us their PIDs, and exits once all are ready; they die as the init's children. */
static int make_orphans(pid_t* list, int count)
{
    int pids[2], ready[2];
    if (pipe(pids) != 0 || pipe(ready) != 0) {
        perror("pipe");
        exit(1);
    }
    pid_t middle = fork();
    if (middle == 0) {
        close(pids[0]);
        close(ready[0]);
        pid_t self = getpid();
        for (int i = 0; i < count; ++i) {
            pid_t orphan = fork();
            if (orphan == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (write(ready[1], "r", 1) != 1 || getppid() != self) {
                    _exit(0);
                }
                for (;;) {
                    pause();
                }
            }
            if (orphan < 0 || write(pids[1], &orphan, sizeof orphan) != sizeof orphan) {
                _exit(1);
            }
        }
        close(ready[1]);
        char byte;
        for (int i = 0; i < count; ++i) {
            if (read(ready[0], &byte, 1) != 1) {
                _exit(1);
            }
        }
        _exit(0);
    }
    close(pids[1]);
    close(ready[1]);
    int got = 0;
    while (got < count && read(pids[0], &list[got], sizeof(pid_t)) == sizeof(pid_t)) {
        ++got;
    }
    close(pids[0]);
    close(ready[0]);
    waitpid(middle, NULL, 0);
    return got;
}

/* Blocks until every listed process has exited (is a zombie, or already gone). */
static void await_deaths(const pid_t* list, int count)
{
    struct pollfd* fds = calloc((size_t)count, sizeof *fds);
    int open_count = 0;
    for (int i = 0; i < count; ++i) {
        int fd = (int)syscall(SYS_pidfd_open, list[i], 0);
        if (fd >= 0) {
            fds[open_count].fd = fd;
            fds[open_count++].events = POLLIN;
        }
    }
    for (int done = 0; done < open_count;) {
        if (poll(fds, (nfds_t)open_count, -1) < 0 && errno != EINTR) {
            perror("poll");
            exit(1);
        }
        for (int i = 0; i < open_count; ++i) {
            if (fds[i].fd >= 0 && (fds[i].revents & POLLIN)) {
                close(fds[i].fd);
                fds[i].fd = -1; /* poll ignores negative descriptors */
                ++done;
            }
        }
    }
    free(fds);
}

/* Driven line by line from stdin, one batch at a time, so that the benchmark can stop the
 * init (SIGSTOP) while a batch dies and resume it (SIGCONT) once all of it are zombies:
 * what is then timed is the reaping alone, not the orphans' own exits.
 *   "batch K"  -> make K orphans, wait until all are dead, print "dead"; then print
 *                 "reaped T" with T the CLOCK_MONOTONIC ns at which the last was reaped. */
static int orphans(void)
{
    struct rlimit files = {200000, 200000};
    setrlimit(RLIMIT_NOFILE, &files);
    char line[64];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL) {
        int count = 0;
        if (sscanf(line, "batch %d", &count) != 1 || count <= 0) {
            break;
        }
        pid_t* list = malloc(sizeof(pid_t) * (size_t)count);
        int left = make_orphans(list, count);
        await_deaths(list, left);
        printf("dead\n");
        fflush(stdout);
        /* A zombie still answers kill(pid, 0); a reaped process does not. The pause between
         * sweeps leaves the CPUs to the init: it bounds the resolution, not what is measured. */
        struct timespec pause_between = {0, 50000};
        while (left > 0) {
            int kept = 0;
            for (int i = 0; i < left; ++i) {
                if (kill(list[i], 0) == 0) {
                    list[kept++] = list[i];
                }
            }
            left = kept;
            if (left > 0) {
                nanosleep(&pause_between, NULL);
            }
        }
        printf("reaped %llu\n", (unsigned long long)now_ns());
        fflush(stdout);
        free(list);
    }
    return 0;
}

static int forward(char** argv)
{
    sigset_t all, original;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &original);
    int signals = signalfd(-1, &all, SFD_CLOEXEC);
    pid_t child = fork();
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &original, NULL);
        execvp(argv[0], argv);
        _exit(127);
    }
    struct signalfd_siginfo info[16];
    for (;;) {
        ssize_t got = read(signals, info, sizeof info);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return 1;
        }
        for (size_t i = 0; i < (size_t)got / sizeof info[0]; ++i) {
            if (info[i].ssi_signo != SIGCHLD) {
                kill(child, (int)info[i].ssi_signo);
                continue;
            }
            int status = 0;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (pid == child) {
                    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                }
            }
        }
    }
}

static void write_stamp(uint64_t stamp)
{
    if (write(STDOUT_FILENO, &stamp, sizeof stamp) != sizeof stamp) {
        _exit(2);
    }
}

static int exit_on_go(void)
{
    write_stamp(0);
    char go;
    while (read(STDIN_FILENO, &go, 1) < 0 && errno == EINTR) {
    }
    write_stamp(now_ns());
    _exit(0);
}

static volatile sig_atomic_t asked_to_end;

static void on_term(int signal)
{
    (void)signal;
    asked_to_end = 1;
}

static int leftover(int work_ms)
{
    int ready[2];
    if (pipe(ready) != 0) {
        return 1;
    }
    pid_t left = fork();
    if (left == 0) {
        /* SIGTERM stays blocked outside sigsuspend: one that arrives before the wait
         * is not lost in the gap between the check and the wait. */
        sigset_t term, waiting;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigprocmask(SIG_BLOCK, &term, &waiting);
        sigdelset(&waiting, SIGTERM);
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_term;
        sigaction(SIGTERM, &action, NULL);
        close(ready[0]);
        close(ready[1]); /* end of file: the handler is in place */
        while (!asked_to_end) {
            sigsuspend(&waiting);
        }
        /* Work that must not be cut short: a flush, a checkpoint. */
        struct timespec work = {work_ms / 1000, (long)(work_ms % 1000) * 1000000L};
        while (nanosleep(&work, &work) != 0 && errno == EINTR) {
        }
        if (write(STDOUT_FILENO, "f", 1) != 1) {
            _exit(2);
        }
        _exit(0);
    }
    close(ready[1]);
    char byte;
    while (read(ready[0], &byte, 1) < 0 && errno == EINTR) {
    }
    write_stamp(0);
    for (;;) {
        pause();
    }
}

static void on_usr1(int signal)
{
    (void)signal;
    uint64_t stamp = now_ns();
    if (write(STDOUT_FILENO, &stamp, sizeof stamp) != sizeof stamp) {
        _exit(2);
    }
}

static int sink(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_usr1;
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &action, NULL);
    uint64_t ready = 0; /* tells the benchmark the handler is in place */
    if (write(STDOUT_FILENO, &ready, sizeof ready) != sizeof ready) {
        return 1;
    }
    for (;;) {
        pause();
    }
}

int main(int argc, char** argv)
{
    if (argc > 2 && strcmp(argv[1], "floor") == 0) {
        return floor_run(argv + 2);
    }
    if (argc > 2 && strcmp(argv[1], "floor-init") == 0) {
        return floor_init(argv + 2);
    }
    if (argc > 1 && strcmp(argv[1], "orphans") == 0) {
        return orphans();
    }
    if (argc > 2 && strcmp(argv[1], "forward") == 0) {
        return forward(argv + 2);
    }
    if (argc > 1 && strcmp(argv[1], "sink") == 0) {
        return sink();
    }
    if (argc > 1 && strcmp(argv[1], "exit-on-go") == 0) {
        return exit_on_go();
    }
    if (argc > 2 && strcmp(argv[1], "leftover") == 0) {
        return leftover(atoi(argv[2]));
    }
    fprintf(stderr, "usage: helper floor|floor-init|forward CMD... | orphans | sink | exit-on-go | leftover MS\n");
    return 2;
}
