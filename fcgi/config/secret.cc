// Reading secrets from the environment, *_FILE files and systemd credentials, and the Twilio auth token's format
// (see secret.h). Messages carry the variable and the path so the unit file can be fixed from the first log line;
// they never carry the secret, not even a fragment, because they end up in the journal.
#include "config/secret.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace switchboard::config {

namespace {

constexpr char kWhitespace[] = " \t\r\n\v\f";
constexpr char kAuthTokenVariable[] = "TWILIO_AUTH_TOKEN";
constexpr char kAuthTokenCredential[] = "twilio-auth-token";
constexpr size_t kAuthTokenLength = 32;
// A secret is a line; reading stops beyond this so that a log file or /dev/zero named by mistake cannot hang or
// bloat start-up.
constexpr size_t kMaxSecretBytes = 64 * 1024;

bool is_blank(const std::string& text) {
  return text.find_first_not_of(kWhitespace) == std::string::npos;
}

std::optional<std::string> non_blank(const EnvLookup& env, const std::string& name) {
  auto value = env(name);
  if (!value || is_blank(*value)) return std::nullopt;
  return value;
}

std::string without_surrounding_whitespace(const std::string& text) {
  const size_t begin = text.find_first_not_of(kWhitespace);
  return text.substr(begin, text.find_last_not_of(kWhitespace) - begin + 1);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

ConfigError unreadable(const std::string& source, const std::string& path, int error) {
  return ConfigError(source, "cannot read '" + path + "': " + std::strerror(error));
}

std::string read_secret_file(const std::string& source, const std::string& path) {
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw unreadable(source, path, errno);
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t count = ::read(file.get(), buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw unreadable(source, path, errno);  // EISDIR for a directory
    if (count == 0) break;
    content.append(buffer, static_cast<size_t>(count));
    if (content.size() > kMaxSecretBytes) {
      throw ConfigError(source, "'" + path + "' is larger than 64 KiB: not a secret");
    }
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) throw ConfigError(source, "'" + path + "' is empty");
  if (is_blank(content)) throw ConfigError(source, "'" + path + "' holds only whitespace");
  return content;
}

// A credential the unit does not load is simply not there; anything else that keeps us from it is an error, not a
// reason to fall back to an empty secret.
bool credential_present(const std::string& source, const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) return true;
  if (errno == ENOENT) return false;
  throw unreadable(source, path, errno);
}

std::string missing_auth_token_problem(const EnvLookup& env) {
  const std::string alternatives = std::string("is required: set it, ") + kAuthTokenVariable + "_FILE, or ";
  if (auto directory = non_blank(env, "CREDENTIALS_DIRECTORY")) {
    return alternatives + "the credential '" + *directory + "/" + kAuthTokenCredential + "' (it is not there)";
  }
  return alternatives + "the systemd credential " + kAuthTokenCredential + " (CREDENTIALS_DIRECTORY is not set)";
}

}  // namespace

std::optional<Secret> read_secret(const EnvLookup& env, const std::string& name, const std::string& credential) {
  if (auto value = non_blank(env, name)) return Secret{*value, name, ""};
  const std::string file_variable = name + "_FILE";
  if (auto path = non_blank(env, file_variable)) {
    const std::string trimmed_path = without_surrounding_whitespace(*path);
    return Secret{read_secret_file(file_variable, trimmed_path), file_variable, trimmed_path};
  }
  if (auto directory = non_blank(env, "CREDENTIALS_DIRECTORY")) {
    const std::string source = "CREDENTIALS_DIRECTORY/" + credential;
    const std::string path = without_surrounding_whitespace(*directory) + "/" + credential;
    if (credential_present(source, path)) return Secret{read_secret_file(source, path), source, path};
  }
  return std::nullopt;
}

void check_twilio_auth_token(const Secret& token) {
  const std::string subject = token.path.empty() ? "is not" : "'" + token.path + "' does not hold";
  const std::string problem = subject + " a Twilio auth token (32 hex digits): ";
  const std::string& value = token.value;
  if (!value.empty() && (std::isspace(static_cast<unsigned char>(value.front())) ||
                         std::isspace(static_cast<unsigned char>(value.back())))) {
    throw ConfigError(token.source, problem + "it begins or ends with whitespace");
  }
  if (value.size() != kAuthTokenLength) {
    throw ConfigError(token.source, problem + "it is " + std::to_string(value.size()) + " bytes long");
  }
  for (const char c : value) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      throw ConfigError(token.source, problem + "it has a character that is not a hex digit");
    }
  }
}

std::string twilio_auth_token(const EnvLookup& env) {
  auto token = read_secret(env, kAuthTokenVariable, kAuthTokenCredential);
  if (!token) throw ConfigError(kAuthTokenVariable, missing_auth_token_problem(env));
  check_twilio_auth_token(*token);
  return token->value;
}

}  // namespace switchboard::config
