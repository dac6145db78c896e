// Burst mode: N calls over C threads, each thread with its own connection, cycling through four scenarios
// (press 1 answered, press 1 no-answer, press 2 and record, silence three times). Prints throughput and webhook
// latency; the calls are the same as single-call mode, only their reports are summed up.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "callsim/options.h"

namespace callsim::cli {

struct BurstResult {
  int calls = 0, failed_calls = 0, requests = 0;
  double seconds = 0;                   // wall time
  std::vector<double> latencies_s;      // every request, sorted
  std::vector<std::string> first_errors;  // a few, to start from
};

BurstResult run_burst(const Options& options, const Scenario& base, int calls, int concurrency);
void print_burst(std::ostream& out, const BurstResult& result, bool json);

}  // namespace callsim::cli
