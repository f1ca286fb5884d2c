// A pseudo-terminal with a job-control shell on it (tests/helpers/jobshell), so that a
// test can play the person at the keyboard: type on the master side, read what the job
// prints, and ask the shell to wait for the job or bring it to the foreground.
#pragma once

#include <optional>
#include <string>
#include <termios.h>
#include <vector>

#include "harness.hpp"

namespace pty_session {

enum class Placement { foreground, background, same_group };

class Session {
public:
    // Runs `command` as the shell's job; nullopt, with the reason in `why`, if it cannot.
    static std::optional<Session> start(Placement placement, const std::vector<std::string>& command,
                                        const std::vector<std::string>& env, std::string& why);
    Session(Session&& other) noexcept;
    Session& operator=(Session&&) = delete;
    ~Session();

    [[nodiscard]] pid_t shell() const { return shell_->pid(); }
    [[nodiscard]] pid_t job() const { return job_; }

    bool type(const std::string& keys);
    // One line the job wrote on the terminal, without its "\r"; nullopt at the deadline.
    std::optional<std::string> terminal_line(const harness::Deadline& deadline);
    bool terminal_shows(const std::string& wanted, const harness::Deadline& deadline);
    // Sends a command to the shell ("wait", "fg") and returns its reply.
    std::optional<std::string> ask(const std::string& command, const harness::Deadline& deadline);

    [[nodiscard]] pid_t foreground_group() const;  // as the terminal's master sees it
    [[nodiscard]] termios settings() const;

private:
    Session() = default;
    std::optional<harness::Reaper> shell_;
    int master_ = -1;
    pid_t job_ = -1;
    std::string buffered_;
};

}  // namespace pty_session
