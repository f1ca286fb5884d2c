#include "message.hpp"

// Out of line on purpose: dozens of call sites each inlining these loops would cost
// more bytes than the whole of reaper's logic.

// cppcheck-suppress uninitMemberVar ; text_ past size_ is never read
Message::Message(const Message& other) { *this << other.view(); }

// cppcheck-suppress operatorEqVarError ; text_ past size_ is never read
Message& Message::operator=(const Message& other)
{
    if (this != &other) {
        size_ = 0;
        *this << other.view();
    }
    return *this;
}

Message& Message::operator<<(std::string_view text)
{
    for (char c : text) {
        // Text may come from the user (a value, a command name): a control character in it
        // must neither split the one line nor drive the terminal.
        auto byte = static_cast<unsigned char>(c);
        *this << (byte < 0x20 || byte == 0x7f ? '?' : c);
    }
    return *this;
}

Message& Message::operator<<(char c)
{
    if (size_ < capacity) {  // a truncated diagnostic beats none
        text_[size_++] = c;
    }
    return *this;
}

Message& Message::operator<<(long long number)
{
    char digits[24];
    std::size_t at = sizeof digits;
    unsigned long long magnitude =
        number < 0 ? 0ULL - static_cast<unsigned long long>(number) : static_cast<unsigned long long>(number);
    do {
        digits[--at] = static_cast<char>('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (number < 0) {
        digits[--at] = '-';
    }
    return *this << std::string_view(digits + at, sizeof digits - at);
}
