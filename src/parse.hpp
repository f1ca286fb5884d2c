// Strict, allocation-free text parsing shared by the option and signal parsers.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace parse {

// Digits only: no sign, no spaces, nothing above max.
[[nodiscard]] constexpr std::optional<unsigned long> unsigned_number(std::string_view text, unsigned long max)
{
    if (text.empty()) {
        return std::nullopt;
    }
    unsigned long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        unsigned long digit = static_cast<unsigned long>(c - '0');
        if (digit > max || value > (max - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

[[nodiscard]] constexpr char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

[[nodiscard]] constexpr bool equal_ignoring_case(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (upper(a[i]) != upper(b[i])) {
            return false;
        }
    }
    return true;
}

[[nodiscard]] constexpr bool starts_with_ignoring_case(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && equal_ignoring_case(text.substr(0, prefix.size()), prefix);
}

}  // namespace parse
