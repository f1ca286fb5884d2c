// reaper as PID 1 of a new PID namespace, observed from outside it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"
#include "signals.hpp"

using common::as_pid1;
using harness::Deadline;

namespace {

std::string sig_line(int signal, const std::string& who = "child") { return who + " SIG " + std::to_string(signal); }

}  // namespace

TEST_CASE("exit codes pass through", "[pid1][valgrind]")
{
    for (int code : {0, 1, 42, 255}) {
        std::optional<harness::Finished> finished = common::run(as_pid1({}, {"exit", std::to_string(code)}));
        if (!finished) {
            return;
        }
        CHECK(finished->exit_code == code);
        CHECK(finished->stderr_text.empty());
    }
}

TEST_CASE("death by signal N exits 128+N", "[pid1][valgrind]")
{
    for (int signal : {SIGTERM, SIGKILL, SIGSEGV}) {
        std::optional<harness::Finished> finished = common::run(as_pid1({}, {"die", std::to_string(signal)}));
        if (!finished) {
            return;
        }
        CHECK(finished->exit_code == 128 + signal);
    }
}

TEST_CASE("a command that is not found exits 127, one that cannot run 126", "[pid1][valgrind]")
{
    harness::Options missing;
    missing.reaper_args = {"--", "/nonexistent/command"};
    std::optional<harness::Finished> finished = common::run(missing);
    if (!finished) {
        return;
    }
    CHECK(finished->exit_code == 127);
    CHECK(finished->stderr_text == "reaper: exec \"/nonexistent/command\": No such file or directory\n");

    missing.reaper_args = {"no-such-command-anywhere-on-path"};
    finished = common::run(missing);
    REQUIRE(finished);
    CHECK(finished->exit_code == 127);

    char path[] = "/tmp/reaper-not-executable-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    chmod(path, 0644);
    harness::Options not_executable;
    not_executable.reaper_args = {path};
    finished = common::run(not_executable);
    unlink(path);
    REQUIRE(finished);
    CHECK(finished->exit_code == 126);
    CHECK(finished->stderr_text == std::string("reaper: exec \"") + path + "\": Permission denied\n");

    harness::Options directory;
    directory.reaper_args = {"/tmp"};
    finished = common::run(directory);
    REQUIRE(finished);
    CHECK(finished->exit_code == 126);
}

TEST_CASE("PATH: a file that cannot run is 126, and the search goes on past it as execvp's does", "[pid1]")
{
    char directory[] = "/tmp/reaper-path-XXXXXX";
    REQUIRE(mkdtemp(directory) != nullptr);
    std::string blocked = std::string(directory) + "/blocked-command";
    std::string shadow = std::string(directory) + "/true";
    for (const std::string& file : {blocked, shadow}) {
        int fd = open(file.c_str(), O_CREAT | O_WRONLY, 0644);
        REQUIRE(fd >= 0);
        close(fd);
    }
    harness::Options options;
    options.extra_env = {std::string("PATH=") + directory + ":/usr/bin:/bin"};
    options.reaper_args = {"blocked-command"};
    std::optional<harness::Finished> finished = common::run(options);
    if (finished) {
        CHECK(finished->exit_code == 126);
        CHECK(finished->stderr_text == "reaper: exec \"blocked-command\": Permission denied\n");
        options.reaper_args = {"true"};
        finished = common::run(options);
        REQUIRE(finished);
        CHECK(finished->exit_code == 0);
        options.reaper_args = {"not-in-any-of-them"};
        finished = common::run(options);
        REQUIRE(finished);
        CHECK(finished->exit_code == 127);
    }
    unlink(blocked.c_str());
    unlink(shadow.c_str());
    rmdir(directory);
}

