// What a fuzz target asserts: a broken promise stops the fuzzer on the spot, in every
// build mode, with the input saved.
#pragma once

namespace fuzz {

inline void require(bool condition)
{
    if (!condition) {
        __builtin_trap();
    }
}

}  // namespace fuzz
