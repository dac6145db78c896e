// The workers' environment file (/etc/switchboard/switchboard.env) read the way systemd reads an EnvironmentFile=,
// for the forms an operator writes: KEY=value per line, blank lines and '#'/';' comments skipped, spaces around the
// key and before the value dropped, trailing spaces of an unquoted value dropped, "…" (with \" \\ \` \$) and '…'
// quoting. packaging/switchboard-env.sh (switchboard-render-nginx, switchboard-users) follows the same rules; keep
// them together.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

namespace switchboard_twilio {

class EnvFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// KEY → value; a later assignment replaces an earlier one. `origin` names the file in error messages.
std::map<std::string, std::string> parse_env_file(const std::string& text, const std::string& origin);

// Reads and parses `path`; throws EnvFileError when it cannot be read.
std::map<std::string, std::string> read_env_file(const std::string& path);

}  // namespace switchboard_twilio
