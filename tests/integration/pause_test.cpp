// --pause: the pod's pause container. No command; it reaps what the namespace's other
// processes orphan, and exits 0 on SIGTERM or SIGINT.
#include <catch2/catch.hpp>
#include <csignal>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"

using harness::Deadline;

namespace {

harness::Options pause_as_pid1(std::vector<std::string> extra = {})
{
    harness::Options options;
    options.reaper_args = {"--pause"};
    options.reaper_args.insert(options.reaper_args.end(), extra.begin(), extra.end());
    return options;
}

// A process that joins reaper's PID namespace from outside, as another container of a
// shared-PID pod does (nsenter forks into it), and leaves orphans there.
harness::Options joiner(pid_t reaper, const std::string& orphans)
{
    harness::Options options;
    options.program = "/usr/bin/nsenter";
    options.reaper_args = {"--target", std::to_string(reaper), "--pid", "--", harness::probe_binary(), "orphans",
                           orphans};
    options.new_pid_namespace = false;
    return options;
}

}  // namespace

TEST_CASE("pause reaps the orphans of processes that joined its namespace, then exits 0 on SIGTERM",
          "[pause][valgrind]")
{
    std::optional<harness::Reaper> pause = common::start(pause_as_pid1());
    if (!pause) {
        return;
    }
    std::optional<harness::Reaper> app = common::start(joiner(pause->pid(), "200"));
    REQUIRE(app);
    REQUIRE(app->read_until("orphaned 200", Deadline(30)));
    std::vector<harness::ProcessInfo> left;
    CHECK(harness::eventually(Deadline(20), [&] {
        left = harness::processes_in_namespace_of(pause->pid());
        return left.size() == 2;  // reaper and the joined probe: no orphan, no zombie
    }));
    INFO("processes left in the namespace: " << left.size());
    app->close_stdin();
    CHECK(app->wait_exit(Deadline(10)) == 0);
    // Signals other than TERM and INT are ignored.
    REQUIRE(kill(pause->pid(), SIGHUP) == 0);
    REQUIRE(kill(pause->pid(), SIGUSR1) == 0);
    CHECK_FALSE(pause->wait_exit(Deadline(0.5)).has_value());
    REQUIRE(kill(pause->pid(), SIGTERM) == 0);
    CHECK(pause->wait_exit(Deadline(10)) == 0);
}

TEST_CASE("pause gives an orphan it adopted the grace signal, and waits for it to finish", "[pause]")
{
    std::optional<harness::Reaper> pause = common::start(pause_as_pid1());
    if (!pause) {
        return;
    }
    // A process of another container leaves a daemon behind: once it has exited, the
    // daemon is the pause's, and finishes a 1 MiB write when SIGTERM comes.
    std::string file = "/tmp/reaper-pause-orphan-" + std::to_string(getpid());
    unlink(file.c_str());
    harness::Options enter;
    enter.program = "/usr/bin/nsenter";
    enter.reaper_args = {
        "--target", std::to_string(pause->pid()), "--pid", "--", harness::probe_binary(), "leave", "write", "0", file};
    enter.new_pid_namespace = false;
    std::optional<harness::Reaper> app = common::start(enter);
    REQUIRE(app);
    REQUIRE(app->read_until(probe_lines::left, Deadline(10)));
    app->close_stdin();
    CHECK(app->wait_exit(Deadline(10)) == 0);
    REQUIRE(harness::eventually(Deadline(10), [&] { return harness::children_of(pause->pid()).size() == 1; }));
    REQUIRE(kill(pause->pid(), SIGTERM) == 0);
    CHECK(pause->wait_exit(Deadline(10)) == 0);
    std::string written = harness::read_file(file);
    INFO(written.size() << " bytes written");
    CHECK((written.size() == 256 * 4096 + 4 && written.compare(written.size() - 4, 4, "END\n") == 0));
    unlink(file.c_str());
}

TEST_CASE("pause exits 0 on SIGINT", "[pause]")
{
    std::optional<harness::Reaper> pause = common::start(pause_as_pid1({"-v"}));
    if (!pause) {
        return;
    }
    // Not before it blocks on its signalfd: PID 1 drops a signal it has not blocked yet.
    REQUIRE(harness::eventually(Deadline(10), [&] { return harness::idle_in_wait(pause->pid()); }));
    REQUIRE(kill(pause->pid(), SIGINT) == 0);
    CHECK(pause->wait_exit(Deadline(10)) == 0);
    CHECK(pause->stderr_text(Deadline(5)) == "reaper: pause: SIGINT, exiting\n");
}

TEST_CASE("pause with a command is a usage error", "[pause]")
{
    harness::Options options = pause_as_pid1({"sleep", "1"});
    std::optional<harness::Finished> finished = common::run(options);
    if (!finished) {
        return;
    }
    CHECK(finished->exit_code == 2);
    CHECK(finished->stderr_text == "reaper: --pause takes no command, got 'sleep'\n");
}

TEST_CASE("a child that ended before reaper blocked SIGCHLD is reaped anyway (its signal was lost)", "[pause]")
{
    // The probe, PID 1 of the namespace, leaves a child that has already exited -- a
    // zombie whose SIGCHLD was discarded -- and becomes reaper --pause. No other SIGCHLD
    // will ever come.
    harness::Options options;
    options.program = harness::probe_binary();
    options.reaper_args = {"zombie-then-exec", harness::reaper_binary(), "--pause", "-w"};
    std::optional<harness::Reaper> pause = common::start(options);
    if (!pause) {
        return;
    }
    std::vector<harness::ProcessInfo> left;
    bool reaped = harness::eventually(Deadline(10), [&] {
        left = harness::processes_in_namespace_of(pause->pid());
        // reaper alone (not the probe before it has forked), and no child left: the zombie
        // is gone.
        return harness::proc_link(pause->pid(), "exe") == harness::reaper_binary() && left.size() == 1 &&
               harness::children_of(pause->pid()).empty();
    });
    INFO("processes in the namespace: " << left.size());
    CHECK(reaped);
    // Not before it waits on its signalfd: PID 1 drops a signal it has not blocked yet.
    REQUIRE(harness::eventually(Deadline(10), [&] { return harness::idle_in_wait(pause->pid()); }));
    REQUIRE(kill(pause->pid(), SIGTERM) == 0);
    CHECK(pause->wait_exit(Deadline(10)) == 0);
    CHECK(pause->stderr_text(Deadline(5)) == "reaper: reaped zombie process 2\n");
}
