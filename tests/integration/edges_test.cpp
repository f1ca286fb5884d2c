// The edges where reaper must behave as the tool its user knows: the bare command, a
// shell, tini. Each scenario runs that tool beside reaper where it has a counterpart.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"
#include "signals.hpp"

using common::as_pid1;
using common::as_subreaper;
using harness::Deadline;

namespace {

std::string temporary_path(const std::string& name)
{
    return "/tmp/reaper-edges-" + std::to_string(getpid()) + "-" + name;
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool written_in_full(const std::string& file)
{
    std::string text = harness::read_file(file);
    return text.size() == 256 * 4096 + 4 && text.compare(text.size() - 4, 4, "END\n") == 0;
}

char state_of(pid_t pid)
{
    std::optional<harness::ProcessInfo> info = harness::process_info(pid);
    return info ? info->state : '?';
}

// Every line the probe's payloads mode prints for the signals `send` sends to `target`,
// once all of them have arrived (`expected` lines).
std::vector<std::string> payload_lines(harness::Reaper& process, pid_t target, std::size_t expected)
{
    REQUIRE(process.read_until(probe_lines::ready, Deadline(10)));
    sigval value{};
    value.sival_int = 4242;
    REQUIRE(sigqueue(target, SIGUSR1, value) == 0);
    for (int i = 0; i < 3; ++i) {
        value.sival_int = 70 + i;
        REQUIRE(sigqueue(target, signals::rt_min + 3, value) == 0);
    }
    REQUIRE(kill(target, SIGUSR2) == 0);
    std::vector<std::string> lines;
    while (lines.size() < expected) {
        std::optional<std::string> line = process.read_line(Deadline(10));
        REQUIRE(line);
        lines.push_back(*line);
    }
    std::sort(lines.begin(), lines.end());
    process.close_stdin();
    return lines;
}

}  // namespace

TEST_CASE("a script without #! runs with /bin/sh, as tini (execvp) runs it; 126 only if that fails too", "[pid1]")
{
    std::string dir = temporary_path("scripts");
    mkdir(dir.c_str(), 0755);
    std::string script = dir + "/no-shebang";
    std::ofstream(script) << "echo \"script $0 $1\"\nexit 3\n";
    chmod(script.c_str(), 0755);
    for (const std::string& command : {script, std::string("no-shebang")}) {
        INFO(command);
        std::vector<std::string> env = {"PATH=" + dir + ":/usr/bin:/bin"};
        harness::Finished tini = common::run_to_end("tini", {"-s", "--", command, "arg"}, false, env);
        harness::Finished ours = common::run_to_end("", {"--", command, "arg"}, true, env);
        CHECK(tini.exit_code == 3);
        CHECK(ours.exit_code == tini.exit_code);
        CHECK(ours.stdout_text == tini.stdout_text);
        CHECK(ours.stderr_text.empty());
    }
    if (support::environment_available(geteuid() == 0, "hiding /bin/sh needs a mount namespace (root)")) {
        // No shell to run it with: 126, one line.
        harness::Finished shell_gone =
            common::run_to_end("unshare",
                               {"--mount", "--", "sh", "-c", "mount --bind /dev/null /bin/sh && exec \"$@\"", "sh",
                                harness::reaper_binary(), "--", script},
                               false);
        CHECK(shell_gone.exit_code == 126);
        CHECK(shell_gone.stderr_text == "reaper: exec \"" + script + "\": Exec format error\n");
    }
    harness::run_program({"rm", "-rf", dir}, 10);
}

TEST_CASE("grace 0 as a subreaper: what has already ended is reaped, not left to the parent, as tini -s", "[subreaper]")
{
    // The command and an orphan of it end while reaper is stopped: both reach it at once.
    std::optional<harness::Finished> tini =
        harness::run_program({harness::probe_binary(), "adopts-zombies", "tini", "-s", "--"}, 30);
    std::optional<harness::Finished> ours = harness::run_program(
        {harness::probe_binary(), "adopts-zombies", harness::reaper_binary(), "--grace", "0", "--"}, 30);
    REQUIRE(tini);
    REQUIRE(ours);
    INFO(tini->stderr_text << ours->stderr_text);
    CHECK(tini->stdout_text == "status 0 inherited 0\n");
    CHECK(ours->stdout_text == tini->stdout_text);
}

TEST_CASE("along PATH, a file that cannot be run for another reason than EACCES stops the search, as in execvp",
          "[subreaper]")
{
    // The first `cmd` along PATH is open for writing (ETXTBSY); the second would exit 0.
    std::string dir = temporary_path("path");
    for (const std::string& sub : {dir, dir + "/busy", dir + "/later"}) {
        mkdir(sub.c_str(), 0755);
    }
    for (const std::string& file : {dir + "/busy/cmd", dir + "/later/cmd"}) {
        REQUIRE(harness::run_program({"cp", "/bin/true", file}, 10));
    }
    int writer = open((dir + "/busy/cmd").c_str(), O_WRONLY | O_CLOEXEC);
    REQUIRE(writer >= 0);
    std::vector<std::string> env = {"PATH=" + dir + "/busy:" + dir + "/later:/usr/bin:/bin"};
    harness::Finished shell = common::run_to_end("bash", {"-c", "cmd"}, false, env);
    harness::Finished tini = common::run_to_end("tini", {"-s", "--", "cmd"}, false, env);
    harness::Finished ours = common::run_to_end("", {"--", "cmd"}, true, env);
    close(writer);
    CHECK(shell.exit_code == 126);  // bash runs the first one it finds, and reports its failure
    CHECK(tini.exit_code != 0);     // execvp stops at it (tini then exits 1)
    CHECK(tini.stderr_text.find("Text file busy") != std::string::npos);
    CHECK(ours.exit_code == 126);
    CHECK(ours.stderr_text == "reaper: exec \"cmd\": Text file busy\n");
    harness::run_program({"rm", "-rf", dir}, 10);
}

TEST_CASE("sigqueue: the child gets each signal with the sender's value and SI_QUEUE, as without reaper",
          "[pid1][valgrind]")
{
    harness::Options bare;
    bare.program = harness::probe_binary();
    bare.reaper_args = {"payloads"};
    bare.new_pid_namespace = false;
    std::optional<harness::Reaper> alone = common::start(bare);
    if (!alone) {
        return;
    }
    std::vector<std::string> expected = payload_lines(*alone, alone->pid(), 5);
    CHECK(alone->wait_exit(Deadline(10)) == 0);
    CHECK(std::find(expected.begin(), expected.end(),
                    "SIG " + std::to_string(SIGUSR1) + " code " + std::to_string(SI_QUEUE) + " value 4242") !=
          expected.end());

    std::optional<harness::Reaper> reaper = common::start(as_pid1({}, {"payloads"}));
    REQUIRE(reaper);
    CHECK(payload_lines(*reaper, reaper->pid(), 5) == expected);
    CHECK(reaper->wait_exit(Deadline(10)) == 0);
}

TEST_CASE("a forward the kernel refuses is said once per signal at the default verbosity", "[subreaper]")
{
    if (!support::environment_available(geteuid() == 0, "a setuid-root child needs root to set up")) {
        return;
    }
    // reaper runs as nobody; its child becomes root (as su or sudo do) and cannot be signalled.
    std::string dir = temporary_path("suid");
    mkdir(dir.c_str(), 0755);
    std::string becomes_root = dir + "/probe";
    // The static build of the probe where there is one: a setuid program had better not
    // depend on the loader's environment.
    const char* static_probe = std::getenv("REAPER_PROBE_STATIC");
    std::string source = static_probe != nullptr && *static_probe != '\0' ? static_probe : harness::probe_binary();
    REQUIRE(harness::run_program({"cp", source, becomes_root}, 10));
    REQUIRE(chown(becomes_root.c_str(), 0, 0) == 0);
    REQUIRE(chmod(becomes_root.c_str(), 04755) == 0);
    harness::Options options;
    options.program = "setpriv";
    options.reaper_args = {"--reuid=65534", "--regid=65534", "--clear-groups", harness::reaper_binary(), "--",
                           becomes_root,    "become-root"};
    options.new_pid_namespace = false;
    std::optional<harness::Reaper> reaper = common::start(options);
    REQUIRE(reaper);
    REQUIRE(reaper->read_until("root", Deadline(10)));
    // Real-time instances queue one by one: two forwards of the same signal, one line.
    REQUIRE(kill(reaper->pid(), SIGTERM) == 0);
    REQUIRE(kill(reaper->pid(), signals::rt_min + 1) == 0);
    REQUIRE(kill(reaper->pid(), signals::rt_min + 1) == 0);
    CHECK(harness::eventually(Deadline(10), [&] {
        return harness::proc_status_field(reaper->pid(), "ShdPnd") == "0000000000000000" &&
               harness::idle_in_wait(reaper->pid());
    }));
    reaper->close_stdin();
    CHECK(reaper->wait_exit(Deadline(10)) == 0);
    std::string errors = reaper->stderr_text(Deadline(5));
    CHECK(errors.find("reaper: forward SIGTERM to ") != std::string::npos);
    CHECK(errors.find("reaper: forward SIGRTMIN+1 to ") != std::string::npos);
    CHECK(std::count(errors.begin(), errors.end(), '\n') == 2);
    CHECK(errors.find(": Operation not permitted\n") != std::string::npos);
    harness::run_program({"rm", "-rf", dir}, 10);
}

TEST_CASE("a stop sent to the child from outside leaves reaper running; the child's exit still ends it", "[subreaper]")
{
    common::scenario(as_subreaper({}, {"sleep"}), probe_lines::ready, [&](harness::Reaper& reaper) {
        std::vector<pid_t> children = harness::children_of(reaper.pid());
        REQUIRE(children.size() == 1);
        REQUIRE(kill(children[0], SIGTSTP) == 0);
        REQUIRE(harness::eventually(Deadline(10), [&] { return state_of(children[0]) == 'T'; }));
        REQUIRE(kill(children[0], SIGCONT) == 0);
        reaper.close_stdin();
        // Had reaper stopped with the child, nobody would continue it: no exit, a zombie under it.
        CHECK(reaper.wait_exit(Deadline(10)) == 0);
    });
}

TEST_CASE("grace: a process that entered the namespace from outside (nsenter) gets SIGTERM and is waited for",
          "[grace]")
{
    // At a limit of 6 descriptors the grace needs every one it has to read /proc and find
    // the joiners: reaper's own must not take them, and a joiner whose parent cannot be
    // read for want of one (the first joiner's pidfd holds it) must still be waited for.
    for (int variant : {0, 1, 2}) {
        bool pause = variant == 1;
        bool few_descriptors = variant == 2;
        std::size_t count = few_descriptors ? 3 : 1;
        INFO((pause ? "--pause" : few_descriptors ? "a command, 3 joiners, a limit of 6 descriptors" : "a command"));
        if (!support::environment_available(geteuid() == 0, "nsenter into reaper's namespaces needs root")) {
            return;
        }
        harness::Options options;
        options.program = "sh";  // its ulimit: busybox's, where the VMs have no prlimit
        options.new_pid_namespace = false;
        options.reaper_args = {"-c",
                               std::string(few_descriptors ? "ulimit -n 6 && " : "") + "exec \"$@\"",
                               "sh",
                               "unshare",
                               "--pid",
                               "--fork",
                               "--mount-proc",
                               "--",
                               harness::reaper_binary(),
                               "-v"};
        if (pause) {
            options.reaper_args.push_back("--pause");
        } else {
            options.reaper_args.insert(options.reaper_args.end(), {"--", harness::probe_binary(), "sleep"});
        }
        std::optional<harness::Reaper> unshare = common::start(options);
        REQUIRE(unshare);
        if (!pause) {
            REQUIRE(unshare->read_until(probe_lines::ready, Deadline(10)));
        }
        pid_t init = 0;
        REQUIRE(harness::eventually(Deadline(10), [&] {
            std::vector<pid_t> children = harness::children_of(unshare->pid());
            init = children.empty() ? 0 : children[0];
            return init > 0 && harness::idle_in_wait(init);
        }));
        std::vector<std::string> files;
        std::vector<harness::Reaper> joiners;
        for (std::size_t i = 0; i < count; ++i) {
            files.push_back(temporary_path("joiner-" + std::to_string(variant) + "-" + std::to_string(i)));
            unlink(files.back().c_str());
            harness::Options enter;
            enter.program = "nsenter";
            enter.new_pid_namespace = false;
            enter.reaper_args = {"--target", std::to_string(init),    "--pid",  "--mount",
                                 "--",       harness::probe_binary(), "writer", files.back()};
            std::optional<harness::Reaper> joiner = common::start(enter);
            REQUIRE(joiner);
            REQUIRE(joiner->read_until(probe_lines::ready, Deadline(10)));
            joiners.push_back(std::move(*joiner));
        }
        if (pause) {
            REQUIRE(kill(init, SIGTERM) == 0);
        } else {
            unshare->close_stdin();
        }
        CHECK(unshare->wait_exit(Deadline(10)) == 0);
        for (std::size_t i = 0; i < count; ++i) {
            CHECK(joiners[i].wait_exit(Deadline(10)) == 0);  // not 137: it ended on SIGTERM, in its own time
            CHECK(written_in_full(files[i]));
            unlink(files[i].c_str());
        }
        CHECK(unshare->stderr_text(Deadline(5))
                  .find("grace: waiting for " + std::to_string(count) + " process(es) that entered from outside") !=
              std::string::npos);
    }
}

TEST_CASE("grace: a stopped leftover gets SIGCONT right after SIGTERM, and finishes at once", "[grace]")
{
    std::string file = temporary_path("stopped");
    unlink(file.c_str());
    common::scenario(as_pid1({"--grace", "20"}, {"leave", "stopped-write", "7", file}), probe_lines::left,
                     [&](harness::Reaper& reaper) {
                         auto start = std::chrono::steady_clock::now();
                         reaper.close_stdin();
                         CHECK(reaper.wait_exit(Deadline(30)) == 7);
                         CHECK(seconds_since(start) < 10.0);  // not the 20 s deadline: it was continued, not killed
                         CHECK(written_in_full(file));
                         unlink(file.c_str());
                     });
}

TEST_CASE("grace as a subreaper: what a leftover forks on its way out gets SIGTERM too", "[grace]")
{
    std::string file = temporary_path("forked");
    unlink(file.c_str());
    common::scenario(as_subreaper({"--grace", "20", "-v"}, {"leave", "forker", "7", file}), probe_lines::left,
                     [&](harness::Reaper& reaper) {
                         auto start = std::chrono::steady_clock::now();
                         reaper.close_stdin();
                         CHECK(reaper.wait_exit(Deadline(30)) == 7);
                         CHECK(seconds_since(start) < 10.0);
                         CHECK(written_in_full(file));
                         CHECK(reaper.stderr_text(Deadline(5))
                                   .find("reaper: grace: 2 process(es) left; 2 ended on SIGTERM, 0 killed") !=
                               std::string::npos);
                         unlink(file.c_str());
                     });
}

TEST_CASE("a diagnostic written to a closed pipe is not forwarded as SIGPIPE: the child's status stands", "[subreaper]")
{
    // -w writes a line for the orphan reaped; its reader (true) is gone by then.
    harness::Finished finished =
        common::run_to_end("bash",
                           {"-c", "\"$@\" 2>&1 | true; echo \"${PIPESTATUS[0]}\"", "bash", harness::reaper_binary(),
                            "-w", "--", "sh", "-c", "(sleep 0.1 &); sleep 0.3; exit 7"},
                           false);
    CHECK(finished.stdout_text == "7\n");
}
