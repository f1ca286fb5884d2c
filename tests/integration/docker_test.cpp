// reaper in real containers, with a real Docker daemon: as ENTRYPOINT, as Docker's own
// --init, as a pod's pause container, and as the image the project's Dockerfile builds.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "docker_env.hpp"
#include "probe_lines.hpp"
#include "pty_session.hpp"
#include "support.hpp"

using docker_env::Docker;
using harness::Deadline;

namespace {

// The daemon, or a skip (a failure under CI=true) saying why there is none.
Docker* docker_or_skip()
{
    Docker& docker = Docker::get();
    return support::environment_available(docker.available(), docker.why_not()) ? &docker : nullptr;
}

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

// Removes the container, by name, whatever happens in the test.
class Container {
public:
    Container(Docker& docker, std::string name) : docker_(docker), name_(std::move(name))
    {
        docker_.run({"rm", "-f", name_}, 30);
    }
    ~Container() { docker_.run({"rm", "-f", name_}, 30); }
    const std::string& name() const { return name_; }

    std::string logs() { return docker_.run({"logs", name_}, 30).stdout_text; }
    bool logs_show(const std::string& line, double seconds)
    {
        return harness::eventually(Deadline(seconds), [&] { return logs().find(line + "\n") != std::string::npos; });
    }
    std::string inspect(const std::string& format)
    {
        return trimmed(docker_.run({"inspect", "-f", format, name_}, 30).stdout_text);
    }
    pid_t host_pid() { return static_cast<pid_t>(std::atoi(inspect("{{.State.Pid}}").c_str())); }

private:
    Docker& docker_;
    std::string name_;
};

std::string container_name(const char* what)
{
    return "reaper-test-" + std::string(what) + "-" + std::to_string(getpid());
}

int zombies_in_namespace_of(pid_t pid) { return harness::zombies_among(harness::processes_in_namespace_of(pid)); }

}  // namespace

TEST_CASE("docker run passes the exit code through reaper", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    std::string image = docker->test_image();
    REQUIRE_FALSE(image.empty());
    for (auto [args, expected] : {std::pair{std::vector<std::string>{"exit", "0"}, 0},
                                  {{"exit", "42"}, 42},
                                  {{"exit", "255"}, 255},
                                  {{"die", "15"}, 143},
                                  {{"die", "9"}, 137}}) {
        std::vector<std::string> run = {"run", "--rm", "--network", "none", image};
        run.insert(run.end(), args.begin(), args.end());
        CHECK(docker->run(run, 60).exit_code == expected);
    }
}

TEST_CASE("orphans inside the container are reaped: no zombie in docker top", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container container(*docker, container_name("orphans"));
    REQUIRE(docker
                ->run({"run", "-d", "-i", "--network", "none", "--name", container.name(), docker->test_image(),
                       "orphans", "500"})
                .exit_code == 0);
    REQUIRE(container.logs_show("orphaned 500", 60));
    std::string top;
    CHECK(harness::eventually(Deadline(20), [&] {
        top = docker->run({"top", container.name(), "-o", "pid,stat,comm"}, 30).stdout_text;
        // Header, reaper and the probe: nothing else, and no state Z among them.
        return std::count(top.begin(), top.end(), '\n') == 3 && top.find(" Z") == std::string::npos;
    }));
    INFO(top);
    CHECK(zombies_in_namespace_of(container.host_pid()) == 0);
}

TEST_CASE("docker stop: the app gets SIGTERM, the container stops well before the timeout with its status", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container container(*docker, container_name("stop"));
    REQUIRE(docker
                ->run({"run", "-d", "-i", "--network", "none", "--name", container.name(), docker->test_image(),
                       "leave", "report", "7"})
                .exit_code == 0);
    REQUIRE(container.logs_show("left", 30));
    auto start = std::chrono::steady_clock::now();
    CHECK(docker->run({"stop", "-t", "10", container.name()}, 30).exit_code == 0);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 5.0);
    CHECK(container.inspect("{{.State.ExitCode}}") == "7");
    // What the app left behind got SIGTERM during the grace period and ended on it.
    CHECK(container.logs().find("daemon SIG 15\n") != std::string::npos);
}

