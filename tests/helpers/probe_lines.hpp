// The lines the probe (tests/helpers/probe.cpp) prints, shared by the probe and the tests
// that read them, so that neither side spells the protocol on its own.
#pragma once

#include <string>

namespace probe_lines {

inline const std::string ready = "ready";  // sleep, writer, payloads: waiting now
inline const std::string left = "left";    // leave: the daemon is in place

// "ready child": the process `who` has set itself up ("child", "grandchild", "churn").
inline std::string ready_of(const std::string& who) { return ready + " " + who; }

// "child SIG 15": `who` ("child", "grandchild", "daemon") received `signal`.
inline std::string signal_of(const std::string& who, int signal) { return who + " SIG " + std::to_string(signal); }

}  // namespace probe_lines
