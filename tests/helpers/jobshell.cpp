// A shell reduced to its job control, for the terminal tests: it opens a session on the
// terminal passed as fd 3, starts one job there as bash would, and answers the test's
// commands on stdin with one line each on stdout.
//
//   jobshell [--same-group | --background] -- PROGRAM ARGS...
//     default       the job gets a process group of its own and the terminal's foreground
//     --same-group  the job stays in the shell's group, as under `sh -c` (no job control)
//     --background  a group of its own, but the shell keeps the foreground (`PROGRAM &`)
//   Prints "job PID" once the job is started. Commands:
//     wait   waits until the job stops or ends: "stopped SIG" (the shell then takes the
//            terminal back, as a shell does), "exited N" or "killed SIG"
//     fg     gives the terminal to the job's group and continues it: "ok"
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr int terminal_fd = 3;

[[noreturn]] void die(const char* what)
{
    std::fprintf(stderr, "jobshell: %s: %s\n", what, std::strerror(errno));
    _exit(91);
}

void reply(const std::string& line)
{
    std::string text = line + "\n";
    if (write(STDOUT_FILENO, text.data(), text.size()) < 0) {
        _exit(90);
    }
}

std::string next_command()
{
    std::string line;
    char c = 0;
    while (read(STDIN_FILENO, &c, 1) == 1) {
        if (c == '\n') {
            return line;
        }
        line += c;
    }
    return "";  // the test is gone
}

std::string wait_for_job(pid_t job)
{
    int status = 0;
    pid_t got = 0;
    do {
        got = waitpid(job, &status, WUNTRACED);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        return "error " + std::string(std::strerror(errno));
    }
    if (WIFSTOPPED(status)) {
        tcsetpgrp(terminal_fd, getpgrp());
        return "stopped " + std::to_string(WSTOPSIG(status));
    }
    if (WIFSIGNALED(status)) {
        return "killed " + std::to_string(WTERMSIG(status));
    }
    return "exited " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int main(int argc, char** argv)
{
    int first = 1;
    std::string placement = "foreground";
    if (first < argc && std::strncmp(argv[first], "--", 2) == 0 && argv[first][2] != '\0') {
        placement = argv[first++] + 2;
    }
    if (first < argc && std::strcmp(argv[first], "--") == 0) {
        ++first;
    }
    if (first >= argc) {
        std::fprintf(stderr, "usage: jobshell [--same-group | --background] -- PROGRAM ARGS...\n");
        return 2;
    }
    // An interactive shell ignores these, so that giving the terminal away cannot stop it.
    signal(SIGTTOU, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    if (setsid() < 0 || ioctl(terminal_fd, TIOCSCTTY, 0) != 0) {
        die("setsid / TIOCSCTTY");
    }
    bool own_group = placement != "same-group";
    bool foreground = placement != "background";

    pid_t job = fork();
    if (job < 0) {
        die("fork");
    }
    if (job == 0) {
        if (own_group) {
            setpgid(0, 0);
            if (foreground) {
                tcsetpgrp(terminal_fd, getpgrp());
            }
        }
        for (int signal : {SIGTTOU, SIGTTIN, SIGTSTP}) {
            std::signal(signal, SIG_DFL);
        }
        for (int fd = 0; fd <= 2; ++fd) {
            dup2(terminal_fd, fd);
        }
        close(terminal_fd);
        execvp(argv[first], argv + first);
        die("exec");
    }
    if (own_group) {
        setpgid(job, job);  // both sides, as a shell does: no race with the first command
        if (foreground) {
            tcsetpgrp(terminal_fd, job);
        }
    }
    reply("job " + std::to_string(job));
    for (std::string command = next_command(); !command.empty(); command = next_command()) {
        if (command == "wait") {
            reply(wait_for_job(job));
        } else if (command == "fg") {
            tcsetpgrp(terminal_fd, job);
            kill(-job, SIGCONT);
            reply("ok");
        } else {
            reply("unknown command " + command);
        }
    }
    return 0;
}
