// The bundle subcommand: its flags, the output file, the order of the parts, README.txt and the
// archive.
#include "daemon/bundle_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "daemon/bundle_archive.h"
#include "daemon/cli_args.h"

namespace proxywatch {
namespace {

std::string bundle_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown-host";
  std::string out = name;
  for (char& c : out) {
    if (c == '/' || c == ' ') c = '_';
  }
  return out;
}

// Creates `path` for the archive: mode 0600, never over an existing file or through a symlink.
Result<int> create_output(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno == EEXIST) {
    return error_text(path + " already exists: remove it, or name another file with -o FILE");
  }
  return error_text("cannot create " + path + ": " + errno_text(errno));
}

Result<BundleConfig> load_bundle_config(const CliArgs& args) {
  auto path = args.value("--config");
  BundleConfig loaded;
  loaded.yaml_path = path ? *path : std::string(config::kDefaultConfigFile);
  auto config = config::load_daemon_config(loaded.yaml_path, path.has_value());
  if (!config) return config.error();
  loaded.config = std::move(*config);
  return loaded;
}

// Every part, in README.txt's order; `err` hears what is being done.
BundleContents collect_bundle(BundleConfig& loaded, std::ostream& err) {
  BundleContents bundle;
  err << "proxywatch bundle: reading the configuration, the system and the daemon\n";
  collect_version_and_system(bundle);
  collect_config_files(bundle, loaded);
  collect_network(bundle);
  collect_daemon_state(bundle, loaded);
  collect_history(bundle, loaded);
  collect_journal(bundle);
  collect_captures(bundle, loaded);
  err << "proxywatch bundle: checking each target afresh (each phase at most "
      << kBundleCheckPhase.count() << " s)\n";
  collect_checks(bundle, loaded);
  for (const ProxyCredentials& c : loaded.credentials) {
    if (!c.password.empty() && c.password.size() < kMinSecretBytes) {
      bundle.notes.push_back(fmt::format(
          "masking: a configured password is shorter than {} bytes, too short to search for "
          "in every byte; it was masked where a key holds it",
          kMinSecretBytes));
    }
  }
  return bundle;
}

// Writes the archive to `fd` (standard output when `path` is "-"); a file that could not be
// written whole is removed.
int write_output(const BundleContents& bundle, int fd, const std::string& path, std::ostream& err) {
  bool to_stdout = path == "-";
  auto now = std::chrono::system_clock::now();
  auto written = write_bundle(bundle, fd, std::chrono::system_clock::to_time_t(now));
  if (!to_stdout && ::close(fd) != 0 && written) {
    written = error_text("cannot write " + path + ": " + errno_text(errno));
  }
  if (!written) {
    if (!to_stdout) ::unlink(path.c_str());
    err << "proxywatch bundle: " << written.error().message << "\n";
    return kExitBundleFailed;
  }
  err << "proxywatch bundle: wrote " << (to_stdout ? "the archive to standard output" : path)
      << " (" << bundle.files.size() << " files; read README.txt and masked.txt before sending "
      << "it)\n";
  return kExitOk;
}

}  // namespace

std::string bundle_usage() {
  return "usage: proxywatch bundle [-o FILE] [--config FILE]\n"
         "\n"
         "Gathers what a TAC case needs into one tar.gz: README.txt (what each file is),\n"
         "masked.txt, the version and build, OS and kernel, interfaces and routes, the\n"
         "configuration files with secrets masked, /status.json and /metrics of the running\n"
         "daemon (or its state on disk), the failures of the last 7 days, the journal of\n"
         "the last 24 h, the captures, and a fresh check --mtu --packets per target.\n"
         "No password nor its base64 is in it. Run it as root to read every part.\n"
         "\n"
         "  -o FILE        write the archive to FILE, created mode 600, never over an\n"
         "                 existing file; - is standard output (default\n"
         "                 proxywatch-bundle-HOST-UTCSTAMP.tar.gz in the current directory)\n"
         "  --config FILE  the YAML file (default /etc/proxywatch/proxywatch.yaml)\n"
         "\n"
         "exit status: 0 archive written (README.txt names the parts that failed),\n"
         "  1 configuration unreadable or archive not written, 2 bad usage\n";
}