TEST_CASE("every forwardable signal sent from outside reaches the child", "[pid1]")
{
    common::scenario(as_pid1({}, {"signals"}), probe_lines::ready_of("child"), [&](harness::Reaper& reaper) {
        // Listed here, not taken from signals::is_forwarded, so that the test checks the table.
        const std::vector<int> never = {SIGKILL, SIGSTOP, SIGCHLD, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
        for (int signal = 1; signal <= 64; ++signal) {
            if (std::find(never.begin(), never.end(), signal) != never.end()) {
                continue;
            }
            INFO("signal " << signal << " (" << signals::name(signal).view() << ")");
            REQUIRE(kill(reaper.pid(), signal) == 0);
            std::optional<std::string> line = reaper.read_line(Deadline(5));
            REQUIRE(line);
            CHECK(*line == sig_line(signal));
        }
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("1,000 instances of one real-time signal: the child counts exactly 1,000", "[pid1][valgrind]")
{
    common::scenario(as_pid1({}, {"signals"}), probe_lines::ready_of("child"), [&](harness::Reaper& reaper) {
        const int instances = 1000;
        const int realtime = signals::rt_min + 2;
        for (int i = 0; i < instances; ++i) {
            REQUIRE(sigqueue(reaper.pid(), realtime, sigval{i}) == 0);
        }
        int counted = 0;
        Deadline deadline(20);
        while (counted < instances) {
            std::optional<std::string> line = reaper.read_line(deadline);
            REQUIRE(line);
            REQUIRE(*line == sig_line(realtime));
            ++counted;
        }
        // Anything extra would arrive before this marker, which reaper forwards after it.
        REQUIRE(kill(reaper.pid(), SIGUSR1) == 0);
        std::optional<std::string> line = reaper.read_line(Deadline(5));
        CHECK(line == sig_line(SIGUSR1));
    });
}

TEST_CASE("signals sent at the very start, before the child exists, are delivered", "[pid1]")
{
    harness::Options options = as_pid1({}, {"signals"});
    const int realtime = signals::rt_min + 5;
    options.blocked_at_start = {SIGHUP, SIGUSR1, realtime};
    common::scenario(options, "", [&](harness::Reaper& reaper) {
        // Sent at once: reaper has not even exec'd yet, let alone started its child.
        REQUIRE(kill(reaper.pid(), SIGUSR1) == 0);
        REQUIRE(kill(reaper.pid(), SIGHUP) == 0);
        for (int i = 0; i < 3; ++i) {
            REQUIRE(sigqueue(reaper.pid(), realtime, sigval{i}) == 0);
        }
        std::vector<std::string> seen;
        REQUIRE(reaper.read_until(probe_lines::ready_of("child"), Deadline(10)));
        for (int i = 0; i < 5; ++i) {
            std::optional<std::string> line = reaper.read_line(Deadline(5));
            REQUIRE(line);
            seen.push_back(*line);
        }
        std::sort(seen.begin(), seen.end());
        std::vector<std::string> expected = {sig_line(SIGHUP), sig_line(SIGUSR1), sig_line(realtime),
                                             sig_line(realtime), sig_line(realtime)};
        std::sort(expected.begin(), expected.end());
        CHECK(seen == expected);
    });
}

TEST_CASE("5,000 orphans that die after re-parenting leave no zombie", "[pid1][valgrind]")
{
    common::scenario(as_pid1({}, {"orphans", "5000"}), "", [&](harness::Reaper& reaper) {
        REQUIRE(reaper.read_until("orphaned 5000", Deadline(60)));
        // Left: reaper and the probe, both alive, nothing else -- no zombie, no orphan.
        std::vector<harness::ProcessInfo> left;
        bool settled = harness::eventually(Deadline(30), [&] {
            left = harness::processes_in_namespace_of(reaper.pid());
            return left.size() == 2 && harness::zombies_among(left) == 0;
        });
        INFO("processes left: " << left.size() << ", zombies: " << harness::zombies_among(left));
        CHECK(settled);
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("-w prints one line for every adopted zombie reaped", "[pid1]")
{
    common::scenario(as_pid1({"-w"}, {"orphans", "3"}), "orphaned 3", [&](harness::Reaper& reaper) {
        REQUIRE(harness::eventually(Deadline(10),
                                    [&] { return harness::processes_in_namespace_of(reaper.pid()).size() == 2; }));
        reaper.close_stdin();
        REQUIRE(reaper.wait_exit(Deadline(10)) == 0);
        std::string errors = reaper.stderr_text(Deadline(5));
        std::size_t lines = 0;
        for (std::size_t at = errors.find("reaper: reaped zombie process "); at != std::string::npos;
             at = errors.find("reaper: reaped zombie process ", at + 1)) {
            ++lines;
        }
        // The middle process that made the orphans is the probe's child, reaped by the probe.
        CHECK(lines == 3);
    });
}

TEST_CASE("-g forwards to the child's whole process group; without it only to the child", "[pid1][valgrind]")
{
    for (bool group : {true, false}) {
        std::optional<harness::Reaper> reaper =
            common::start(as_pid1(group ? std::vector<std::string>{"-g"} : std::vector<std::string>{}, {"group"}));
        if (!reaper) {
            return;
        }
        std::vector<std::string> lines;
        for (int i = 0; i < 2; ++i) {
            std::optional<std::string> line = reaper->read_line(Deadline(10));
            REQUIRE(line);
            lines.push_back(*line);
        }
        REQUIRE(kill(reaper->pid(), SIGUSR1) == 0);
        // A marker that only the child reports without -g.
        std::optional<std::string> line = reaper->read_line(Deadline(5));
        REQUIRE(line);
        lines.push_back(*line);
        if (group) {
            line = reaper->read_line(Deadline(5));
            REQUIRE(line);
            lines.push_back(*line);
        }
        reaper->close_stdin();
        REQUIRE(reaper->wait_exit(Deadline(10)) == 0);
        while ((line = reaper->read_line(Deadline(5)))) {
            lines.push_back(*line);
        }
        std::sort(lines.begin(), lines.end());
        std::vector<std::string> expected = {probe_lines::ready_of("child"), probe_lines::ready_of("grandchild"),
                                             sig_line(SIGUSR1, "child")};
        if (group) {
            expected.push_back(sig_line(SIGUSR1, "grandchild"));
        }
        std::sort(expected.begin(), expected.end());
        CHECK(lines == expected);
    }
}

TEST_CASE("-e reports the listed exit codes as 0", "[pid1]")
{
    struct Case {
        std::vector<std::string> options;
        std::vector<std::string> probe;
        int expected;
    };
    for (const Case& c : {Case{{"-e", "3"}, {"exit", "3"}, 0}, Case{{"-e", "3"}, {"exit", "4"}, 4},
                          Case{{"-e", "143"}, {"die", "15"}, 0}, Case{{}, {"exit", "3"}, 3},
                          Case{{"--remap-exit=7", "-e", "3"}, {"exit", "7"}, 0}}) {
        std::optional<harness::Finished> finished = common::run(as_pid1(c.options, c.probe));
        if (!finished) {
            return;
        }
        CHECK(finished->exit_code == c.expected);
    }
}

TEST_CASE("-r rewrites a signal, and TO = 0 drops it", "[pid1][valgrind]")
{
    common::scenario(as_pid1({"-r", "USR1:USR2", "-r", "HUP:0", "-r", "RTMIN+1:TERM"}, {"signals"}),
                     probe_lines::ready_of("child"), [&](harness::Reaper& reaper) {
                         REQUIRE(kill(reaper.pid(), SIGUSR1) == 0);
                         CHECK(reaper.read_line(Deadline(5)) == sig_line(SIGUSR2));
                         REQUIRE(kill(reaper.pid(), signals::rt_min + 1) == 0);
                         CHECK(reaper.read_line(Deadline(5)) == sig_line(SIGTERM));
                         // HUP is dropped: the next line is the marker sent after it.
                         REQUIRE(kill(reaper.pid(), SIGHUP) == 0);
                         REQUIRE(kill(reaper.pid(), SIGWINCH) == 0);
                         CHECK(reaper.read_line(Deadline(5)) == sig_line(SIGWINCH));
                         reaper.close_stdin();
                         CHECK(reaper.wait_exit(Deadline(10)) == 0);
                     });
}

TEST_CASE("-p: when reaper's parent dies, the child receives the signal", "[pid1]")
{
    harness::Options options = as_pid1({"-p", "USR2"}, {"signals"});
    options.parent_is_intermediate = true;
    common::scenario(options, probe_lines::ready_of("child"), [&](harness::Reaper& reaper) {
        REQUIRE(reaper.intermediate() > 0);
        REQUIRE(kill(reaper.intermediate(), SIGKILL) == 0);
        CHECK(reaper.read_line(Deadline(5)) == sig_line(SIGUSR2));
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("the child starts with reaper's signal mask and ignored signals, in its own group", "[pid1]")
{
    harness::Options options = as_pid1({}, {"state"});
    options.blocked_at_start = {SIGUSR2, SIGWINCH};
    options.ignored_at_start = {SIGHUP, SIGCHLD};
    common::scenario(options, "", [&](harness::Reaper& reaper) {
        auto bit = [](int signal) { return std::uint64_t{1} << (signal - 1); };
        char expected_mask[17];
        char expected_ignored[17];
        std::snprintf(expected_mask, sizeof expected_mask, "%016llx",
                      static_cast<unsigned long long>(bit(SIGUSR2) | bit(SIGWINCH)));
        std::snprintf(expected_ignored, sizeof expected_ignored, "%016llx",
                      static_cast<unsigned long long>(bit(SIGHUP) | bit(SIGCHLD)));
        CHECK(reaper.read_line(Deadline(10)) == std::string("mask ") + expected_mask);
        std::optional<std::string> ignored = reaper.read_line(Deadline(5));
        if (!ignored) {  // seen once in a loaded CI run, not reproduced: say what stderr had
            reaper.close_stdin();
            FAIL("no 'ignored' line; stderr: " << reaper.stderr_text(Deadline(5)));
        }
        CHECK(ignored == std::string("ignored ") + expected_ignored);
        REQUIRE(reaper.read_line(Deadline(5)));  // cwd
        REQUIRE(reaper.read_line(Deadline(5)));  // fds
        CHECK(reaper.read_line(Deadline(5)) == "group 1");
        // Its caller ignored SIGCHLD, yet reaper still collects the child's status.
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("reaper lets go of inherited descriptors and its directory; the child keeps them", "[pid1]")
{
    int pipe_ends[2];
    REQUIRE(pipe2(pipe_ends, O_CLOEXEC) == 0);
    harness::Options options = as_pid1({}, {"state"});
    options.extra_fd = 7;
    options.extra_fd_source = pipe_ends[1];
    options.working_directory = "/tmp";
    std::optional<harness::Reaper> reaper = common::start(options);
    close(pipe_ends[1]);
    if (!reaper) {
        close(pipe_ends[0]);
        return;
    }
    REQUIRE(reaper->read_until("cwd /tmp", Deadline(10)));
    CHECK(reaper->read_line(Deadline(5)) == "fds 0 1 2 7");
    REQUIRE(reaper->read_line(Deadline(5)));  // group
    // reaper lets go once the child has started: it may not have yet when the child speaks.
    // What it keeps: stdio, its signalfd and, as PID 1, /proc/loadavg (the namespace's last
    // PID, read at the end).
    std::vector<int> kept;
    CHECK(harness::eventually(Deadline(10), [&] {
        kept = harness::open_fds(reaper->pid());
        return kept.size() == 5;
    }));
    std::sort(kept.begin(), kept.end());
    REQUIRE(kept.size() == 5);
    CHECK(kept[0] == 0);
    CHECK(kept[1] == 1);
    CHECK(kept[2] == 2);
    CHECK(harness::proc_link(reaper->pid(), "fd/" + std::to_string(kept[3])) == "anon_inode:[signalfd]");
    CHECK(harness::proc_link(reaper->pid(), "fd/" + std::to_string(kept[4])) == "/proc/loadavg");
    CHECK(harness::proc_link(reaper->pid(), "cwd") == "/");
    reaper->close_stdin();
    CHECK(reaper->wait_exit(Deadline(10)) == 0);
    close(pipe_ends[0]);
}

TEST_CASE("idle: reaper does not wake up while nothing happens", "[pid1]")
{
    common::scenario(as_pid1({}, {"sleep"}), probe_lines::ready, [&](harness::Reaper& reaper) {
        REQUIRE(harness::eventually(Deadline(10), [&] { return harness::in_event_wait(reaper.pid()); }));
        auto switches = [&] {
            return harness::proc_status_field(reaper.pid(), "voluntary_ctxt_switches") + "/" +
                   harness::proc_status_field(reaper.pid(), "nonvoluntary_ctxt_switches");
        };
        std::string before = switches();
        REQUIRE_FALSE(before == "/");
        ::sleep(3);  // the measurement window the requirement names, not a wait for an event
        CHECK(switches() == before);
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}
