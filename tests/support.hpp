// What every test binary shares: CI's rule for missing environments, and the
// per-test-case result lines that scripts/test counts.
#pragma once

#include <string>

namespace support {

// True when the test can run. Otherwise: under CI=true the test fails (CI must never
// pass by skipping); elsewhere it is marked skipped, with the reason, and should return.
bool environment_available(bool available, const std::string& reason);

bool current_test_skipped();
void reset_skip();

}  // namespace support
