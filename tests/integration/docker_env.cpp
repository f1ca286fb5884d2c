#include "docker_env.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace docker_env {
namespace {

std::string env_or(const char* name, const std::string& fallback)
{
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

void copy_file(const std::string& from, const std::string& to)
{
    std::ifstream in(from, std::ios::binary);
    std::ofstream out(to, std::ios::binary);
    out << in.rdbuf();
    out.close();
    chmod(to.c_str(), 0755);
}

pid_t start_daemon(const std::vector<std::string>& args, const std::string& log)
{
    std::vector<std::string> storage = args;
    std::vector<char*> argv;
    for (std::string& arg : storage) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
            _exit(126);
        }
        setsid();
        sigset_t none;  // not the test's blocked SIGPIPE
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

}  // namespace

Docker& Docker::get()
{
    static Docker docker;
    return docker;
}

Docker::Docker()
{
    if (geteuid() != 0) {
        host_ = env_or("DOCKER_HOST", "");
        harness::Finished info = run({"info"}, 30);
        available_ = info.exit_code == 0;
        why_ = available_ ? "" : "not root, and no Docker daemon reachable: " + info.stderr_text;
        return;
    }
    char pattern[] = "/tmp/reaper-docker-XXXXXX";  // short: unix socket paths are limited
    if (mkdtemp(pattern) == nullptr) {
        why_ = std::string("mkdtemp: ") + std::strerror(errno);
        return;
    }
    socket_dir_ = pattern;
    std::string data_root = env_or("REAPER_DOCKER_DATA", socket_dir_ + "/data");
    host_ = "unix://" + socket_dir_ + "/docker.sock";
    daemon_pid_ = start_daemon({"dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none", "--host=" + host_,
                                "--data-root=" + data_root, "--exec-root=" + socket_dir_ + "/exec",
                                "--pidfile=" + socket_dir_ + "/docker.pid", "--init-path=" + harness::reaper_binary()},
                               socket_dir_ + "/dockerd.log");
    harness::Deadline deadline(60);
    harness::Finished info;
    while (!deadline.passed()) {
        info = run({"info"}, 10);
        if (info.exit_code == 0 || waitpid(daemon_pid_, nullptr, WNOHANG) == daemon_pid_) {
            break;
        }
        poll(nullptr, 0, 200);
    }
    available_ = info.exit_code == 0;
    if (!available_) {
        std::ifstream log(socket_dir_ + "/dockerd.log");
        std::string line, last;
        while (std::getline(log, line)) {
            last = line;
        }
        why_ = "could not start dockerd (is docker.io installed?): " + last;
    }
}

Docker::~Docker()
{
    if (daemon_pid_ <= 0) {
        return;
    }
    kill(daemon_pid_, SIGTERM);
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, daemon_pid_, 0));
    pollfd entry{pidfd, POLLIN, 0};
    if (pidfd < 0 || poll(&entry, 1, 30000) <= 0) {
        kill(daemon_pid_, SIGKILL);
    }
    waitpid(daemon_pid_, nullptr, 0);
    if (pidfd >= 0) {
        close(pidfd);
    }
    // dockerd leaves its default network namespace bind-mounted in the exec-root.
    umount2((socket_dir_ + "/exec/netns/default").c_str(), MNT_DETACH);
    harness::run_program({"rm", "-rf", "--one-file-system", socket_dir_}, 60);
}

std::vector<std::string> Docker::environment() const
{
    std::vector<std::string> env = {"DOCKER_BUILDKIT=0"};
    if (!host_.empty()) {
        env.push_back("DOCKER_HOST=" + host_);
    }
    return env;
}

harness::Finished Docker::run(const std::vector<std::string>& args, double seconds)
{
    std::vector<std::string> argv = {"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::optional<harness::Finished> finished = harness::run_program(argv, seconds, environment());
    if (!finished) {
        harness::Finished failed;
        failed.stderr_text = "cannot run docker";
        return failed;
    }
    return *finished;
}

std::string Docker::build_scratch_image(const std::string& tag, const std::string& dockerfile)
{
    std::string context = socket_dir_.empty() ? "/tmp" : socket_dir_;
    context += "/context-" + tag;
    mkdir(context.c_str(), 0755);
    copy_file(harness::reaper_binary(), context + "/reaper");
    copy_file(env_or("REAPER_PROBE_STATIC", ""), context + "/probe");
    std::ofstream(context + "/Dockerfile") << dockerfile;
    harness::Finished built = run({"build", "-q", "-t", tag, context}, 120);
    return built.exit_code == 0 ? tag : "";
}

std::string Docker::test_image()
{
    if (!test_image_) {
        test_image_ = build_scratch_image("reaper-test", "FROM scratch\nCOPY reaper /reaper\nCOPY probe /probe\n"
                                                         "ENTRYPOINT [\"/reaper\", \"--\", \"/probe\"]\n");
    }
    return *test_image_;
}

std::string Docker::probe_image()
{
    if (!probe_image_) {
        probe_image_ = build_scratch_image("reaper-test-probe", "FROM scratch\nCOPY probe /probe\n"
                                                                "ENTRYPOINT [\"/probe\"]\n");
    }
    return *probe_image_;
}

bool Docker::ensure_debian_base(std::string& why)
{
    if (run({"image", "inspect", "debian:bookworm-slim"}, 30).exit_code == 0) {
        return true;
    }
    // No image can be pulled here: make the base from Debian's own packages.
    std::optional<harness::Finished> made = harness::run_program(
        {"sh", "-c", "mmdebstrap --quiet --variant=minbase bookworm - | docker import - debian:bookworm-slim"}, 600,
        environment());
    if (!made || made->exit_code != 0) {
        why = "mmdebstrap | docker import failed: " + (made ? made->stderr_text : std::string("cannot run sh"));
        return false;
    }
    return true;
}

}  // namespace docker_env
