// The command the fault and hostile-environment tests run under reaper: it does what the
// test asks, line by line on stdin, and says what it saw on stdout.
//
//   start            prints "ready PID"; every signal but SIGCHLD is printed as "sig N"
//   orphans N        leaves N orphans that die only after re-parenting: "orphaned N"
//   leave            leaves a daemon (double fork, setsid) that prints "daemon N" for each
//                    signal; on SIGTERM or SIGINT it takes 300 ms to finish, prints
//                    "daemon done" and exits: "left PID"
//   exit N           exits with N (so does EOF on stdin, with 0)
//   pid              "pid PID PPID" of itself
//   std              prints "std", then replaces descriptors 0-2 with /dev/null (or closes
//                    them if it cannot open it): from then on only signals reach it (SIGUSR1:
//                    exit 7)
//   setpgid          joins the process group of a helper child of its own (so that its
//                    group is no longer its PID): "moved PGID"
//   setsid           the same, then makes itself a session leader (setsid needs a process
//                    that leads no group): "moved PGID"
//   fork N           tries N forks of children that exit at once: "forked K" (K <= N)
//   churn MS         for MS milliseconds, leaves orphans as fast as it can, going on when
//                    fork fails: "churned N failed M" (N orphans left, M forks refused)
//   hog              prints "hogging", then touches memory, 1 MiB at a time, until killed
//
// All signals are blocked and read from a signalfd, so the order of what it prints is the
// order things happened.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

int signal_fd = -1;
bool talking = true;  // false once 0-2 are gone: then SIGUSR1 means exit 7

void say(const std::string& line)
{
    if (!talking) {
        return;
    }
    std::string text = line + "\n";
    if (write(STDOUT_FILENO, text.data(), text.size()) < 0) {
        _exit(90);
    }
}

[[noreturn]] void die(const char* what)
{
    std::fprintf(stderr, "faultload: %s: %s\n", what, std::strerror(errno));
    _exit(91);
}

void reap_own()
{
    while (waitpid(-1, nullptr, WNOHANG | __WALL) > 0) {
    }
}

void leave_orphans(long count)
{
    pid_t middle = fork();
    if (middle < 0) {
        die("fork");
    }
    if (middle == 0) {
        pid_t self = getpid();
        for (long i = 0; i < count; ++i) {
            pid_t orphan = fork();
            if (orphan == 0) {
                // The kernel sends it after re-parenting: each dies as its new parent's child.
                prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L);
                if (getppid() != self) {
                    _exit(0);
                }
                for (;;) {
                    pause();
                }
            }
        }
        _exit(0);
    }
    while (waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
    }
    say("orphaned " + std::to_string(count));
}

void leave_daemon()
{
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
        die("pipe2");
    }
    pid_t middle = fork();
    if (middle == 0) {
        if (fork() == 0) {
            setsid();
            pid_t self = getpid();
            if (write(ready[1], &self, sizeof self) != sizeof self) {
                _exit(94);
            }
            for (;;) {
                signalfd_siginfo info{};
                if (read(signal_fd, &info, sizeof info) != sizeof info) {
                    continue;
                }
                if (info.ssi_signo == SIGCHLD) {
                    continue;
                }
                say("daemon " + std::to_string(info.ssi_signo));
                if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) {
                    // What a database does: some time to finish its writes, then gone.
                    poll(nullptr, 0, 300);
                    say("daemon done");
                    _exit(0);
                }
            }
        }
        _exit(0);
    }
    close(ready[1]);
    waitpid(middle, nullptr, 0);
    pid_t daemon = 0;
    if (read(ready[0], &daemon, sizeof daemon) != sizeof daemon) {
        die("daemon not ready");
    }
    close(ready[0]);
    say("left " + std::to_string(daemon));
}

void replace_std()
{
    say("std");
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; ++fd) {
        if (null >= 0) {
            dup2(null, fd);
        } else {
            close(fd);
        }
    }
    if (null > 2) {
        close(null);
    }
    talking = false;
}

void fork_children(long count)
{
    long made = 0;
    for (; made < count; ++made) {
        pid_t pid = fork();
        if (pid < 0) {
            break;
        }
        if (pid == 0) {
            _exit(0);
        }
    }
    reap_own();
    say("forked " + std::to_string(made));
}