TEST_CASE("docker stop: a process started with docker exec -d finishes its file on SIGTERM before the container ends",
          "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container container(*docker, container_name("exec"));
    REQUIRE(
        docker->run({"run", "-d", "-i", "--network", "none", "--name", container.name(), docker->test_image(), "sleep"})
            .exit_code == 0);
    REQUIRE(container.logs_show("ready", 30));
    pid_t init = container.host_pid();
    REQUIRE(docker->run({"exec", "-d", container.name(), "/probe", "writer", "/written"}, 30).exit_code == 0);
    // The joiner is ready once it waits in read(2) for its signal, beside reaper and the app.
    REQUIRE(harness::eventually(Deadline(30), [&] {
        std::vector<harness::ProcessInfo> processes = harness::processes_in_namespace_of(init);
        return processes.size() == 3 &&
               std::all_of(processes.begin(), processes.end(),
                           [](const harness::ProcessInfo& p) { return harness::idle_in_wait(p.pid); });
    }));
    CHECK(docker->run({"stop", "-t", "10", container.name()}, 30).exit_code == 0);
    std::string copy = "/tmp/reaper-docker-written-" + std::to_string(getpid());
    REQUIRE(docker->run({"cp", container.name() + ":/written", copy}, 30).exit_code == 0);
    std::string text = harness::read_file(copy);
    unlink(copy.c_str());
    CHECK(text.size() == 256 * 4096 + 4);
    CHECK(text.compare(text.size() < 4 ? 0 : text.size() - 4, 4, "END\n") == 0);
}

TEST_CASE("docker kill -s USR1 reaches the app", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container container(*docker, container_name("kill"));
    REQUIRE(
        docker
            ->run({"run", "-d", "-i", "--network", "none", "--name", container.name(), docker->test_image(), "signals"})
            .exit_code == 0);
    REQUIRE(container.logs_show(probe_lines::ready_of("child"), 30));
    REQUIRE(docker->run({"kill", "-s", "USR1", container.name()}, 30).exit_code == 0);
    CHECK(container.logs_show(probe_lines::signal_of("child", SIGUSR1), 10));
}

TEST_CASE("docker run -t: docker kill -s INT ends an app that waits for SIGINT, with 130", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container container(*docker, container_name("tty-kill"));
    REQUIRE(
        docker->run({"run", "-d", "-t", "--network", "none", "--name", container.name(), docker->test_image(), "sleep"})
            .exit_code == 0);
    // With -t the app writes to the container's terminal: "ready\r\n".
    REQUIRE(harness::eventually(Deadline(30), [&] { return container.logs().find("ready\r\n") != std::string::npos; }));
    REQUIRE(docker->run({"kill", "-s", "INT", container.name()}, 30).exit_code == 0);
    CHECK(trimmed(docker->run({"wait", container.name()}, 30).stdout_text) == "130");
}

TEST_CASE("docker run -it: ^C typed on the attached terminal ends the app, with 130", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container container(*docker, container_name("tty-key"));
    std::string why;
    std::optional<pty_session::Session> session = pty_session::Session::start(
        pty_session::Placement::foreground,
        {"docker", "run", "-it", "--network", "none", "--name", container.name(), docker->test_image(), "sleep"},
        docker->environment(), why);
    REQUIRE(session);
    REQUIRE(session->terminal_shows("ready", Deadline(30)));
    REQUIRE(session->type("\x03"));
    CHECK(session->ask("wait", Deadline(30)) == "exited 130");
    CHECK(container.inspect("{{.State.ExitCode}}") == "130");
}