std::string bundle_readme(const BundleContents& bundle, const std::string& host,
                          const std::string& stamp, const std::string& config_path) {
  std::string out = fmt::format(
      "proxywatch support bundle\n"
      "=========================\n"
      "Taken {} on {} by proxywatch {} (uid {}), configuration {}.\n\n"
      "Read it before you send it: every file is text but the captures (pcap: tcpdump -r,\n"
      "Wireshark). Secrets are masked and masked.txt lists each by file, line and key: no\n"
      "proxy password nor its base64 is in any byte of this archive, and the credentials\n"
      "file is not included.\n\n"
      "Files\n",
      stamp, host, PROXYWATCH_VERSION, ::geteuid(), config_path);
  out += fmt::format("  {:<34} {}\n", "README.txt", "this file");
  out += fmt::format("  {:<34} {}\n", "masked.txt", "what was masked (file, line, key)");
  for (const BundleFile& f : bundle.files) out += fmt::format("  {:<34} {}\n", f.name, f.about);
  out += "\nNot collected\n";
  if (bundle.gaps.empty()) out += "  nothing: every part was collected\n";
  for (const std::string& gap : bundle.gaps) out += "  - " + gap + "\n";
  out += "\nHow it was collected\n";
  for (const std::string& note : bundle.notes) out += "  - " + note + "\n";
  out += fmt::format(
      "  - bounds: commands (ip, journalctl) at most {} s each; the journal at most {} MiB;\n"
      "    captures at most {} MiB together, newest first; the history's newest {} probes;\n"
      "    the daemon asked with a 5 s deadline\n",
      kBundleCommandTime.count(), kBundleJournalBytes >> 20, kBundleCaptureBytes >> 20,
      kBundleHistoryProbes);
  return out;
}

void finish_bundle(BundleContents& bundle, const std::vector<Secret>& secrets,
                   const std::string& host, const std::string& stamp,
                   const std::string& config_path) {
  for (BundleFile& file : bundle.files) {
    mask_secret_bytes(file.content, secrets, file.name, bundle.masked);
  }
  std::string readme = bundle_readme(bundle, host, stamp, config_path);
  std::string masked = format_masked_list(bundle.masked);
  std::vector<MaskEntry> late;  // generated text holds no secret; checked all the same
  mask_secret_bytes(readme, secrets, "README.txt", late);
  mask_secret_bytes(masked, secrets, "masked.txt", late);
  bundle.files.insert(bundle.files.begin(), {{"README.txt", readme, "this file"},
                                             {"masked.txt", masked, "what was masked"}});
}

Result<void> write_bundle(const BundleContents& bundle, int fd, std::int64_t mtime) {
  TarGzWriter archive(fd);
  std::set<std::string> directories;
  for (const BundleFile& file : bundle.files) {
    for (std::size_t slash = file.name.find('/'); slash != std::string::npos;
         slash = file.name.find('/', slash + 1)) {
      std::string dir = file.name.substr(0, slash);
      if (!directories.insert(dir).second) continue;
      if (auto added = archive.add_directory(dir, mtime); !added) return added;
    }
    if (auto added = archive.add_file(file.name, file.content, mtime); !added) return added;
  }
  return archive.finish();
}

int run_bundle_command(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  auto args = CliArgs::parse(argv, {"-o", "--config"}, {"--help"});
  if (!args) {
    err << "proxywatch bundle: " << args.error() << " (see proxywatch bundle --help)\n";
    return kExitUsage;
  }
  if (args->has("--help")) {
    out << bundle_usage();
    return kExitOk;
  }
  auto loaded = load_bundle_config(*args);
  if (!loaded) {
    err << "proxywatch bundle: " << loaded.error()
        << " (run it as root, or name the YAML file with --config FILE)\n";
    return kExitBundleFailed;
  }
  auto now = std::chrono::system_clock::now();
  std::string host = bundle_host_name();
  std::string stamp =
      fmt::format("{:%Y%m%dT%H%M%SZ}", std::chrono::floor<std::chrono::seconds>(now));
  std::string path =
      args->value("-o").value_or("proxywatch-bundle-" + host + "-" + stamp + ".tar.gz");
  // The file is created first, so an existing or unwritable one is said at once.
  int fd = STDOUT_FILENO;
  if (path != "-") {
    auto created = create_output(path);
    if (!created) {
      err << "proxywatch bundle: " << created.error().message << "\n";
      return kExitBundleFailed;
    }
    fd = *created;
  }
  out.flush();
  BundleContents bundle = collect_bundle(*loaded, err);
  finish_bundle(
      bundle, secrets_of(loaded->credentials), host,
      fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(now)),
      loaded->yaml_path);
  return write_output(bundle, fd, path, err);
}

}  // namespace proxywatch