void churn(long milliseconds)
{
    timespec start{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    long left = 0;
    long failed = 0;
    for (;;) {
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >= milliseconds) {
            break;
        }
        int report[2];
        if (pipe2(report, O_CLOEXEC) != 0) {
            die("pipe2");
        }
        pid_t middle = fork();
        if (middle < 0) {
            ++failed;
        } else if (middle == 0) {
            close(report[0]);
            long made[2] = {0, 0};
            pid_t self = getpid();
            for (int i = 0; i < 5; ++i) {
                pid_t orphan = fork();
                if (orphan == 0) {
                    prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L);
                    if (getppid() != self) {
                        _exit(0);
                    }
                    for (;;) {
                        pause();
                    }
                }
                ++made[orphan > 0 ? 0 : 1];
            }
            [[maybe_unused]] ssize_t written = write(report[1], made, sizeof made);
            _exit(0);
        }
        close(report[1]);
        long made[2] = {0, 0};
        if (middle > 0 && read(report[0], made, sizeof made) == sizeof made) {
            left += made[0];
            failed += made[1];
        }
        close(report[0]);
        if (middle > 0) {
            waitpid(middle, nullptr, 0);
        }
        reap_own();
    }
    say("churned " + std::to_string(left) + " failed " + std::to_string(failed));
}

[[noreturn]] void hog()
{
    say("hogging");
    for (;;) {
        constexpr std::size_t chunk = std::size_t{1} << 20;
        // volatile: memory written and never read may otherwise not be touched at all.
        auto* memory = static_cast<volatile char*>(std::malloc(chunk));
        if (memory == nullptr) {
            continue;
        }
        for (std::size_t i = 0; i < chunk; i += 4096) {
            memory[i] = 1;
        }
    }
}

// reaper started it as the leader of a group of its own; a process group can only be joined
// while it has a member, hence the helper (which dies with this process).
void leave_own_group(bool new_session)
{
    pid_t parent = getpid();
    pid_t helper = fork();
    if (helper == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0L, 0L, 0L);
        if (getppid() != parent) {
            _exit(0);  // too late for the death signal: the parent has gone already
        }
        setpgid(0, 0);
        for (;;) {
            pause();
        }
    }
    if (helper < 0 || setpgid(helper, helper) != 0 || setpgid(0, helper) != 0) {
        say(std::string("setpgid: ") + std::strerror(errno));
        return;
    }
    if (new_session && setsid() < 0) {
        say(std::string("setsid: ") + std::strerror(errno));
        return;
    }
    say("moved " + std::to_string(getpgrp()));
}

// Returns false when the workload should end (with `code`).
bool obey(const std::string& line, int& code)
{
    std::size_t space = line.find(' ');
    std::string command = line.substr(0, space);
    long number = space == std::string::npos ? 0 : std::strtol(line.c_str() + space + 1, nullptr, 10);
    if (command == "orphans") {
        leave_orphans(number);
    } else if (command == "leave") {
        leave_daemon();
    } else if (command == "exit") {
        code = static_cast<int>(number);
        return false;
    } else if (command == "pid") {
        say("pid " + std::to_string(getpid()) + " " + std::to_string(getppid()));
    } else if (command == "std") {
        replace_std();
    } else if (command == "setpgid" || command == "setsid") {
        leave_own_group(command == "setsid");
    } else if (command == "fork") {
        fork_children(number);
    } else if (command == "churn") {
        churn(number);
    } else if (command == "hog") {
        hog();
    } else {
        say("unknown " + command);
    }
    return true;
}

}  // namespace

int main()
{
    // Raw: glibc refuses to block 32 and 33, which reaper forwards too.
    std::uint64_t all = ~std::uint64_t{0};
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, nullptr, sizeof all) != 0) {
        die("rt_sigprocmask");
    }
    signal_fd = static_cast<int>(syscall(SYS_signalfd4, -1, &all, sizeof all, SFD_CLOEXEC));
    if (signal_fd < 0) {
        die("signalfd");
    }
    say("ready " + std::to_string(getpid()));
    std::string pending;
    for (;;) {
        pollfd fds[2] = {{signal_fd, POLLIN, 0}, {talking ? STDIN_FILENO : -1, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll");
        }
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            if (read(signal_fd, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGCHLD) {
                    reap_own();
                } else if (!talking && info.ssi_signo == SIGUSR1) {
                    return 7;
                } else {
                    say("sig " + std::to_string(info.ssi_signo));
                }
            }
            continue;  // signals first: they happened before the next line was read
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            char buffer[256];
            ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
            if (got <= 0) {
                return 0;
            }
            pending.append(buffer, static_cast<std::size_t>(got));
            for (std::size_t newline; (newline = pending.find('\n')) != std::string::npos;) {
                std::string line = pending.substr(0, newline);
                pending.erase(0, newline + 1);
                int code = 0;
                if (!obey(line, code)) {
                    return code;
                }
            }
        }
    }
}