TEST_CASE("docker run --init uses reaper when the daemon's --init-path points at it", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    if (!support::environment_available(docker->private_daemon(),
                                        "needs a daemon started with --init-path (run as root)")) {
        return;
    }
    std::string version = trimmed(harness::run_program({harness::reaper_binary(), "--version"}, 10)->stdout_text);
    std::string commit = version.substr(version.find(" - git.") + 7);
    CHECK(trimmed(docker->run({"info", "-f", "{{.InitCommit.ID}}"}, 30).stdout_text) == commit);

    Container container(*docker, container_name("init"));
    REQUIRE(docker
                ->run({"run", "-d", "-i", "--init", "--network", "none", "--name", container.name(),
                       docker->probe_image(), "orphans", "50"})
                .exit_code == 0);
    REQUIRE(container.logs_show("orphaned 50", 30));
    // PID 1 of the container is this very binary, mounted as /sbin/docker-init.
    pid_t pid1 = container.host_pid();
    CHECK(harness::read_file("/proc/" + std::to_string(pid1) + "/exe") == harness::read_file(harness::reaper_binary()));
    CHECK(harness::proc_status_field(pid1, "NSpid").substr(harness::proc_status_field(pid1, "NSpid").rfind('\t') + 1) ==
          "1");
    CHECK(harness::eventually(Deadline(20), [&] { return harness::processes_in_namespace_of(pid1).size() == 2; }));
    CHECK(zombies_in_namespace_of(pid1) == 0);
}

TEST_CASE("a pod: reaper --pause as the sandbox reaps the orphans of the containers that join it", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    Container sandbox(*docker, container_name("sandbox"));
    Container app(*docker, container_name("app"));
    REQUIRE(docker
                ->run({"run", "-d", "--network", "none", "--name", sandbox.name(), "--entrypoint", "/reaper",
                       docker->test_image(), "--pause"})
                .exit_code == 0);
    REQUIRE(docker
                ->run({"run", "-d", "-i", "--network", "none", "--name", app.name(), "--pid",
                       "container:" + sandbox.name(), docker->probe_image(), "orphans", "200"})
                .exit_code == 0);
    REQUIRE(app.logs_show("orphaned 200", 60));
    pid_t sandbox_pid = sandbox.host_pid();
    std::vector<harness::ProcessInfo> left;
    CHECK(harness::eventually(Deadline(20), [&] {
        left = harness::processes_in_namespace_of(sandbox_pid);
        return left.size() == 2;  // the sandbox's reaper and the app's probe
    }));
    INFO("processes in the pod's namespace: " << left.size());
    CHECK(zombies_in_namespace_of(sandbox_pid) == 0);
    CHECK(docker->run({"stop", "-t", "10", app.name()}, 30).exit_code == 0);
    auto start = std::chrono::steady_clock::now();
    CHECK(docker->run({"stop", "-t", "10", sandbox.name()}, 30).exit_code == 0);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 5.0);
    CHECK(sandbox.inspect("{{.State.ExitCode}}") == "0");
}

