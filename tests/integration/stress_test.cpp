// reaper as PID 1 of a new namespace under load and odd timing. Each test ends with reaper
// exited with the right status and nothing of the namespace left: no zombie, no process.
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"
#include "probe_lines.hpp"
#include "signals.hpp"

using common::as_pid1;
using harness::Deadline;

namespace {

// Processes that send `count` signals, cycling through `kinds`, to `target`, until done or
// the target is gone. Returned by PID; the test waits for each.
std::vector<pid_t> start_senders(pid_t target, int senders, long count, const std::vector<int>& kinds)
{
    std::vector<pid_t> pids;
    for (int sender = 0; sender < senders; ++sender) {
        pid_t pid = fork();
        if (pid == 0) {
            for (long i = 0; i < count; ++i) {
                int signal = kinds[static_cast<std::size_t>(i + sender) % kinds.size()];
                if (kill(target, signal) != 0 && errno == ESRCH) {
                    _exit(1);
                }
            }
            _exit(0);
        }
        pids.push_back(pid);
    }
    return pids;
}

bool all_finished(const std::vector<pid_t>& pids, double seconds)
{
    Deadline deadline(seconds);
    bool finished = true;
    for (pid_t pid : pids) {
        int status = 0;
        bool done = harness::eventually(deadline, [&] { return waitpid(pid, &status, WNOHANG) == pid; });
        if (!done) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        finished = finished && done && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return finished;
}

// A pids cgroup (v1 or v2) limited to `max`; empty, with `why`, where there is none.
std::string make_pids_cgroup(int max, std::string& why)
{
    std::string parent;
    if (access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0) {
        parent = "/sys/fs/cgroup/pids";
    } else if (harness::read_file("/sys/fs/cgroup/cgroup.subtree_control").find("pids") != std::string::npos) {
        parent = "/sys/fs/cgroup";
    } else {
        why = "no pids cgroup controller here (v1 /sys/fs/cgroup/pids, or v2 with pids enabled)";
        return "";
    }
    std::string path = parent + "/reaper-stress-" + std::to_string(getpid());
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        why = "mkdir " + path + ": " + std::strerror(errno);
        return "";
    }
    int fd = open((path + "/pids.max").c_str(), O_WRONLY);
    std::string value = std::to_string(max);
    bool written = fd >= 0 && write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
    if (fd >= 0) {
        close(fd);
    }
    if (!written) {
        why = "cannot set " + path + "/pids.max";
        rmdir(path.c_str());
        return "";
    }
    return path;
}

}  // namespace

TEST_CASE("stress: 100,000 orphans in bursts of 2,000 that die at the same moment", "[stress]")
{
    const long bursts = 50;
    const long size = 2000;
    common::scenario(as_pid1({}, {"bursts", std::to_string(bursts), std::to_string(size)}), "",
                     [&](harness::Reaper& reaper) {
                         long reaped_bursts = 0;
                         for (long burst = 1; burst <= bursts; ++burst) {
                             std::optional<std::string> line = reaper.read_line(Deadline(60));
                             REQUIRE(line == "burst " + std::to_string(burst) + " " + std::to_string(size));
                             // All of the burst reaped: only reaper and the probe are left in the namespace.
                             std::vector<harness::ProcessInfo> left;
                             bool drained = harness::eventually(Deadline(30), [&] {
                                 left = harness::processes_in_namespace_of(reaper.pid());
                                 return left.size() == 2;
                             });
                             INFO("burst " << burst << ": " << left.size() << " processes, "
                                           << harness::zombies_among(left) << " zombies");
                             REQUIRE(drained);
                             ++reaped_bursts;
                             REQUIRE(reaper.write_stdin("next\n"));
                         }
                         CHECK(reaped_bursts * size == 100000);
                         reaper.close_stdin();
                         CHECK(reaper.wait_exit(Deadline(30)) == 0);
                     });
}

