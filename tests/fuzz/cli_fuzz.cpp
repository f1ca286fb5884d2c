// libFuzzer target: the command line and the environment, as cli::parse receives them.
// The input is split at NUL bytes; the strings before the first empty one are arguments
// (after argv[0]), the rest are environment entries. Beyond not crashing, parse must keep
// its promises: an error is one non-empty line; a success is a coherent Config.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli.hpp"
#include "require.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<std::string> arguments = {"reaper"};
    std::vector<std::string> environment;
    bool in_environment = false;
    std::string piece;
    for (std::size_t i = 0; i <= size; ++i) {
        if (i < size && data[i] != 0) {
            piece += static_cast<char>(data[i]);
            continue;
        }
        if (piece.empty() && !in_environment) {
            in_environment = true;
        } else {
            (in_environment ? environment : arguments).push_back(piece);
        }
        piece.clear();
    }
    std::vector<char*> argv;
    argv.reserve(arguments.size() + 1);
    for (std::string& argument : arguments) {
        argv.push_back(argument.data());
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(environment.size() + 1);
    for (std::string& entry : environment) {
        envp.push_back(entry.data());
    }
    envp.push_back(nullptr);

    cli::Parsed parsed = cli::parse(argv.data(), envp.data());
    if (!parsed.ok()) {
        require(parsed.error.view().find('\n') == std::string_view::npos);
        return 0;
    }
    const cli::Config& config = parsed.config;
    if (config.action == cli::Action::run) {
        require(config.command != nullptr);
        bool has_command = config.command[0] != nullptr;
        require(has_command != config.pause);
        // The command is the tail of argv itself, not a copy.
        require(config.command >= argv.data() && config.command < argv.data() + argv.size());
    }
    require(config.grace_ms <= cli::max_grace_seconds * 1000);
    require(config.parent_death_signal >= 0 && config.parent_death_signal <= signals::max_signal);
    require(config.grace_signal >= 1 && config.grace_signal <= signals::max_signal);
    require(config.verbosity >= 0);
    return 0;
}
