/* A PID 1 that runs one command and exits when it does, with the steps of reaper's exit
 * path switched on one by one, so that bench/profile.py can price each:
 *
 *   exitsteps STEPS CMD...
 *     STEPS holds any of (or "-" for none, the bare waitpid PID 1):
 *       s  wake through a signalfd: poll it, read it, then waitpid(WNOHANG) -- instead of
 *          blocking in waitpid
 *       r  wake through a signalfd read alone (no poll)
 *       w  two more waitpid(-1, WNOHANG|__WALL|WUNTRACED) once the child is reaped (ECHILD)
 *       g  getpid() twice
 *       k  kill(-1, 0): is anything else left in the namespace?
 *       l  read /proc/loadavg: was any process but the command ever created in it?
 *       p  the same, through a descriptor opened before the fork: pread at offset 0
 *       c  close the signalfd before exiting
 *       t  touch 24 KiB more of stack (reaper's stack holds 20-28 KiB where this holds 8)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(const char* steps, char** argv)
{
    int signalfd_wake = strchr(steps, 's') != NULL || strchr(steps, 'r') != NULL;
    sigset_t all, original;
    sigfillset(&all);
    int signals = -1;
    if (signalfd_wake) {
        sigprocmask(SIG_BLOCK, &all, &original);
        signals = signalfd(-1, &all, SFD_CLOEXEC);
    }
    int loadavg = strchr(steps, 'p') != NULL ? open("/proc/loadavg", O_RDONLY | O_CLOEXEC) : -1;
    pid_t child = fork();
    if (child == 0) {
        if (signalfd_wake) {
            sigprocmask(SIG_SETMASK, &original, NULL);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    int flags = WNOHANG | __WALL | WUNTRACED;
    if (signalfd_wake) {
        struct signalfd_siginfo batch[16];
        do {
            if (strchr(steps, 's') != NULL) {
                struct pollfd wait_for = {signals, POLLIN, 0};
                poll(&wait_for, 1, -1);
            }
            if (read(signals, batch, sizeof batch) < 0) {
                return 1;
            }
        } while (waitpid(-1, &status, flags) != child);
    } else {
        while (waitpid(-1, &status, 0) != child) {
        }
    }
    if (strchr(steps, 'w') != NULL) {
        waitpid(-1, &status, flags);
        waitpid(-1, &status, flags);
    }
    if (strchr(steps, 'g') != NULL) {
        syscall(SYS_getpid);
        syscall(SYS_getpid);
    }
    if (strchr(steps, 'k') != NULL) {
        kill(-1, 0);
    }
    if (strchr(steps, 'l') != NULL) {
        char text[128];
        int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t got = read(fd, text, sizeof text);
            close(fd);
            status += got < 0;
        }
    }
    if (loadavg >= 0) {
        char text[128];
        status += pread(loadavg, text, sizeof text, 0) < 0;
    }
    if (strchr(steps, 'c') != NULL && signals >= 0) {
        close(signals);
    }
    return 0;
}

int main(int argc, char** argv)
{
    if (argc < 3) {
        return 2;
    }
    if (strchr(argv[1], 't') != NULL) {
        volatile char stack[24 * 1024];
        memset((char*)stack, 1, sizeof stack);
        return run(argv[1], argv + 2) + stack[0] - 1;
    }
    return run(argv[1], argv + 2);
}
