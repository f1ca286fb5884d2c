// The exit-code contract, as pure functions of what waitpid and exec report.
#pragma once

#include <array>
#include <cstdint>

namespace status {

inline constexpr int usage_error = 2;     // bad flag, value or variable; no command
inline constexpr int own_failure = 1;     // reaper itself could not do its job
inline constexpr int not_found = 127;     // the command does not exist
inline constexpr int not_runnable = 126;  // it exists but could not be started

// Exit codes (0-255) that -e reports as success.
class CodeSet {
public:
    constexpr void add(int code)
    {
        if (code >= 0 && code <= 255) {
            words_[static_cast<unsigned>(code) / 64] |= std::uint64_t{1} << (static_cast<unsigned>(code) % 64);
        }
    }
    [[nodiscard]] constexpr bool contains(int code) const
    {
        return code >= 0 && code <= 255 &&
               (words_[static_cast<unsigned>(code) / 64] >> (static_cast<unsigned>(code) % 64) & 1U) != 0;
    }

private:
    std::array<std::uint64_t, 4> words_{};
};

// The child's exit code, or 128+N when signal N killed it; then remapped to 0 when listed.
[[nodiscard]] int exit_code(int wait_status, const CodeSet& remapped_to_success);

// What reaper exits with when the child could not be started: errno of the failing step.
[[nodiscard]] int start_failure_code(int error, bool failed_at_exec);

}  // namespace status
