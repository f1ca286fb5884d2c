// The command that the integration tests run under reaper. Each mode shows, on stdout,
// one line per thing it observed, and most wait for stdin to close before exiting so
// that the test decides when the main child ends.
//
//   probe exit N            exit with N
//   probe die SIG           be killed by SIG (number)
//   probe signals           print "SIG n" for every signal received
//   probe group             the same from the child and from a grandchild in its group
//   probe orphans N         leave N orphans that die only after reaper has adopted them
//   probe adopted           leave one orphan that prints who adopted it
//   probe state             print the signal mask, ignored set, cwd, fds and process group
//   probe sleep             print "ready" and wait
//   probe bursts N SIZE     N times: leave SIZE orphans that all exit at the same moment,
//                           print "burst K" and wait for a line on stdin before the next
//   probe churn             count every signal (signalfd) while leaving orphans that exit at
//                           once, as fast as it can; on a line on stdin print "counted N"
//                           and exit
//   probe exhaust           leave orphans until fork fails (EAGAIN), print "exhausted N",
//                           wait for a line, let them all exit, then leave and end 10 more:
//                           "recovered" (or "still exhausted"); exit when stdin closes
//   probe zombie-then-exec PROGRAM ARG...
//                           leave a child that has exited, unreaped (its SIGCHLD discarded,
//                           as SIGCHLD is not caught), then become PROGRAM
//   probe tty               print "ready PID", then "line TEXT" for each line read, until EOF;
//                           every signal keeps its default action (^C kills, ^Z stops)
//   probe raw               put the terminal on stdin in raw mode, print "raw", exit on the
//                           first byte read -- without restoring the terminal
//   probe leave KIND CODE [FILE]
//                           leave a daemon behind (double fork, setsid), print "left", then
//                           exit CODE when stdin closes or SIGTERM arrives. The daemon:
//                             write     on a signal, writes FILE in full, fsyncs, exits
//                             stubborn  shrugs off every catchable signal
//                             stopped-write  as write, but stopped (SIGSTOP) before "left"
//                             forker    on a signal, forks a process that waits for a
//                                       signal and then writes FILE; exits at once
//   probe writer FILE       print "ready"; on a signal, write FILE in full and exit 0
//   probe payloads          print "SIG n code C value V" for every signal, until stdin closes
//   probe become-root       (setuid-root copy) set every id to 0, print "root", wait for EOF
//   probe adopts-zombies INIT [ARG...]
//                           as a child subreaper, run INIT ARG... with `probe orphan-and-end`
//                           appended; once INIT has the command and its orphan as children,
//                           stop INIT until both have ended, continue it, wait for it, and
//                           print "status N inherited M": INIT's wait status, and how many
//                           processes came to this one when INIT exited (what it left
//                           unreaped). Every wait is bounded (10 s)
//   probe orphan-and-end    leave an orphan that ends 200 ms later, end 200 ms later too
//                             report    prints "daemon SIG n"; exits on TERM or INT
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "probe_lines.hpp"

namespace {

void say(const std::string& line)
{
    std::string text = line + "\n";
    if (write(STDOUT_FILENO, text.data(), text.size()) < 0) {
        _exit(90);
    }
}

[[noreturn]] void die(const char* what)
{
    std::fprintf(stderr, "probe: %s: %s\n", what, std::strerror(errno));
    _exit(91);
}

void wait_for_stdin_eof()
{
    char buffer[64];
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
        if (got == 0 || (got < 0 && errno != EINTR)) {
            return;
        }
    }
}

// Raw: glibc refuses to block 32 and 33, which reaper forwards too.
int block_everything_into_signalfd()
{
    std::uint64_t all = ~std::uint64_t{0};
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, nullptr, sizeof all) != 0) {
        die("rt_sigprocmask");
    }
    int fd = static_cast<int>(syscall(SYS_signalfd4, -1, &all, sizeof all, SFD_CLOEXEC));
    if (fd < 0) {
        die("signalfd");
    }
    return fd;
}

// Prints each signal until stdin closes.
void report_signals(const std::string& who, int signal_fd)
{
    say(probe_lines::ready_of(who));
    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("poll");
        }
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            // SIGCHLD is the probe's own business (its grandchild ending), never forwarded.
            if (read(signal_fd, &info, sizeof info) == sizeof info && info.ssi_signo != SIGCHLD) {
                say(probe_lines::signal_of(who, static_cast<int>(info.ssi_signo)));
            }
            continue;  // drain signals before looking at stdin
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            char buffer[64];
            if (read(STDIN_FILENO, buffer, sizeof buffer) <= 0) {
                return;
            }
        }
    }
}

