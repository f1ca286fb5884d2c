// The grace period: what the main child leaves behind is asked to end, given time, then
// killed -- and reaper still exits with the main child's status.
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"

using common::as_pid1;
using common::as_subreaper;
using harness::Deadline;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string temporary_path(const char* name) { return "/tmp/reaper-grace-" + std::to_string(getpid()) + "-" + name; }

bool alive(pid_t pid)
{
    std::optional<harness::ProcessInfo> info = harness::process_info(pid);
    return info && info->state != 'Z';
}

}  // namespace

TEST_CASE("a daemon that finishes its write on SIGTERM completes it; with --grace 0 it cannot", "[grace][valgrind]")
{
    for (const char* grace : {"5", "0"}) {
        std::string file = temporary_path("data");
        unlink(file.c_str());
        std::optional<harness::Reaper> reaper =
            common::start(as_pid1({"--grace", grace}, {"leave", "write", "7", file}));
        if (!reaper) {
            return;
        }
        REQUIRE(reaper->read_until(probe_lines::left, Deadline(10)));
        reaper->close_stdin();
        CHECK(reaper->wait_exit(Deadline(15)) == 7);
        std::string written = harness::read_file(file);
        INFO("--grace " << grace << ": " << written.size() << " bytes written");
        bool complete = written.size() == 256 * 4096 + 4 && written.substr(written.size() - 4) == "END\n";
        CHECK(complete == (std::string(grace) != "0"));
        unlink(file.c_str());
    }
}

TEST_CASE("a daemon that ignores SIGTERM is killed at the deadline, not before", "[grace][valgrind]")
{
    common::scenario(
        as_pid1({"-v", "--grace", "1.5"}, {"leave", "stubborn", "9"}), probe_lines::left, [&](harness::Reaper& reaper) {
            std::vector<harness::ProcessInfo> before = harness::processes_in_namespace_of(reaper.pid());
            REQUIRE(before.size() == 3);  // reaper, its child, the daemon
            auto start = std::chrono::steady_clock::now();
            reaper.close_stdin();
            CHECK(reaper.wait_exit(Deadline(10)) == 9);
            double elapsed = seconds_since(start);
            CHECK(elapsed >= 1.5);
            CHECK(elapsed < 3.5);
            for (const harness::ProcessInfo& process : before) {
                CHECK_FALSE(alive(process.pid));
            }
            CHECK(reaper.stderr_text(Deadline(5))
                      .find("reaper: grace: 1 process(es) left; 0 ended on SIGTERM, 1 killed at the deadline\n") !=
                  std::string::npos);
        });
}

TEST_CASE("with nothing left behind, reaper does not wait for the deadline", "[grace]")
{
    auto start = std::chrono::steady_clock::now();
    std::optional<harness::Finished> finished = common::run(as_pid1({"--grace", "30"}, {"exit", "6"}));
    if (!finished) {
        return;
    }
    CHECK(finished->exit_code == 6);
    CHECK(seconds_since(start) < 1.0);
}

TEST_CASE("docker stop: SIGTERM to reaper, child exits, leftovers get SIGTERM, reaper exits with the child's status",
          "[grace]")
{
    common::scenario(as_pid1({}, {"leave", "report", "3"}), probe_lines::left, [&](harness::Reaper& reaper) {
        auto start = std::chrono::steady_clock::now();
        REQUIRE(kill(reaper.pid(), SIGTERM) == 0);
        CHECK(reaper.read_line(Deadline(10)) == probe_lines::signal_of("daemon", SIGTERM));
        CHECK(reaper.wait_exit(Deadline(10)) == 3);
        CHECK(seconds_since(start) < 2.0);  // the daemon ended at once: no wait for the 5 s default
    });
}

TEST_CASE("--grace-signal goes first; a SIGTERM during the grace period is passed on to the leftovers", "[grace]")
{
    common::scenario(as_pid1({"--grace-signal", "HUP", "--grace", "20"}, {"leave", "report", "4"}), probe_lines::left,
                     [&](harness::Reaper& reaper) {
                         reaper.close_stdin();
                         CHECK(reaper.read_line(Deadline(10)) == probe_lines::signal_of("daemon", SIGHUP));
                         CHECK(reaper.read_line(Deadline(10)) ==
                               probe_lines::signal_of("daemon", SIGCONT));  // right after, always
                         auto start = std::chrono::steady_clock::now();
                         REQUIRE(kill(reaper.pid(), SIGTERM) == 0);
                         CHECK(reaper.read_line(Deadline(10)) == probe_lines::signal_of("daemon", SIGTERM));
                         CHECK(reaper.wait_exit(Deadline(10)) == 4);
                         CHECK(seconds_since(start) < 2.0);
                     });
}

TEST_CASE("as a subreaper: descendants are ended, a sibling outside the subtree is untouched", "[grace][valgrind]")
{
    harness::Options sibling_options;
    sibling_options.program = harness::probe_binary();
    sibling_options.reaper_args = {"signals"};
    sibling_options.new_pid_namespace = false;
    std::optional<harness::Reaper> sibling = common::start(sibling_options);
    if (!sibling) {
        return;
    }
    REQUIRE(sibling->read_until(probe_lines::ready_of("child"), Deadline(10)));

    std::optional<harness::Reaper> reaper = common::start(as_subreaper({"--grace", "1"}, {"leave", "stubborn", "5"}));
    REQUIRE(reaper);
    REQUIRE(reaper->read_until(probe_lines::left, Deadline(10)));
    std::vector<pid_t> descendants = harness::children_of(reaper->pid());
    REQUIRE(descendants.size() == 2);  // the main child and the daemon it left
    reaper->close_stdin();
    CHECK(reaper->wait_exit(Deadline(10)) == 5);
    for (pid_t descendant : descendants) {
        // Not killed, it would now be this test's child (the test is a subreaper), alive.
        CHECK_FALSE(alive(descendant));
        if (alive(descendant)) {
            kill(descendant, SIGKILL);  // started by this test: do not leave it behind
            waitpid(descendant, nullptr, 0);
        }
    }
    CHECK(alive(sibling->pid()));
    REQUIRE(kill(sibling->pid(), SIGUSR1) == 0);
    CHECK(sibling->read_line(Deadline(5)) == probe_lines::signal_of("child", SIGUSR1));  // nothing came before it
    sibling->close_stdin();
    CHECK(sibling->wait_exit(Deadline(10)) == 0);
}
