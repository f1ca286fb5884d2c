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
        auto digit = static_cast<unsigned long>(c - '0');
        if (digit > max || value > (max - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

// As C's atoi reads a number, which is how tini reads TINI_VERBOSITY: leading blanks, a
// sign, the digits up to the first non-digit; anything else is 0. Clamped to 0..max.
[[nodiscard]] constexpr int leading_number(std::string_view text, int max)
{
    std::size_t at = 0;
    while (at < text.size() && (text[at] == ' ' || (text[at] >= '\t' && text[at] <= '\r'))) {
        ++at;
    }
    bool negative = at < text.size() && text[at] == '-';
    at += at < text.size() && (text[at] == '-' || text[at] == '+') ? 1 : 0;
    int value = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
        value = value >= max ? max : value * 10 + (text[at] - '0');
    }
    return negative ? 0 : value > max ? max : value;
}

// Seconds with an optional fraction ("5", "0.25", ".5", "2.") as milliseconds, digits
// past the third rounded up so that no positive duration becomes zero.
[[nodiscard]] constexpr std::optional<unsigned long> milliseconds(std::string_view text, unsigned long max_seconds)
{
    std::size_t point = text.find('.');
    std::string_view whole = text.substr(0, point);
    std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
    if (whole.empty() && fraction.empty()) {
        return std::nullopt;
    }
    std::optional<unsigned long> seconds =
        whole.empty() ? std::optional<unsigned long>(0) : unsigned_number(whole, max_seconds);
    if (!seconds) {
        return std::nullopt;
    }
    unsigned long thousandths = 0;
    bool beyond = false;
    for (std::size_t i = 0; i < fraction.size(); ++i) {
        char c = fraction[i];
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        if (i < 3) {
            thousandths = thousandths * 10 + static_cast<unsigned long>(c - '0');
        } else if (c != '0') {
            beyond = true;
        }
    }
    for (std::size_t i = fraction.size(); i < 3; ++i) {
        thousandths *= 10;
    }
    unsigned long total = *seconds * 1000 + thousandths + (beyond ? 1 : 0);
    if (total > max_seconds * 1000) {
        return std::nullopt;
    }
    return total;
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
