#include "support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string_view>

namespace support {
namespace {
bool skipped = false;
}

bool environment_available(bool available, const std::string& reason)
{
    if (available) {
        return true;
    }
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string_view(ci) == "true") {
        FAIL("environment missing under CI=true: " << reason);
    }
    WARN("skipped: " << reason);
    SUCCEED("skipped");  // counted as SKIP, not PASS, by the result listener
    skipped = true;
    return false;
}

bool current_test_skipped() { return skipped; }
void reset_skip() { skipped = false; }

}  // namespace support
