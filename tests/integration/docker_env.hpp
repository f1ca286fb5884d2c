// A Docker daemon for the container tests, and the images they run. As root the suite
// starts its own private daemon (socket, data-root, exec-root and pidfile of its own,
// no iptables, no bridge, --init-path pointing at reaper) and stops it at the end;
// otherwise it uses whatever daemon DOCKER_HOST reaches.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace docker_env {

class Docker {
public:
    // The one daemon of this test run, started on first use.
    static Docker& get();

    [[nodiscard]] bool available() const { return available_; }
    [[nodiscard]] const std::string& why_not() const { return why_; }
    [[nodiscard]] bool private_daemon() const { return daemon_pid_ > 0; }

    // What a docker client needs in its environment to reach this daemon.
    [[nodiscard]] std::vector<std::string> environment() const;

    // `docker ARGS...` against this daemon; exit_code -1 when it did not finish in time.
    harness::Finished run(const std::vector<std::string>& args, double seconds = 60);

    // FROM scratch: /reaper and /probe (static), ENTRYPOINT ["/reaper", "--", "/probe"].
    std::string test_image();
    // FROM scratch: /probe only, for docker run --init and for joining a pod.
    std::string probe_image();
    // debian:bookworm-slim, made with mmdebstrap | docker import when missing.
    bool ensure_debian_base(std::string& why);

    Docker(const Docker&) = delete;
    ~Docker();

private:
    Docker();
    std::string build_scratch_image(const std::string& tag, const std::string& dockerfile);

    bool available_ = false;
    std::string why_;
    std::string socket_dir_;
    std::string host_;  // DOCKER_HOST=...
    pid_t daemon_pid_ = -1;
    std::optional<std::string> test_image_;
    std::optional<std::string> probe_image_;
};

}  // namespace docker_env
