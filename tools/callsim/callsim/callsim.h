// The simulator's public face: play one inbound call against a Switchboard server as Twilio would, and report
// everything it did and everything the server got wrong. Include this header; the rest is implementation.
#pragma once

#include "callsim/options.h"
#include "callsim/report.h"
#include "callsim/signature.h"
#include "callsim/transport.h"

namespace callsim {

// Over a fresh libcurl connection.
CallReport run_call(const Options& options, const Scenario& scenario);

// Over a given transport: one per thread in burst mode, a fake in tests.
CallReport run_call(const Options& options, const Scenario& scenario, Transport& transport);

}  // namespace callsim
