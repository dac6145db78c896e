// callsim: the command-line face of the Twilio simulator (callsim/callsim.h). Parses flags (cli/args.h), then
// plays one call and prints its report (cli/print.h) or runs a burst (cli/burst.h).
// Exit status: 0 when no call found an error, 1 otherwise, 2 on a usage error.
#include <exception>
#include <iostream>
#include <string>

#include "callsim/callsim.h"
#include "cli/args.h"
#include "cli/burst.h"
#include "cli/print.h"

int main(int argc, char** argv) {
  using namespace callsim;
  cli::Args args;
  std::string error;
  if (!cli::parse_args(argc, argv, args, error)) {
    std::cerr << "callsim: " << error << "\n" << cli::kUsage;
    return 2;
  }
  if (args.help) {
    std::cout << cli::kUsage;
    return 0;
  }
  try {
    if (args.calls > 1) {
      const cli::BurstResult result = cli::run_burst(args.options, args.scenario, args.calls, args.concurrency);
      cli::print_burst(std::cout, result, args.json);
      return result.failed_calls == 0 ? 0 : 1;
    }
    const CallReport report = run_call(args.options, args.scenario);
    if (args.json) {
      cli::print_json(std::cout, report);
    } else {
      cli::print_text(std::cout, report, args.quiet);
    }
    return report.ok() ? 0 : 1;
  } catch (const std::exception& failure) {
    std::cerr << "callsim: " << failure.what() << "\n";
    return 1;
  }
}