int mode_group()
{
    int signal_fd = block_everything_into_signalfd();
    pid_t grandchild = fork();
    if (grandchild < 0) {
        die("fork");
    }
    if (grandchild == 0) {
        report_signals("grandchild", signal_fd);
        _exit(0);
    }
    report_signals("child", signal_fd);
    waitpid(grandchild, nullptr, 0);
    return 0;
}

// Every orphan asks the kernel for SIGKILL when its parent dies; the kernel sends it
// after re-parenting, so each one dies as reaper's child.
int mode_orphans(long count)
{
    pid_t middle = fork();
    if (middle < 0) {
        die("fork");
    }
    if (middle == 0) {
        pid_t self = getpid();
        for (long i = 0; i < count; ++i) {
            pid_t orphan = fork();
            if (orphan < 0) {
                die("fork orphan");
            }
            if (orphan == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != self) {
                    _exit(0);  // already adopted
                }
                for (;;) {
                    pause();
                }
            }
        }
        _exit(0);
    }
    waitpid(middle, nullptr, 0);
    say("orphaned " + std::to_string(count));
    wait_for_stdin_eof();
    return 0;
}

int mode_adopted()
{
    pid_t middle = fork();
    if (middle < 0) {
        die("fork");
    }
    if (middle == 0) {
        pid_t self = getpid();
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, nullptr);
        pid_t orphan = fork();
        if (orphan == 0) {
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            if (getppid() == self) {
                int received = 0;
                sigwait(&usr1, &received);
            }
            say("orphan " + std::to_string(getpid()) + " parent " + std::to_string(getppid()));
            _exit(0);
        }
        _exit(orphan < 0 ? 1 : 0);
    }
    waitpid(middle, nullptr, 0);
    wait_for_stdin_eof();
    return 0;
}

std::string status_field(const char* name)
{
    std::FILE* file = std::fopen("/proc/self/status", "r");
    if (file == nullptr) {
        die("/proc/self/status");
    }
    char line[512];
    std::string value;
    size_t length = std::strlen(name);
    while (std::fgets(line, sizeof line, file) != nullptr) {
        if (std::strncmp(line, name, length) == 0 && line[length] == ':') {
            value = line + length + 1;
            value.erase(0, value.find_first_not_of(" \t"));
            value.erase(value.find_last_not_of(" \t\n") + 1);
        }
    }
    std::fclose(file);
    return value;
}

int mode_state()
{
    say("mask " + status_field("SigBlk"));
    say("ignored " + status_field("SigIgn"));
    char cwd[4096];
    say(std::string("cwd ") + (getcwd(cwd, sizeof cwd) != nullptr ? cwd : "?"));
    std::string fds = "fds";
    if (DIR* dir = opendir("/proc/self/fd")) {
        while (dirent* entry = readdir(dir)) {
            if (entry->d_name[0] != '.' && std::atoi(entry->d_name) != dirfd(dir)) {
                fds += std::string(" ") + entry->d_name;
            }
        }
        closedir(dir);
    }
    say(fds);
    say("group " + std::to_string(getpgrp() == getpid() ? 1 : 0));
    wait_for_stdin_eof();
    return 0;
}

// What a database does on SIGTERM: finish the write, make it durable, exit.
void write_durably(const std::string& file)
{
    int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::string chunk(4096, 'x');
    for (int i = 0; i < 256; ++i) {
        if (write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
            _exit(95);
        }
    }
    if (write(fd, "END\n", 4) != 4 || fsync(fd) != 0) {
        _exit(96);
    }
    close(fd);
}

[[noreturn]] void wait_for_a_signal_then_write(int signal_fd, const std::string& file)
{
    signalfd_siginfo info{};
    while (read(signal_fd, &info, sizeof info) != sizeof info) {
    }
    write_durably(file);
    _exit(0);
}