TEST_CASE("the project's Dockerfile builds an image whose /reaper runs, and the example app uses it", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    std::string why;
    bool base = docker->ensure_debian_base(why);
    INFO(why);
    REQUIRE(base);
    std::string source = SOURCE_ROOT;
    std::string version = trimmed(harness::run_program({harness::reaper_binary(), "--version"}, 10)->stdout_text);
    std::string commit = version.substr(version.find(" - git.") + 7);
    harness::Finished built = docker->run(
        {"build", "--network", "host", "--build-arg", "COMMIT=" + commit, "-t", "reaper-test-dockerfile", source}, 900);
    INFO(built.stdout_text.substr(built.stdout_text.size() > 3000 ? built.stdout_text.size() - 3000 : 0)
         << built.stderr_text);
    REQUIRE(built.exit_code == 0);
    // ENTRYPOINT ["/reaper", "--"]: reaper runs the command given, here itself.
    harness::Finished ran =
        docker->run({"run", "--rm", "--network", "none", "reaper-test-dockerfile", "/reaper", "--version"}, 60);
    CHECK(ran.exit_code == 0);
    CHECK(trimmed(ran.stdout_text) == version);
    harness::Finished listing = docker->run(
        {"image", "inspect", "-f", "{{len .RootFS.Layers}} {{.Config.Entrypoint}}", "reaper-test-dockerfile"}, 30);
    CHECK(trimmed(listing.stdout_text) == "1 [/reaper --]");  // one layer: /reaper and nothing else

    harness::Finished example = docker->run({"build", "-t", "reaper-test-example", "--build-arg",
                                             "REAPER_IMAGE=reaper-test-dockerfile", source + "/examples/app"},
                                            300);
    INFO(example.stderr_text);
    REQUIRE(example.exit_code == 0);
    Container container(*docker, container_name("example"));
    REQUIRE(docker->run({"run", "-d", "--network", "none", "--name", container.name(), "reaper-test-example"}, 60)
                .exit_code == 0);
    REQUIRE(container.logs_show("app: 3 orphans left behind", 30));
    pid_t pid1 = container.host_pid();
    CHECK(harness::eventually(Deadline(20), [&] {
        return zombies_in_namespace_of(pid1) == 0 && harness::processes_in_namespace_of(pid1).size() == 3;
    }));
    auto start = std::chrono::steady_clock::now();
    CHECK(docker->run({"stop", "-t", "10", container.name()}, 30).exit_code == 0);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 8.0);
    CHECK(container.inspect("{{.State.ExitCode}}") == "0");
}

TEST_CASE("the Dockerfile cross-builds for arm64 (TARGETARCH): an arm64 /reaper, which qemu-user runs", "[docker]")
{
    Docker* docker = docker_or_skip();
    if (docker == nullptr) {
        return;
    }
    if (!support::environment_available(access("/proc/sys/fs/binfmt_misc/qemu-aarch64", F_OK) == 0,
                                        "no qemu-aarch64 in binfmt_misc (scripts/binfmt)")) {
        return;
    }
    std::string why;
    bool base = docker->ensure_debian_base(why);
    INFO(why);
    REQUIRE(base);
    std::string version = trimmed(harness::run_program({harness::reaper_binary(), "--version"}, 10)->stdout_text);
    std::string commit = version.substr(version.find(" - git.") + 7);
    // Without BuildKit the target is named by hand, as a buildx build does for each platform.
    harness::Finished built =
        docker->run({"build", "--network", "host", "--build-arg", "TARGETARCH=arm64", "--build-arg", "COMMIT=" + commit,
                     "-t", "reaper-test-dockerfile-arm64", SOURCE_ROOT},
                    900);
    INFO(built.stdout_text.substr(built.stdout_text.size() > 3000 ? built.stdout_text.size() - 3000 : 0)
         << built.stderr_text);
    REQUIRE(built.exit_code == 0);
    harness::Finished ran =
        docker->run({"run", "--rm", "--network", "none", "reaper-test-dockerfile-arm64", "/reaper", "--version"}, 60);
    CHECK(ran.exit_code == 0);
    CHECK(trimmed(ran.stdout_text) == version);

    // The ELF header of the image's /reaper: e_machine 183 is EM_AARCH64.
    Container container(*docker, "reaper-test-arm64-copy");
    REQUIRE(docker->run({"create", "--name", container.name(), "reaper-test-dockerfile-arm64"}, 30).exit_code == 0);
    char pattern[] = "/tmp/reaper-arm64-XXXXXX";
    std::string dir = mkdtemp(pattern);
    REQUIRE(docker->run({"cp", container.name() + ":/reaper", dir + "/reaper"}, 30).exit_code == 0);
    std::string elf = harness::read_file(dir + "/reaper");
    harness::run_program({"rm", "-rf", dir}, 10);
    REQUIRE(elf.size() > 20);
    CHECK(elf.compare(0, 4, "\177ELF") == 0);
    CHECK((static_cast<unsigned char>(elf[18]) | static_cast<unsigned char>(elf[19]) << 8) == 183);
}
