// reaper as a shell's foreground job on a real pseudo-terminal: the test types the keys
// (^C, ^Z, lines) on the master side, and a job-control shell (tests/helpers/jobshell)
// waits for reaper with WUNTRACED and brings it back with `fg`.
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>

#include "common.hpp"
#include "probe_lines.hpp"
#include "pty_session.hpp"

using harness::Deadline;
using pty_session::Placement;
using pty_session::Session;

namespace {

std::optional<Session> start(Placement placement, const std::vector<std::string>& probe_args,
                             std::vector<std::string> reaper_options = {})
{
    std::vector<std::string> command = common::probe_command(std::move(reaper_options), probe_args);
    command.insert(command.begin(), harness::reaper_binary());
    std::string why;
    std::optional<Session> session = Session::start(placement, command, {}, why);
    support::environment_available(session.has_value(), why);
    return session;
}

// The PID the probe prints in "ready PID" (tty mode); 0 if it did not.
pid_t ready_pid(Session& session)
{
    std::optional<std::string> line = session.terminal_line(Deadline(10));
    return line && line->rfind("ready ", 0) == 0 ? static_cast<pid_t>(std::atoi(line->c_str() + 6)) : 0;
}

char state_of(pid_t pid)
{
    std::optional<harness::ProcessInfo> info = harness::process_info(pid);
    return info ? info->state : '?';
}

const std::string control_c = "\x03";
const std::string control_d = "\x04";
const std::string control_z = "\x1a";

}  // namespace

// What the shell sees of its job (reaper, or the probe alone) when ^C is typed.
std::optional<std::string> after_control_c(Session& session, pid_t child)
{
    CHECK(harness::eventually(Deadline(5), [&] { return session.foreground_group() == child; }));
    REQUIRE(session.type(control_c));
    return session.ask("wait", Deadline(10));
}

TEST_CASE("terminal: the child gets the foreground; ^C kills it once, and the shell sees what it sees without reaper",
          "[terminal]")
{
    // The probe alone first: a shell running it in a loop sees "killed 2" and stops the
    // loop. reaper must end the same way (not "exited 130", which bash takes for a
    // command that handled SIGINT).
    std::string why;
    std::optional<Session> bare = Session::start(Placement::foreground, {harness::probe_binary(), "tty"}, {}, why);
    support::environment_available(bare.has_value(), why);
    if (!bare) {
        return;
    }
    pid_t bare_child = ready_pid(*bare);
    REQUIRE(bare_child > 0);
    std::optional<std::string> bare_end = after_control_c(*bare, bare_child);
    REQUIRE(bare_end == "killed " + std::to_string(SIGINT));

    std::optional<Session> session = start(Placement::foreground, {"tty"});
    REQUIRE(session);
    pid_t child = ready_pid(*session);
    REQUIRE(child > 0);
    CHECK(after_control_c(*session, child) == bare_end);
    // Handed back to the group that had it before reaper started: reaper's own job group.
    CHECK(session->foreground_group() == session->job());
}

TEST_CASE("terminal: one ^C is one SIGINT for the child; reaper does not forward a second", "[terminal]")
{
    std::optional<Session> session = start(Placement::foreground, {"signals"});
    if (!session) {
        return;
    }
    REQUIRE(session->terminal_shows(probe_lines::ready_of("child"), Deadline(10)));
    REQUIRE(session->type(control_c));
    CHECK(session->terminal_line(Deadline(5)) == probe_lines::signal_of("child", SIGINT));
    // A marker sent through reaper: had reaper queued a SIGINT of its own, it would be
    // forwarded first (lower numbers are dequeued first) and show before the marker.
    REQUIRE(kill(session->job(), SIGUSR1) == 0);
    CHECK(session->terminal_line(Deadline(5)) == probe_lines::signal_of("child", SIGUSR1));
    REQUIRE(session->type(control_d));
    CHECK(session->ask("wait", Deadline(10)) == "exited 0");
}