[[noreturn]] void run_daemon(const std::string& kind, const std::string& file, int ready_fd)
{
    setsid();
    int signal_fd = block_everything_into_signalfd();
    if (kind != "report") {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
    }
    close(STDIN_FILENO);
    if (write(ready_fd, "r", 1) != 1) {
        _exit(94);
    }
    close(ready_fd);
    for (;;) {
        signalfd_siginfo info{};
        if (read(signal_fd, &info, sizeof info) != sizeof info) {
            continue;
        }
        int signal = static_cast<int>(info.ssi_signo);
        if (kind == "report") {
            say(probe_lines::signal_of("daemon", signal));
            if (signal == SIGTERM || signal == SIGINT) {
                _exit(0);
            }
        } else if (kind == "write" || kind == "stopped-write") {
            write_durably(file);
            _exit(0);
        } else if (kind == "forker") {
            // On its way out, it forks one more process, which must get the signal too.
            if (fork() == 0) {
                wait_for_a_signal_then_write(signal_fd, file);
            }
            _exit(0);
        }
    }
}

// Waits for signals on `signal_fd` and for stdin to close: on_signal() when the first is
// readable (returning true ends the wait), and returns false at stdin's end.
template <typename OnSignal>
bool until_stdin_closes(int signal_fd, OnSignal on_signal)
{
    pollfd fds[2] = {{signal_fd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    for (;;) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR) {
            die("poll");
        }
        if ((fds[0].revents & POLLIN) && on_signal()) {
            return true;
        }
        char buffer[64];
        if ((fds[1].revents & (POLLIN | POLLHUP)) && read(STDIN_FILENO, buffer, sizeof buffer) <= 0) {
            return false;
        }
    }
}

// Each signal with what came with it: "SIG n code C value V".
int mode_payloads()
{
    int signal_fd = block_everything_into_signalfd();
    say(probe_lines::ready);
    until_stdin_closes(signal_fd, [&] {
        signalfd_siginfo info{};
        if (read(signal_fd, &info, sizeof info) == sizeof info) {
            say("SIG " + std::to_string(info.ssi_signo) + " code " + std::to_string(info.ssi_code) + " value " +
                std::to_string(info.ssi_int));
        }
        return false;
    });
    return 0;
}

int mode_leave(const std::string& kind, int code, const std::string& file)
{
    int ready[2];
    if (pipe(ready) != 0) {
        die("pipe");
    }
    pid_t middle = fork();
    if (middle == 0) {
        close(ready[0]);
        if (kind != "stopped-write") {
            if (fork() == 0) {
                run_daemon(kind, file, ready[1]);
            }
            _exit(0);
        }
        // A leftover that is stopped when the grace period begins: the middle process,
        // its parent, stops it and sees it stopped before saying it is ready.
        int inner[2];
        if (pipe(inner) != 0) {
            _exit(97);
        }
        pid_t daemon = fork();
        if (daemon == 0) {
            run_daemon(kind, file, inner[1]);
        }
        char byte = 0;
        int status = 0;
        if (read(inner[0], &byte, 1) != 1 || kill(daemon, SIGSTOP) != 0 ||
            waitpid(daemon, &status, WUNTRACED) != daemon || !WIFSTOPPED(status) || write(ready[1], "r", 1) != 1) {
            _exit(98);
        }
        _exit(0);
    }
    close(ready[1]);
    waitpid(middle, nullptr, 0);
    char byte = 0;
    if (read(ready[0], &byte, 1) != 1) {
        die("daemon not ready");
    }
    close(ready[0]);
    // The main child's own end: when stdin closes, or on SIGTERM as docker stop sends it.
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, nullptr);
    int signal_fd = signalfd(-1, &term, SFD_CLOEXEC);
    say(probe_lines::left);
    until_stdin_closes(signal_fd, [] { return true; });
    return code;
}

}  // namespace

// A middle process leaves `count` orphans that block reading `release` until its write
// end closes; returns how many it managed (it stops at the first failing fork).
long leave_waiting_orphans(long count, int release[2])
{
    int report[2];
    if (pipe(report) != 0) {
        die("pipe");
    }
    pid_t middle = fork();
    if (middle < 0) {  // out of PIDs already
        close(report[0]);
        close(report[1]);
        return 0;
    }
    if (middle == 0) {
        close(report[0]);
        close(release[1]);
        long made = 0;
        for (; made < count; ++made) {
            pid_t orphan = fork();
            if (orphan < 0) {
                break;
            }
            if (orphan == 0) {
                close(report[1]);
                char byte = 0;
                while (read(release[0], &byte, 1) < 0 && errno == EINTR) {
                }
                _exit(0);
            }
        }
        if (write(report[1], &made, sizeof made) != sizeof made) {
            _exit(97);
        }
        _exit(0);
    }
    close(report[1]);
    long made = 0;
    if (read(report[0], &made, sizeof made) != sizeof made) {
        made = 0;
    }
    close(report[0]);
    waitpid(middle, nullptr, 0);
    return made;
}

