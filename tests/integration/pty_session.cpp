#include "pty_session.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <pty.h>
#include <unistd.h>

namespace pty_session {

std::optional<Session> Session::start(Placement placement, const std::vector<std::string>& command,
                                      const std::vector<std::string>& env, std::string& why)
{
    const char* jobshell = std::getenv("REAPER_JOBSHELL");
    if (jobshell == nullptr) {
        why = "REAPER_JOBSHELL must be set (run through meson test)";
        return std::nullopt;
    }
    int master = -1;
    int slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
        why = std::string("openpty: ") + std::strerror(errno);
        return std::nullopt;
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    termios settings{};
    tcgetattr(slave, &settings);
    settings.c_lflag &= ~static_cast<tcflag_t>(ECHO);  // what the job prints, not what is typed
    tcsetattr(slave, TCSANOW, &settings);

    harness::Options options;
    options.program = jobshell;
    options.new_pid_namespace = false;
    options.extra_env = env;
    options.extra_fd = 3;
    options.extra_fd_source = slave;
    if (placement == Placement::background) {
        options.reaper_args.push_back("--background");
    } else if (placement == Placement::same_group) {
        options.reaper_args.push_back("--same-group");
    }
    options.reaper_args.push_back("--");
    options.reaper_args.insert(options.reaper_args.end(), command.begin(), command.end());
    std::optional<harness::Reaper> shell = harness::Reaper::start(options, why);
    close(slave);
    if (!shell) {
        close(master);
        return std::nullopt;
    }
    Session session;
    session.shell_.emplace(std::move(*shell));
    session.master_ = master;
    std::optional<std::string> started = session.shell_->read_line(harness::Deadline(10));
    if (!started || started->rfind("job ", 0) != 0) {
        why = "jobshell did not start its job: " + started.value_or("no reply") + " " +
              session.shell_->stderr_text(harness::Deadline(1));
        return std::nullopt;
    }
    session.job_ = static_cast<pid_t>(std::atoi(started->c_str() + 4));
    return std::optional<Session>(std::move(session));
}

Session::Session(Session&& other) noexcept
    : master_(other.master_), job_(other.job_), buffered_(std::move(other.buffered_))
{
    if (other.shell_) {
        shell_.emplace(std::move(*other.shell_));
        other.shell_.reset();
    }
    other.master_ = -1;
}

Session::~Session()
{
    shell_.reset();  // kills, by PID, the shell and what it started
    if (master_ >= 0) {
        close(master_);
    }
}

bool Session::type(const std::string& keys)
{
    return write(master_, keys.data(), keys.size()) == static_cast<ssize_t>(keys.size());
}

std::optional<std::string> Session::terminal_line(const harness::Deadline& deadline)
{
    // nullopt also once every slave side is closed: the master then reads EIO.
    std::optional<std::string> line = harness::read_line(master_, buffered_, deadline);
    if (line && !line->empty() && line->back() == '\r') {
        line->pop_back();
    }
    return line;
}

bool Session::terminal_shows(const std::string& wanted, const harness::Deadline& deadline)
{
    while (std::optional<std::string> line = terminal_line(deadline)) {
        if (*line == wanted) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> Session::ask(const std::string& command, const harness::Deadline& deadline)
{
    if (!shell_->write_stdin(command + "\n")) {
        return std::nullopt;
    }
    return shell_->read_line(deadline);
}

pid_t Session::foreground_group() const { return tcgetpgrp(master_); }

termios Session::settings() const
{
    termios settings{};
    tcgetattr(master_, &settings);
    return settings;
}

}  // namespace pty_session