TEST_CASE("stress: 1,000,000 signals of mixed kinds from 4 processes while orphans churn", "[stress]")
{
    common::scenario(as_pid1({}, {"churn"}), probe_lines::ready_of("churn"), [&](harness::Reaper& reaper) {
        const int realtime = signals::rt_min + 3;
        std::vector<pid_t> senders = start_senders(
            reaper.pid(), 4, 250000, {SIGUSR1, SIGUSR2, SIGHUP, SIGWINCH, SIGALRM, SIGURG, SIGCONT, realtime, SIGPIPE});
        CHECK(all_finished(senders, 240));
        std::optional<harness::ProcessInfo> state = harness::process_info(reaper.pid());
        REQUIRE(state);
        CHECK(state->state != 'Z');
        REQUIRE(reaper.write_stdin("stop\n"));
        std::optional<std::string> counted = reaper.read_line(Deadline(30));
        REQUIRE(counted);
        CHECK(counted->rfind("counted ", 0) == 0);
        CHECK(std::atol(counted->c_str() + 8) > 0);
        std::printf("stress figure: 1,000,000 signals sent, the child received %s (standard ones coalesce)\n",
                    counted->c_str() + 8);
        reaper.close_stdin();
        CHECK(reaper.wait_exit(Deadline(30)) == 0);
    });
}

TEST_CASE("stress: PIDs exhausted by a pids cgroup: reaper keeps reaping and recovers", "[stress]")
{
    std::string why;
    std::string cgroup = make_pids_cgroup(200, why);
    if (!support::environment_available(!cgroup.empty(), why)) {
        return;
    }
    // sh puts itself (PID 1 of the new namespace) into the cgroup, then becomes reaper.
    harness::Options options;
    options.program = "sh";
    options.reaper_args = {"-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$1\" -- \"$2\" exhaust", cgroup,
                           harness::reaper_binary(), harness::probe_binary()};
    {
        std::optional<harness::Reaper> reaper = common::start(options);
        REQUIRE(reaper);
        std::optional<std::string> exhausted = reaper->read_line(Deadline(60));
        REQUIRE(exhausted);
        REQUIRE(exhausted->rfind("exhausted ", 0) == 0);
        long made = std::atol(exhausted->c_str() + 10);
        std::printf("stress figure: %ld orphans alive when fork failed under pids.max=200\n", made);
        CHECK(made > 150);  // the limit, less reaper, the probe and a middle process
        CHECK(made < 200);
        // While nothing can fork, reaper still forwards: the probe's default action for
        // SIGWINCH is to ignore it, so this only shows reaper survives the attempt.
        REQUIRE(kill(reaper->pid(), SIGWINCH) == 0);
        REQUIRE(reaper->write_stdin("release\n"));
        CHECK(reaper->read_line(Deadline(30)) == "recovered");
        CHECK(harness::eventually(Deadline(30), [&] {
            std::vector<harness::ProcessInfo> left = harness::processes_in_namespace_of(reaper->pid());
            return harness::zombies_among(left) == 0 && left.size() == 2;
        }));
        reaper->close_stdin();
        CHECK(reaper->wait_exit(Deadline(30)) == 0);
    }
    CHECK(harness::eventually(Deadline(10), [&] { return rmdir(cgroup.c_str()) == 0; }));
}

TEST_CASE("stress: the child exits as signals arrive, 2,000 times: the status is always right", "[stress]")
{
    const int rounds = 2000;
    int right = 0;
    for (int round = 0; round < rounds; ++round) {
        std::optional<harness::Reaper> reaper = common::start(as_pid1({}, {"exit", "7"}));
        if (!reaper) {
            return;
        }
        // Signals whose default action is to do nothing, so that only the exit decides.
        std::vector<pid_t> senders = start_senders(reaper->pid(), 1, 100000, {SIGWINCH, SIGCONT, SIGURG});
        std::optional<int> code = reaper->wait_exit(Deadline(30));
        all_finished(senders, 30);  // each stops at ESRCH once reaper is gone
        if (code == 7) {
            ++right;
        } else {
            INFO("round " << round << ": exit " << code.value_or(-1));
            CHECK(code == 7);
        }
    }
    CHECK(right == rounds);
}