std::string read_stdin_line()
{
    std::string line;
    char c = 0;
    while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n') {
        line += c;
    }
    return line;
}

int mode_bursts(long bursts, long size)
{
    for (long burst = 1; burst <= bursts; ++burst) {
        int release[2];
        if (pipe(release) != 0) {
            die("pipe");
        }
        long made = leave_waiting_orphans(size, release);
        close(release[0]);
        close(release[1]);  // EOF for all of them at once
        say("burst " + std::to_string(burst) + " " + std::to_string(made));
        read_stdin_line();
    }
    wait_for_stdin_eof();
    return 0;
}

int mode_churn()
{
    int signal_fd = block_everything_into_signalfd();
    fcntl(signal_fd, F_SETFL, O_NONBLOCK);
    fcntl(STDIN_FILENO, F_SETFL, O_NONBLOCK);
    say(probe_lines::ready_of("churn"));
    long counted = 0;
    for (;;) {
        signalfd_siginfo info[64];
        ssize_t got = 0;
        while ((got = read(signal_fd, info, sizeof info)) > 0) {
            counted += got / static_cast<ssize_t>(sizeof info[0]);
        }
        char byte = 0;
        if (read(STDIN_FILENO, &byte, 1) == 1) {
            break;
        }
        pid_t middle = fork();  // its child exits at once, as reaper's
        if (middle == 0) {
            if (fork() == 0) {
                _exit(0);
            }
            _exit(0);
        }
        if (middle > 0) {
            waitpid(middle, nullptr, 0);
        }
    }
    say("counted " + std::to_string(counted));
    return 0;
}

int mode_exhaust()
{
    int release[2];
    if (pipe(release) != 0) {
        die("pipe");
    }
    long made = 0;
    for (long got = 1; got > 0; made += got) {
        got = leave_waiting_orphans(64, release);
    }
    say("exhausted " + std::to_string(made));
    read_stdin_line();
    close(release[0]);
    close(release[1]);
    // PIDs come back as reaper reaps: every one of 10 new orphans must be made in time.
    long recovered = 0;
    for (int attempt = 0; attempt < 2000 && recovered < 10; ++attempt) {
        int again[2];
        if (pipe(again) != 0) {
            die("pipe");
        }
        long now = leave_waiting_orphans(10 - recovered, again);
        recovered += now;
        close(again[0]);
        close(again[1]);
        if (recovered < 10) {
            usleep(5000);
        }
    }
    say(recovered == 10 ? "recovered" : "still exhausted");
    wait_for_stdin_eof();
    return 0;
}

[[noreturn]] void zombie_then_exec(char** argv)
{
    pid_t child = fork();
    if (child == 0) {
        _exit(0);
    }
    siginfo_t info{};
    // WNOWAIT: wait until it has exited, but leave it a zombie.
    if (child < 0 || waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) != 0) {
        die("fork or waitid");
    }
    execv(argv[0], argv);
    die("execv");
}

int mode_tty()
{
    std::uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof none);
    say("ready " + std::to_string(getpid()));
    std::string pending;
    char buffer[256];
    for (;;) {
        ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return 0;
        }
        pending.append(buffer, static_cast<std::size_t>(got));
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
            say("line " + pending.substr(0, end));
        }
    }
}

