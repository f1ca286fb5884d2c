// libFuzzer target: signal names and the number parsers. Whatever parses must be in range,
// and a signal's name must parse back to the same signal.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse.hpp"
#include "require.hpp"
#include "signals.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (std::optional<int> signal = signals::parse(text)) {
        require(*signal >= 1 && *signal <= signals::max_signal);
        require(signals::parse(signals::name(*signal).view()) == signal);
    }
    if (std::optional<unsigned long> number = parse::unsigned_number(text, 255)) {
        require(*number <= 255);
    }
    if (std::optional<unsigned long> milliseconds = parse::milliseconds(text, 86400)) {
        require(*milliseconds <= 86400UL * 1000);
    }
    return 0;
}