TEST_CASE("terminal: ^Z stops the child and reaper; fg gives the child the terminal again", "[terminal][valgrind]")
{
    std::optional<Session> session = start(Placement::foreground, {"tty"});
    if (!session) {
        return;
    }
    pid_t child = ready_pid(*session);
    REQUIRE(child > 0);
    REQUIRE(harness::eventually(Deadline(5), [&] { return session->foreground_group() == child; }));
    REQUIRE(session->type(control_z));
    CHECK(session->ask("wait", Deadline(10)) == "stopped " + std::to_string(SIGTSTP));
    CHECK(state_of(child) == 'T');
    CHECK(state_of(session->job()) == 'T');
    CHECK(session->foreground_group() == session->shell());

    CHECK(session->ask("fg", Deadline(5)) == "ok");
    CHECK(harness::eventually(Deadline(5), [&] { return session->foreground_group() == child; }));
    REQUIRE(session->type("hello\n"));
    CHECK(session->terminal_shows("line hello", Deadline(5)));
    CHECK(state_of(session->job()) != 'T');
    REQUIRE(session->type(control_d));
    CHECK(session->ask("wait", Deadline(10)) == "exited 0");
}

TEST_CASE("terminal: a job started in the background stops on reading, and fg brings it back", "[terminal]")
{
    std::optional<Session> session = start(Placement::background, {"tty"});
    if (!session) {
        return;
    }
    pid_t child = ready_pid(*session);
    REQUIRE(child > 0);
    // reaper was not in the foreground: the terminal stays the shell's, and the child's
    // read stops it (SIGTTIN), which reaper repeats on itself.
    CHECK(session->ask("wait", Deadline(10)) == "stopped " + std::to_string(SIGTTIN));
    CHECK(session->foreground_group() == session->shell());
    CHECK(session->ask("fg", Deadline(5)) == "ok");
    CHECK(harness::eventually(Deadline(5), [&] { return session->foreground_group() == child; }));
    REQUIRE(session->type("again\n"));
    CHECK(session->terminal_shows("line again", Deadline(5)));
    REQUIRE(session->type(control_d));
    CHECK(session->ask("wait", Deadline(10)) == "exited 0");
    CHECK(session->foreground_group() == session->job());
}

TEST_CASE("terminal: under a shell without job control, the terminal and its settings are handed back", "[terminal]")
{
    // The job waits for a line before it becomes reaper, so that the settings are read
    // before anything could have changed them.
    std::vector<std::string> command = common::probe_command({}, {"raw"});
    command.insert(command.begin(), {"sh", "-c", "read go; exec \"$@\"", "sh", harness::reaper_binary()});
    std::string why;
    std::optional<Session> session = Session::start(Placement::same_group, command, {}, why);
    if (!support::environment_available(session.has_value(), why)) {
        return;
    }
    termios before = session->settings();
    REQUIRE(session->type("go\n"));
    REQUIRE(session->terminal_shows("raw", Deadline(10)));
    CHECK((session->settings().c_lflag & ICANON) == 0);  // the child changed them
    REQUIRE(session->type("q"));
    CHECK(session->ask("wait", Deadline(10)) == "exited 0");
    CHECK(session->foreground_group() == session->shell());
    termios after = session->settings();
    CHECK(after.c_lflag == before.c_lflag);
    CHECK(after.c_iflag == before.c_iflag);
    CHECK(after.c_oflag == before.c_oflag);
}