// (pid, state) of each child of `parent`, from /proc.
std::vector<std::pair<pid_t, char>> children_of(pid_t parent)
{
    std::vector<std::pair<pid_t, char>> found;
    DIR* proc = opendir("/proc");
    if (proc == nullptr) {
        die("/proc");
    }
    while (dirent* entry = readdir(proc)) {
        pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        std::FILE* file = pid > 0 ? std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r") : nullptr;
        if (file == nullptr) {
            continue;
        }
        char text[512] = {};
        std::size_t got = std::fread(text, 1, sizeof text - 1, file);
        std::fclose(file);
        const char* close = std::strrchr(text, ')');
        char state = 0;
        int ppid = 0;
        if (got > 0 && close != nullptr && std::sscanf(close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent) {
            found.emplace_back(pid, state);
        }
    }
    closedir(proc);
    return found;
}

template <typename Condition>
void within_10_s(Condition condition, const char* what)
{
    for (int i = 0; !condition(); ++i) {
        if (i == 1000) {
            die(what);
        }
        usleep(10000);
    }
}

int mode_adopts_zombies(char** init)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        die("PR_SET_CHILD_SUBREAPER");
    }
    std::vector<char*> argv;
    for (char** arg = init; *arg != nullptr; ++arg) {
        argv.push_back(*arg);
    }
    char self[4096] = {};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) {
        die("/proc/self/exe");
    }
    std::string command = "orphan-and-end";
    argv.push_back(self);
    argv.push_back(command.data());
    argv.push_back(nullptr);
    pid_t child = fork();
    if (child == 0) {
        execvp(argv[0], argv.data());
        _exit(127);
    }
    within_10_s([&] { return children_of(child).size() == 2; }, "the command and its orphan");
    kill(child, SIGSTOP);
    within_10_s(
        [&] {
            auto children = children_of(child);
            return std::all_of(children.begin(), children.end(), [](auto c) { return c.second == 'Z'; });
        },
        "both to end");
    kill(child, SIGCONT);
    int status = 0;
    within_10_s([&] { return waitpid(child, &status, WNOHANG) == child; }, "INIT to exit");
    say("status " + std::to_string(status) + " inherited " + std::to_string(children_of(getpid()).size()));
    return 0;
}

int mode_orphan_and_end()
{
    if (fork() == 0) {
        if (fork() == 0) {
            usleep(200000);
            _exit(0);
        }
        _exit(0);
    }
    wait(nullptr);
    usleep(200000);
    return 0;
}

int mode_raw()
{
    termios settings{};
    if (tcgetattr(STDIN_FILENO, &settings) != 0) {
        die("tcgetattr");
    }
    cfmakeraw(&settings);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &settings) != 0) {
        die("tcsetattr");
    }
    say("raw");
    char byte = 0;
    return read(STDIN_FILENO, &byte, 1) == 1 ? 0 : 1;
}

int main(int argc, char** argv)
{
    std::string mode = argc > 1 ? argv[1] : "";
    long number = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 0;
    if (mode == "exit") {
        return static_cast<int>(number);
    }
    if (mode == "die") {
        rlimit no_core{0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        std::uint64_t none = 0;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof none);
        signal(static_cast<int>(number), SIG_DFL);
        kill(getpid(), static_cast<int>(number));
        return 92;  // not reached when the signal kills
    }
    if (mode == "signals") {
        report_signals("child", block_everything_into_signalfd());
        return 0;
    }
    if (mode == "group") {
        return mode_group();
    }
    if (mode == "orphans") {
        return mode_orphans(number);
    }
    if (mode == "adopted") {
        return mode_adopted();
    }
    if (mode == "state") {
        return mode_state();
    }
    if (mode == "leave" && argc > 3) {
        return mode_leave(argv[2], std::atoi(argv[3]), argc > 4 ? argv[4] : "");
    }
    if (mode == "bursts" && argc > 3) {
        return mode_bursts(number, std::strtol(argv[3], nullptr, 10));
    }
    if (mode == "churn") {
        return mode_churn();
    }
    if (mode == "exhaust") {
        return mode_exhaust();
    }
    if (mode == "zombie-then-exec" && argc > 2) {
        zombie_then_exec(argv + 2);
    }
    if (mode == "tty") {
        return mode_tty();
    }
    if (mode == "raw") {
        return mode_raw();
    }
    if (mode == "writer" && argc > 2) {
        int signal_fd = block_everything_into_signalfd();
        say(probe_lines::ready);
        wait_for_a_signal_then_write(signal_fd, argv[2]);
    }
    if (mode == "adopts-zombies" && argc > 2) {
        return mode_adopts_zombies(argv + 2);
    }
    if (mode == "orphan-and-end") {
        return mode_orphan_and_end();
    }
    if (mode == "payloads") {
        return mode_payloads();
    }
    if (mode == "become-root") {
        // Run from a setuid-root copy: every id becomes 0, as su or sudo make them.
        if (setuid(0) != 0) {
            die("setuid");
        }
        say("root");
        wait_for_stdin_eof();
        return 0;
    }
    if (mode == "sleep") {
        say(probe_lines::ready);
        wait_for_stdin_eof();
        return 0;
    }
    std::fprintf(stderr, "probe: unknown mode '%s'\n", mode.c_str());
    return 93;
}
