// Durable writes: see durable_file.h.
#include "store/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace switchboard::store {

void throw_io_error(const std::string& what) {
  const int error = errno;
  const std::string message = what + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) throw DiskFull(message);
  throw std::runtime_error(message);
}

void write_all(int fd, const std::string& data) {
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_io_error("write failed");
    written += static_cast<size_t>(n);
  }
}

void fsync_directory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_io_error("cannot open " + path);
  const int synced = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (synced != 0) throw_io_error("cannot fsync " + path);
}

void replace_durably(const std::string& directory, const std::string& path, const std::string& data) {
  static unsigned sequence = 0;
  const std::string temporary =
      directory + "/.tmp-" + std::to_string(::getpid()) + "-" + std::to_string(sequence++ % 1000000);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_io_error("cannot create " + temporary);
  try {
    write_all(fd, data);
    if (::fsync(fd) != 0) throw_io_error("cannot fsync " + temporary);
    if (::close(fd) != 0) throw_io_error("cannot close " + temporary);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    errno = error;
    throw_io_error("cannot rename " + temporary + " to " + path);
  }
  fsync_directory(directory);
}

}  // namespace switchboard::store