TEST_CASE("as PID 1, a stopped child stays stopped until reaper is sent SIGCONT", "[pid1]")
{
    common::scenario(common::as_pid1({}, {"tty"}), "", [&](harness::Reaper& reaper) {
        std::optional<std::string> line = reaper.read_line(Deadline(10));
        REQUIRE(line);
        REQUIRE(line->rfind("ready ", 0) == 0);
        std::vector<pid_t> children = harness::children_of(reaper.pid());
        REQUIRE(children.size() == 1);
        pid_t child = children[0];
        REQUIRE(kill(reaper.pid(), SIGTSTP) == 0);  // forwarded; the child's default action stops it
        CHECK(harness::eventually(Deadline(5), [&] { return state_of(child) == 'T'; }));
        // reaper has seen the stop (SIGCHLD) and is back waiting, not stopped itself.
        CHECK(harness::eventually(Deadline(5), [&] { return harness::idle_in_wait(reaper.pid()); }));
        CHECK(state_of(reaper.pid()) != 'T');
        REQUIRE(kill(reaper.pid(), SIGCONT) == 0);
        CHECK(harness::eventually(Deadline(5), [&] { return state_of(child) != 'T'; }));
        reaper.write_stdin("after\n");
        CHECK(reaper.read_line(Deadline(5)) == "line after");
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("terminal: ^Z of a pipeline, then fg, continues every process of the child's group", "[terminal]")
{
    // sh without job control keeps the whole pipeline in the child's group, which ^Z stops.
    std::string why;
    std::optional<Session> session =
        Session::start(Placement::foreground,
                       {harness::reaper_binary(), "--", "sh", "-c", harness::probe_binary() + " tty | cat"}, {}, why);
    support::environment_available(session.has_value(), why);
    if (!session) {
        return;
    }
    pid_t probe = ready_pid(*session);
    REQUIRE(probe > 0);
    pid_t group = getpgid(probe);
    REQUIRE(harness::eventually(Deadline(5), [&] { return session->foreground_group() == group; }));
    REQUIRE(session->type(control_z));
    CHECK(session->ask("wait", Deadline(10)) == "stopped " + std::to_string(SIGTSTP));
    CHECK(harness::eventually(Deadline(5), [&] { return state_of(probe) == 'T'; }));
    CHECK(session->ask("fg", Deadline(5)) == "ok");
    REQUIRE(session->type("piped\n"));
    CHECK(session->terminal_shows("line piped", Deadline(5)));
    REQUIRE(session->type(control_d));
    CHECK(session->ask("wait", Deadline(10)) == "exited 0");
}

namespace {

// Starts `command` (reaper's or the bare one) as the job, types `keys` once the terminal
// shows a line holding `wait_for`, and returns the job's end and the lines after.
struct Outcome {
    std::vector<std::string> lines;
    std::optional<std::string> end;
};

Outcome run_job(Placement placement, const std::vector<std::string>& command, const std::string& wait_for,
                const std::string& keys)
{
    std::string why;
    std::optional<Session> session = Session::start(placement, command, {"TERM=vt100"}, why);
    REQUIRE(support::environment_available(session.has_value(), why));
    Outcome outcome;
    Deadline started(10);
    while (!wait_for.empty()) {
        std::optional<std::string> line = session->terminal_line(started);
        REQUIRE(line);
        if (line->find(wait_for) != std::string::npos) {
            break;
        }
    }
    REQUIRE(session->type(keys));
    outcome.end = session->ask("wait", Deadline(15));
    while (std::optional<std::string> line = session->terminal_line(Deadline(0.2))) {
        outcome.lines.push_back(*line);
    }
    return outcome;
}

std::vector<std::string> with_reaper(std::vector<std::string> command)
{
    command.insert(command.begin(), {harness::reaper_binary(), "--"});
    return command;
}

}  // namespace

TEST_CASE("terminal: the command reads the controlling terminal although stdin is a pipe, as without reaper",
          "[terminal]")
{
    // echo x | COMMAND, COMMAND reading a line from /dev/tty: the keyboard, not the pipe.
    std::vector<std::string> reads_tty = {"sh", "-c", "read line </dev/tty; echo \"got:$line\""};
    auto piped = [](const std::vector<std::string>& command) {
        std::vector<std::string> job = {"sh", "-c", "echo x | \"$@\"", "sh"};
        job.insert(job.end(), command.begin(), command.end());
        return job;
    };
    Outcome bare = run_job(Placement::foreground, piped(reads_tty), "", "typed\n");
    CHECK(bare.end == "exited 0");
    CHECK(std::find(bare.lines.begin(), bare.lines.end(), "got:typed") != bare.lines.end());
    Outcome ours = run_job(Placement::foreground, piped(with_reaper(reads_tty)), "", "typed\n");
    CHECK(ours.end == bare.end);
    CHECK(ours.lines == bare.lines);
    // A job of its own (reaper the group leader), as an interactive shell starts it.
    Outcome own = run_job(Placement::foreground,
                          with_reaper({"sh", "-c", "echo x | sh -c 'read l </dev/tty; echo got:$l'"}), "", "typed\n");
    CHECK(own.end == "exited 0");
    CHECK(std::find(own.lines.begin(), own.lines.end(), "got:typed") != own.lines.end());
    // less, reading its keys from the terminal while its text comes down a pipe.
    Outcome pager = run_job(Placement::foreground, piped(with_reaper({"less", "-X"})), "x", "q");
    CHECK(pager.end == "exited 0");
}

TEST_CASE("terminal: a command that cannot be run gives the terminal back; the script goes on reading it", "[terminal]")
{
    // As its own job: the foreground returns to reaper's group, not to the dead child's.
    std::string why;
    std::optional<Session> missing =
        Session::start(Placement::foreground, {harness::reaper_binary(), "--", "no-such-command"}, {}, why);
    REQUIRE(support::environment_available(missing.has_value(), why));
    CHECK(missing->ask("wait", Deadline(10)) == "exited 127");
    CHECK(missing->foreground_group() == missing->job());
    // In a script, as the issue was met: the next command reads the terminal.
    std::vector<std::string> script = {
        "sh", "-c", "\"$@\"; read line; echo \"got:$line\"", "sh", harness::reaper_binary(), "--", "no-such-command"};
    Outcome after = run_job(Placement::foreground, script, "", "typed\n");
    CHECK(after.end == "exited 0");
    CHECK(std::find(after.lines.begin(), after.lines.end(), "got:typed") != after.lines.end());
}

TEST_CASE("terminal: a background job whose child is stopped from outside keeps running", "[terminal]")
{
    std::string why;
    std::optional<Session> session =
        Session::start(Placement::background, {harness::reaper_binary(), "--", "sleep", "1000"}, {}, why);
    REQUIRE(support::environment_available(session.has_value(), why));
    pid_t child = 0;
    REQUIRE(harness::eventually(Deadline(10), [&] {
        std::vector<pid_t> children = harness::children_of(session->job());
        child = children.empty() ? 0 : children[0];
        return child > 0 && harness::proc_link(child, "exe").find("sleep") != std::string::npos;
    }));
    REQUIRE(kill(child, SIGTSTP) == 0);
    REQUIRE(harness::eventually(Deadline(10), [&] { return state_of(child) == 'T'; }));
    REQUIRE(kill(child, SIGCONT) == 0);
    REQUIRE(kill(child, SIGTERM) == 0);
    // Had reaper stopped too, the shell would see "stopped 20" and it would stay so.
    CHECK(session->ask("wait", Deadline(10)) == "exited 143");
}

TEST_CASE("terminal: ^C in a script's loop ends the loop, as it does without reaper", "[terminal]")
{
    std::vector<std::string> loop = {"bash", "-c", "for i in 1 2 3; do \"$@\"; echo \"next $i\"; done; echo end",
                                     "bash"};
    std::vector<std::string> bare = loop;
    bare.insert(bare.end(), {harness::probe_binary(), "tty"});
    Outcome without = run_job(Placement::foreground, bare, "ready", control_c);
    CHECK(without.end == "killed " + std::to_string(SIGINT));
    std::vector<std::string> ours = loop;
    ours.insert(ours.end(), {harness::reaper_binary(), "--", harness::probe_binary(), "tty"});
    Outcome with = run_job(Placement::foreground, ours, "ready", control_c);
    CHECK(with.end == without.end);
    CHECK(std::count(with.lines.begin(), with.lines.end(), "next 1") == 0);
}
